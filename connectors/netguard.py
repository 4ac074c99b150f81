"""Which URLs the tool may fetch (docs/contract.md §5.3 `deny_networks`): one validator for registry
import, `file open|update` and the poller, and the connect-time check of the HTTP client.

`url_problem(url, deny)` is the static check: an http(s) URL with a host, a port in 1–65535, a
well-formed IPv6 literal, and no literal address inside a denied network (IPv4 in any form the C
resolver accepts — `2852039166`, `0xa9.254.169.254`, `::ffff:169.254.169.254` — is read as the
address it is). Host names are not resolved here: DNS answers change, so a name is judged where
it is connected to. `GuardedBackend` is that place: the httpcore network backend of every client
resolves the host itself, refuses the connection when any address it would use is denied, and
connects to the checked address — so a name that resolves to a public address for a check and
to 169.254.169.254 a moment later (DNS rebinding) is refused without a packet being sent, on
every redirect hop too.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

import httpcore

# The default of `[poll] deny_networks` (config/default.toml says the same): link-local, where
# every cloud's metadata service lives (169.254.169.254 AWS/GCP/Azure/OpenStack, 169.254.0.23
# Tencent), and the metadata addresses outside it: Alibaba 100.100.100.200, AWS's IPv6
# fd00:ec2::254, Oracle 192.0.0.192. Loopback and private networks stay allowed (RSSHub).
DEFAULT_DENY = ("169.254.0.0/16", "fe80::/10", "100.100.100.200/32", "fd00:ec2::254/128", "192.0.0.192/32")

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class DeniedAddress(Exception):
    """A connection refused before it was made: the host is or resolves into a denied network."""


@dataclass(frozen=True)
class DenyList:
    networks: tuple[Network, ...]

    @property
    def entries(self) -> tuple[str, ...]:
        return tuple(str(network) for network in self.networks)

    @classmethod
    def parse(cls, entries: Iterable[str]) -> DenyList:
        """Raises ValueError naming the first entry that is no network."""
        networks = []
        for entry in entries:
            try:
                networks.append(ipaddress.ip_network(entry.strip(), strict=False))
            except ValueError as exc:
                raise ValueError(f"{entry!r} is not a network (write 169.254.0.0/16 or fe80::/10)") from exc
        return cls(tuple(networks))

    def denying(self, address: Address) -> Network | None:
        """The denied network `address` lies in (an IPv4-mapped or NAT'd IPv6 as its IPv4)."""
        candidates: list[Address] = [address]
        if isinstance(address, ipaddress.IPv6Address):
            for embedded in (address.ipv4_mapped, address.sixtofour):
                if embedded is not None:
                    candidates.append(embedded)
            if address.scope_id:
                candidates.append(ipaddress.IPv6Address(str(address).split("%", 1)[0]))
        for candidate in candidates:
            for network in self.networks:
                if candidate.version == network.version and candidate in network:
                    return network
        return None


@lru_cache(maxsize=16)
def deny_list(entries: tuple[str, ...] = DEFAULT_DENY) -> DenyList:
    return DenyList.parse(entries)


def literal_address(host: str) -> Address | None:
    """The address a host literal names, read as the resolver would; None for a name."""
    bare = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    try:
        return ipaddress.ip_address(bare)
    except ValueError:
        pass
    if bare and all(ch in "0123456789abcdefABCDEFxX." for ch in bare) and bare[0].isdigit():
        try:  # 2852039166, 0251.0376.0251.0376, 0xa9fea9fe: inet_aton reads them all
            return ipaddress.IPv4Address(socket.inet_aton(bare))
        except OSError:
            return None
    return None


def url_problem(url: str, deny: DenyList | None = None) -> str | None:
    """Why `url` may not be fetched, in one line; None when it may (see module doc)."""
    try:
        parts = urlsplit(url)
    except ValueError as exc:  # "Invalid IPv6 URL"
        return f"not a valid URL: {exc}"
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return "must be an http(s) URL"
    if any(ch.isspace() for ch in url):
        return "a URL may not contain spaces"
    netloc = parts.netloc.rsplit("@", 1)[-1]
    if netloc.startswith("[") and "]" not in netloc:
        return "malformed IPv6 host (missing ']')"
    try:
        port = parts.port
    except ValueError:
        return f"port out of range (1-65535): {netloc.rsplit(':', 1)[-1][:20]!r}"
    if port == 0:
        return "port out of range (1-65535): 0"
    host = parts.hostname or ""
    if not host:
        return "not a valid URL: no host"
    if netloc.startswith("["):
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            return f"malformed IPv6 host [{host[:60]}]"
    address = literal_address(host)
    if address is not None:
        network = (deny or deny_list()).denying(address)
        if network is not None:
            return f"address {address} is in a denied network ({network}, [poll] deny_networks)"
    elif not _hostname_ok(host):
        return f"not a valid host name: {host[:60]!r}"
    return None


def _hostname_ok(host: str) -> bool:
    try:
        encoded = host.encode("idna") if not host.isascii() else host.encode("ascii")
    except UnicodeError:
        return False
    return 0 < len(encoded) <= 253 and all(0 < len(label) <= 63 for label in encoded.rstrip(b".").split(b"."))


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """An httpcore async network backend: resolve, refuse denied addresses, connect to the
    checked address (see module doc). Wraps httpcore's default backend."""

    def __init__(self, inner: Any, deny: DenyList) -> None:
        self.inner = inner
        self.deny = deny

    async def _addresses(self, host: str, port: int) -> list[str]:
        literal = literal_address(host)
        if literal is not None:
            found = [literal]
        else:
            loop = asyncio.get_running_loop()
            infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
            found = [ipaddress.ip_address(info[4][0]) for info in infos]
        for address in found:
            network = self.deny.denying(address)
            if network is not None:
                raise DeniedAddress(f"{host} is {address}, in a denied network ({network}, [poll] deny_networks)")
        return list(dict.fromkeys(str(address) for address in found))

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None, socket_options: Any = None) -> Any:
        if not 0 < port <= 65535:
            raise DeniedAddress(f"port out of range (1-65535): {port}")
        addresses = await self._addresses(host, port)
        error: Exception | None = None
        for address in addresses:  # the checked addresses, in the resolver's order
            try:
                return await self.inner.connect_tcp(address, port, timeout=timeout, local_address=local_address,
                                                    socket_options=socket_options)
            except Exception as exc:
                error = exc
        assert error is not None
        raise error

    async def connect_unix_socket(self, *args: Any, **kwargs: Any) -> Any:
        raise DeniedAddress("unix sockets are not fetched")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)

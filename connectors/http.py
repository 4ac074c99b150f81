"""The one HTTP client of the project and the one way to fetch a body from a source.

`make_client` builds the httpx client from `[poll]` (keep-alive pool, connect/read timeouts,
at most `max_redirects` redirects). `fetch` adds what httpx does not do: a total time limit (a
server that drips one byte a second never trips a read timeout), a size cap counted on the
*decompressed* bytes (we decode gzip/deflate ourselves, chunk by chunk with a bounded output, so
a gzip bomb never expands past the cap), conditional GET, and the classification of every way a
fetch can fail as a `SourceError`.
"""

from __future__ import annotations

import asyncio
import functools
import ssl
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import certifi
import httpx

from connectors.base import Outcome, SourceError
from connectors.blockpage import block_reason

# Statuses whose body may be a block page rather than an answer about the account
# (RSSHub serves its "Error message" page with 503; walls come with 403/429).
_BLOCK_STATUSES = frozenset({403, 429, 503})
_ERROR_HEAD_BYTES = 65536


@dataclass(frozen=True, slots=True)
class Fetched:
    """A body (or a 304) as the server sent it, decompressed."""

    url: str
    status: int
    body: bytes
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None
    content_location: str | None = None  # a base for relative links (docs/contract.md §5.2)

    @property
    def not_modified(self) -> bool:
        return self.status == 304


@functools.cache
def ssl_context() -> ssl.SSLContext:
    """One verifying TLS context for every client (building one loads the CA bundle: slow)."""
    return ssl.create_default_context(cafile=certifi.where())


def make_client(poll: dict[str, Any], *, connections: int | None = None,
                ssl_context: ssl.SSLContext | None = None) -> httpx.AsyncClient:
    """A client with `[poll]` limits; `connections` defaults to the global concurrency."""
    size = connections or poll["concurrency"]
    timeout = httpx.Timeout(connect=poll["connect_timeout"], read=poll["read_timeout"],
                            write=poll["read_timeout"], pool=poll["total_timeout"])
    return httpx.AsyncClient(
        limits=httpx.Limits(max_connections=size, max_keepalive_connections=size, keepalive_expiry=30.0),
        timeout=timeout,
        follow_redirects=True,
        max_redirects=poll["max_redirects"],
        headers={"User-Agent": poll["user_agent"], "Accept-Encoding": "gzip, deflate",
                 "Accept": "application/rss+xml, application/atom+xml, application/feed+json, "
                           "application/json, application/xml;q=0.9, */*;q=0.8"},
        trust_env=False,
        verify=ssl_context or True,
    )


class _Decoder:
    """Content-Encoding gzip/deflate/identity, decoded with at most `limit` bytes of output."""

    def __init__(self, encoding: str, limit: int, *, truncate: bool = False) -> None:
        self.encoding = encoding
        self.limit = limit
        self.truncate = truncate  # keep the first `limit` bytes instead of failing
        self.full = False
        self.size = 0
        if encoding in ("gzip", "x-gzip"):
            self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self._zlib = zlib.decompressobj()
        elif encoding in ("", "identity"):
            self._zlib = None
        else:
            raise SourceError(Outcome.PARSE_ERROR, f"unsupported Content-Encoding {encoding!r}")
        self._deflate_sniffed = encoding != "deflate"

    def _room(self) -> int:
        return self.limit + 1 - self.size  # one byte more than allowed tells "too large"

    def _check(self, part: bytes) -> bytes:
        self.size += len(part)
        if self.size > self.limit and self.truncate:
            self.full = True
            return part[: len(part) - (self.size - self.limit)]
        if self.size > self.limit:
            raise SourceError(Outcome.TOO_LARGE, f"body over {self.limit} bytes (after decompression)")
        return part

    def feed(self, chunk: bytes) -> list[bytes]:
        if self._zlib is None:
            return [self._check(chunk)]
        if not self._deflate_sniffed:
            self._deflate_sniffed = True
            if chunk and (chunk[0] & 0x0F) != 8:  # raw deflate without the zlib header
                self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
        parts = []
        data = chunk
        try:
            while data and not self.full:
                parts.append(self._check(self._zlib.decompress(data, self._room())))
                data = self._zlib.unconsumed_tail
                if self._zlib.eof and self._zlib.unused_data:  # a further gzip member
                    data = self._zlib.unused_data
                    self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)
        except zlib.error as exc:
            raise SourceError(Outcome.PARSE_ERROR, f"corrupt {self.encoding} body: {exc}") from exc
        return parts


async def _read_capped(response: httpx.Response, limit: int) -> bytes:
    declared = response.headers.get("content-length")
    encoding = response.headers.get("content-encoding", "").strip().lower()
    if declared and declared.isdigit() and encoding in ("", "identity") and int(declared) > limit:
        raise SourceError(Outcome.TOO_LARGE, f"Content-Length {declared} over {limit} bytes")
    decoder = _Decoder(encoding, limit)
    parts: list[bytes] = []
    async for chunk in response.aiter_raw():
        parts.extend(decoder.feed(chunk))
    return b"".join(parts)


def _error_status(response: httpx.Response, head: bytes) -> SourceError:
    status = response.status_code
    retry_after = response.headers.get("retry-after")
    if status in _BLOCK_STATUSES and head:
        reason = block_reason(head.decode("utf-8", errors="replace"))
        if reason:
            return SourceError(Outcome.BLOCKED, f"HTTP {status}: {reason}", http_status=status, retry_after=retry_after)
    return SourceError(Outcome.HTTP_ERROR, f"HTTP {status} {response.reason_phrase}".strip(), http_status=status,
                       retry_after=retry_after)


async def _fetch(client: httpx.AsyncClient, url: str, headers: dict[str, str], limit: int) -> Fetched:
    async with client.stream("GET", url, headers=headers) as response:
        if response.status_code == 304:
            await _read_capped(response, _ERROR_HEAD_BYTES)  # (empty) to the end: the connection stays open
            return Fetched(str(response.url), 304, b"", response.headers.get("etag"),
                           response.headers.get("last-modified"))
        if response.status_code >= 400:
            try:
                head = await _read_capped(response, _ERROR_HEAD_BYTES)
            except SourceError:
                head = b""
            raise _error_status(response, head)
        if response.status_code >= 300:
            raise SourceError(Outcome.NETWORK_ERROR, f"HTTP {response.status_code} without a usable Location",
                              http_status=response.status_code)
        body = await _read_capped(response, limit)
        return Fetched(str(response.url), response.status_code, body, response.headers.get("etag"),
                       response.headers.get("last-modified"), response.headers.get("content-type"),
                       response.headers.get("content-location"))


@contextmanager
def _classified(timeout_detail: str) -> Iterator[None]:
    """Turn what httpx and asyncio raise during a request into a classified SourceError."""
    try:
        yield
    except TimeoutError as exc:  # the total time limit (asyncio.timeout)
        raise SourceError(Outcome.TIMEOUT, timeout_detail) from exc
    except httpx.TimeoutException as exc:
        raise SourceError(Outcome.TIMEOUT, f"{type(exc).__name__}: {exc or 'timed out'}") from exc
    except httpx.TooManyRedirects as exc:
        raise SourceError(Outcome.NETWORK_ERROR, f"too many redirects: {exc}") from exc
    except (httpx.HTTPError, httpx.InvalidURL, OSError) as exc:
        raise SourceError(Outcome.NETWORK_ERROR, f"{type(exc).__name__}: {exc}") from exc
    except (ValueError, UnicodeError) as exc:  # a malformed URL or header that httpx lets through
        raise SourceError(Outcome.NETWORK_ERROR, f"{type(exc).__name__}: {exc}") from exc


async def fetch(client: httpx.AsyncClient, url: str, *, limit: int, total_timeout: float,
                etag: str | None = None, last_modified: str | None = None) -> Fetched:
    """GET `url` (conditionally when validators are given); raises a classified SourceError."""
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    with _classified(f"no complete answer within {total_timeout:g} s"):
        async with asyncio.timeout(total_timeout):
            return await _fetch(client, url, headers, limit)


@dataclass(frozen=True, slots=True)
class Probe:
    """The start of an answer: enough to tell a package or store page from an error page."""

    url: str
    status: int
    headers: httpx.Headers
    head: bytes


async def probe(client: httpx.AsyncClient, url: str, *, total_timeout: float, head_bytes: int = 65536) -> Probe:
    """GET `url` and read only its first `head_bytes` (an app package may be 100 MB)."""
    with _classified(f"no answer within {total_timeout:g} s"):
        async with asyncio.timeout(total_timeout):
            async with client.stream("GET", url) as response:
                encoding = response.headers.get("content-encoding", "").strip().lower()
                decoder = _Decoder(encoding, head_bytes, truncate=True)
                parts: list[bytes] = []
                async for chunk in response.aiter_raw():
                    parts.extend(decoder.feed(chunk))
                    if decoder.full:
                        break
                return Probe(str(response.url), response.status_code, response.headers, b"".join(parts))

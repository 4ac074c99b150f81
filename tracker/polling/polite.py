"""Politeness towards the sources (docs/contract.md §5.3): at most `[poll] per_host_rate` requests per
second to one host and port (`private_host_rate` for loopback and private addresses, where a
self-hosted RSSHub caches its upstream; 0 means unlimited), `Retry-After` on 429/503 honoured for
the whole host, and retries after a random (jittered) part of their delay, so that the accounts of
one host do not come back all at once.

A `HostGate` spaces the requests to its host at least 1/rate apart — a token bucket of depth one,
so no window of a second ever holds more than `rate` requests — and holds every request until the
host's `Retry-After` has passed. A wait longer than `retry_after_max` is not waited out within the
run: the host's fetches fail at once (no request is sent) and their accounts back off as usual.
"""

from __future__ import annotations

import asyncio
import ipaddress
import random
import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from connectors.base import Outcome, SourceError

RETRY_STATUSES = frozenset({429, 503})


def is_private_host(url: str) -> bool:
    """Loopback, private and link-local IP literals and `localhost` (no DNS lookup: a name is public)."""
    try:
        host = (urlsplit(url).hostname or "").rstrip(".").lower()
    except ValueError:
        return False
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_private or address.is_link_local


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds a `Retry-After` header asks for (delta-seconds or an HTTP date); None if absent or unreadable."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - (now or datetime.now(UTC))).total_seconds())


def jittered(delay: float, rng: random.Random | None = None) -> float:
    """`delay` plus a random part of up to half of it (at least 0.1 s of spread)."""
    return delay + (rng or random).uniform(0.0, max(delay * 0.5, 0.1))


class HostGate:
    """The request schedule of one host: `rate` per second (0: unlimited), and a Retry-After pause."""

    def __init__(self, rate: float, retry_after_max: float) -> None:
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self.retry_after_max = retry_after_max
        self.next_at = 0.0       # monotonic time of the next free request slot
        self.not_before = 0.0    # monotonic time the host's Retry-After ends
        self.asked = 0.0         # the Retry-After (seconds) behind not_before, for the message

    def pause(self, seconds: float) -> None:
        """The host answered 429/503 with Retry-After: `seconds`."""
        until = time.monotonic() + seconds
        if until > self.not_before:
            self.not_before, self.asked = until, seconds

    async def wait(self) -> None:
        """Until this request may go; raises SourceError when the host asked for a longer pause
        than a run waits out."""
        while True:
            now = time.monotonic()
            if self.not_before - now > self.retry_after_max:
                raise SourceError(Outcome.HTTP_ERROR, f"HTTP 429: the host asked to wait {self.asked:g} s "
                                  "(Retry-After); not requested again in this run", http_status=429)
            slot = max(now, self.next_at, self.not_before)
            self.next_at = slot + self.interval
            if slot <= now:
                return
            await asyncio.sleep(slot - now)
            if time.monotonic() >= self.not_before:  # no new Retry-After came while this one slept
                return

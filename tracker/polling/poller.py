"""`tracker poll`: fetch every due account's feed and profile concurrently and store the results.

Concurrency has two limits from `[poll]`: `concurrency` fetches at once overall and `per_host`
at once per host. A fetch takes its host's slot *before* a global one, so accounts waiting for a
busy host (many accounts share one self-hosted RSSHub) hold no global slot and never starve the
other hosts. Failing accounts are not polled again before their `next_poll_at` (exponential
back-off, `tracker.polling.store.backoff_delay`) unless named on the command line; a slow source costs
at most `total_timeout` of one slot and never slows the rest.

Fetching and parsing run on the event loop; storing runs on one writer thread, which commits
whatever results are waiting in one transaction (each account stays atomic; see pipeline).
"""

from __future__ import annotations

import asyncio
import hashlib
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlmodel import col

from connectors.base import Origin, Outcome, ParsedFeed, SourceError, parsers
from connectors.detect import parse_body
from connectors.http import Fetched, fetch, make_client, probe, ssl_context
from connectors.netguard import deny_list
from connectors.plugins import PluginLoadError
from tracker.domain.errors import TrackerError
from tracker.domain.plugins import PluginError
from tracker.domain.times import as_utc, local_date, now_utc
from tracker.polling.polite import RETRY_STATUSES, HostGate, is_private_host, jittered, retry_after_seconds
from tracker.polling.store import PollResult, Store
from tracker.settings import Settings
from tracker.storage.db import Database
from tracker.storage.tables import Account, FeedState

Progress = Callable[[int, int, PollResult], None]
_WRITE_BATCH = 200


@dataclass
class PollReport:
    run_id: str
    started_at: datetime
    seconds: float = 0.0
    results: list[PollResult] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # due later (back-off) or nothing to fetch

    @property
    def new_posts(self) -> int:
        return sum(result.new_posts for result in self.results)

    def counts(self) -> dict[str, int]:
        return dict(sorted(Counter(str(result.outcome) for result in self.results).items()))

    def summary(self) -> dict[str, Any]:
        return {"run_id": self.run_id, "accounts": len(self.results), "new_posts": self.new_posts,
                "outcomes": self.counts(), "skipped": len(self.skipped), "seconds": round(self.seconds, 3)}


@dataclass(frozen=True)
class Target:
    """One account to poll, with the validators of its last good fetches."""

    account: str
    platform: str
    feed_url: str | None
    profile_url: str | None
    state: dict[str, Any]

    @classmethod
    def from_row(cls, row: Any) -> Target:
        keys = ("etag", "last_modified", "body_hash", "profile_etag", "profile_last_modified", "profile_hash")
        return cls(row.account, row.platform, row.feed_url, row.profile_url, {k: getattr(row, k) for k in keys})


@dataclass
class _Part:
    """The fetch of one URL of an account (feed or profile)."""

    outcome: Outcome
    http_status: int | None = None
    detail: str | None = None
    parsed: ParsedFeed | None = None
    state: dict[str, Any] = field(default_factory=dict)


def _host(url: str) -> str:
    try:
        return urlsplit(url).netloc.lower()
    except ValueError:  # not a URL at all: fetch() will say so; it shares no host with anyone
        return url


@dataclass
class _Timing:
    """When an account's first fetch began and how long its fetches and parsing took — not the
    time spent waiting for a free slot, which says nothing about the source."""

    started_at: datetime | None = None
    seconds: float = 0.0

    def begin(self) -> tuple[datetime, float]:
        moment = now_utc()
        self.started_at = self.started_at or moment
        return moment, time.perf_counter()

    def end(self, clock: float) -> None:
        self.seconds += time.perf_counter() - clock


async def _fetch_part(limits: _Limits, section: dict[str, Any], url: str, prefix: str,
                      state: dict[str, Any], timing: _Timing) -> _Part:
    hash_key = prefix + ("hash" if prefix else "body_hash")
    etag, modified, old_hash = state.get(prefix + "etag"), state.get(prefix + "last_modified"), state.get(hash_key)
    attempt = 0
    while True:
        try:
            async with limits.slot(url) as client:
                fetched_at, clock = timing.begin()
                try:
                    answer: Fetched = await fetch(client, url, limit=section["max_body_bytes"],
                                                  total_timeout=section["total_timeout"], etag=etag,
                                                  last_modified=modified)
                finally:
                    timing.end(clock)
            break
        except SourceError as error:
            delay = limits.retry_delay(url, error, attempt)
            if delay is None:
                return _Part(error.outcome, error.http_status, error.detail)
            attempt += 1
            await asyncio.sleep(delay)
    clock = time.perf_counter()
    try:
        validators = {prefix + "etag": answer.etag or etag, prefix + "last_modified": answer.last_modified or modified}
        if answer.not_modified:
            return _Part(Outcome.NOT_MODIFIED, 304, None, None, validators)
        validators[hash_key] = hashlib.sha256(answer.body).hexdigest()
        if validators[hash_key] == old_hash:
            return _Part(Outcome.NOT_MODIFIED, answer.status, "body unchanged", None, validators)
        try:
            parsed = parse_body(answer.body, fetched_at=fetched_at, content_type=answer.content_type,
                                origin=Origin(answer.url, answer.content_location))
        except SourceError as error:
            return _Part(error.outcome, answer.status, error.detail)
        except Exception as exc:
            return _Part(Outcome.PARSE_ERROR, answer.status, f"parser failed: {type(exc).__name__}: {exc}"[:500])
        return _Part(Outcome.OK, answer.status, None, parsed, validators)
    finally:
        timing.end(clock)


async def _probe_app(limits: _Limits, section: dict[str, Any], url: str, timing: _Timing) -> _Part:
    from connectors.app import classify_app_probe  # deferred: start-up time of every command

    try:
        async with limits.slot(url) as client:
            _, clock = timing.begin()
            try:
                answer = await probe(client, url, total_timeout=section["total_timeout"])
            finally:
                timing.end(clock)
    except SourceError as error:
        if error.outcome == Outcome.NETWORK_ERROR:  # refused, no such host: nobody can download it
            return _Part(Outcome.UNAVAILABLE, None, error.detail)
        return _Part(error.outcome, error.http_status, error.detail)
    return _Part(classify_app_probe(answer.status, answer.headers, answer.head), answer.status,
                 f"HTTP {answer.status} from {answer.url}")


def _combine(parts: list[tuple[str, _Part]]) -> _Part:
    """One outcome per account: the first failure, else ok when anything changed."""
    posts, profile, state = [], None, {}
    for _name, part in parts:
        state.update(part.state)
        if part.parsed is not None:
            posts.extend(part.parsed.posts)
            profile = part.parsed.profile or profile
    parsed = ParsedFeed("+".join(p.parsed.format for _n, p in parts if p.parsed), posts, profile) \
        if any(p.parsed for _n, p in parts) else None
    failed = [(name, part) for name, part in parts if part.outcome.failed and part.outcome != Outcome.UNAVAILABLE]
    if failed:
        name, part = failed[0]
        detail = f"{name}: {part.detail}" if len(parts) > 1 else part.detail
        return _Part(part.outcome, part.http_status, detail, parsed, {})
    main = next((part for _n, part in parts if part.outcome != Outcome.NOT_MODIFIED), parts[0][1])
    return replace(main, parsed=parsed, state=state)


async def _poll_website(target: Target, limits: _Limits, section: dict[str, Any], websites: dict[str, Any],
                        run_id: str) -> PollResult:
    """A 政府网站's poll (docs/contract.md §10): the homepage, its columns, links, marks, tags and IPv6."""
    from connectors.website import poll_website  # deferred: start-up time of every command

    timing = _Timing()
    _, clock = timing.begin()
    found = await poll_website(
        limits.slot, target.feed_url or "", today=local_date(now_utc()),
        columns={"dynamic": websites["columns"]["dynamic"], "policy": websites["columns"]["policy"]},
        max_links=websites["max_links"], max_columns=websites["max_columns"],
        max_page_bytes=min(websites["max_page_bytes"], section["max_body_bytes"]),
        page_timeout=section["total_timeout"], link_timeout=websites["link_timeout_seconds"])
    timing.end(clock)
    return PollResult(account=target.account, outcome=Outcome(found.outcome), started_at=timing.started_at or now_utc(),
                      seconds=timing.seconds, http_status=found.http_status, detail=found.detail, run_id=run_id,
                      website=found)


async def poll_target(target: Target, limits: _Limits, section: dict[str, Any], run_id: str,
                      websites: dict[str, Any] | None = None) -> PollResult:
    if target.platform == "website" and websites is not None:
        return await _poll_website(target, limits, section, websites, run_id)
    timing = _Timing()
    items = None  # how many items a successful fetch of the feed held (evidence of absence, §6.4)
    if target.platform == "app":
        url = target.feed_url or target.profile_url
        assert url is not None  # targets() keeps only accounts with a feed or a profile URL
        part = await _probe_app(limits, section, url, timing)
    else:
        parts = []
        if target.feed_url:
            parts.append(("feed", await _fetch_part(limits, section, target.feed_url, "", target.state, timing)))
        if target.profile_url:
            parts.append(("profile", await _fetch_part(limits, section, target.profile_url, "profile_",
                                                       target.state, timing)))
        part = _combine(parts)
        feed = parts[0][1] if target.feed_url else None
        if part.outcome == Outcome.OK and feed is not None and feed.outcome == Outcome.OK and feed.parsed is not None:
            items = len(feed.parsed.posts)
    return PollResult(account=target.account, outcome=part.outcome, started_at=timing.started_at or now_utc(),
                      seconds=timing.seconds, http_status=part.http_status, detail=part.detail,
                      parsed=part.parsed, state=part.state, run_id=run_id, items=items)


def refuse_unknown(asked: list[str] | None, rows: Sequence[Any]) -> None:
    """Accounts named on the command line that the registry does not hold: one clear error."""
    if asked is not None:
        unknown = sorted(set(asked) - {row.account for row in rows})
        if unknown:
            raise TrackerError(f"unknown account(s): {', '.join(unknown)}")


def _targets(db: Database, accounts: list[str] | None, now: datetime) -> tuple[list[Target], list[str]]:
    query = select(col(Account.account), col(Account.platform), col(Account.status), col(Account.feed_url), col(Account.profile_url),
                   col(FeedState.etag), col(FeedState.last_modified), col(FeedState.body_hash), col(FeedState.profile_etag),
                   col(FeedState.profile_last_modified), col(FeedState.profile_hash), col(FeedState.next_poll_at),
                   ).outerjoin(FeedState, col(FeedState.account) == col(Account.account)).order_by(col(Account.account))
    query = query.where(col(Account.status) != "deregistered") if accounts is None else query.where(col(Account.account).in_(accounts))
    with db.session() as session:
        rows = session.execute(query).all()
    refuse_unknown(accounts, rows)
    targets, skipped = [], []
    for row in rows:
        backing_off = accounts is None and row.next_poll_at is not None and as_utc(row.next_poll_at) > now
        if (row.feed_url or row.profile_url) and not backing_off:
            targets.append(Target.from_row(row))
        else:
            skipped.append(row.account)
    return targets, skipped


class _Limits:
    """The global limit is a set of clients, one per fetch at a time: httpx's connection pool
    scans all its connections on every request, so one client with 64 connections spends more
    time choosing a connection than fetching; 64 clients of one connection each do not.

    Per host: `per_host` fetches at once, and a `polite.HostGate` (request rate, Retry-After),
    waited for before a global client is taken, so a slow or pausing host holds none."""

    def __init__(self, clients: list[Any], per_host: int, section: dict[str, Any] | None = None) -> None:
        self.free: asyncio.Queue[Any] = asyncio.Queue()
        for client in clients:
            self.free.put_nowait(client)
        self.per_host = per_host
        self.hosts: dict[str, asyncio.Semaphore] = {}
        self.gates: dict[str, HostGate] = {}
        section = section or {}
        self.public_rate = float(section.get("per_host_rate", 0.0))
        self.private_rate = float(section.get("private_host_rate", 0.0))
        self.retries = int(section.get("retries", 0))
        self.retry_base = float(section.get("retry_base_seconds", 1.0))
        self.retry_after_max = float(section.get("retry_after_max", 60.0))

    def gate(self, url: str) -> HostGate:
        host = _host(url)
        if host not in self.gates:
            rate = self.private_rate if is_private_host(url) else self.public_rate
            self.gates[host] = HostGate(rate, self.retry_after_max)
        return self.gates[host]

    def retry_delay(self, url: str, error: SourceError, attempt: int) -> float | None:
        """Seconds to wait before fetching `url` again after `error`, or None: no retry. A 429 is
        retried (after its Retry-After, which pauses the whole host, or after a jittered
        exponential delay); a 503 only when it says when to come back."""
        if error.http_status not in RETRY_STATUSES:
            return None
        seconds = retry_after_seconds(error.retry_after)
        if seconds is not None:
            self.gate(url).pause(seconds)
        if attempt >= self.retries or (seconds is None and error.http_status != 429):
            return None
        if seconds is not None:
            return None if seconds > self.retry_after_max else jittered(seconds)
        return jittered(self.retry_base * 2 ** attempt)

    @asynccontextmanager
    async def slot(self, url: str) -> AsyncIterator[Any]:
        """A client to fetch `url` with, once the host has room (host first: see module doc);
        raises SourceError when the host asked for a longer pause than a run waits out."""
        host = _host(url)
        if host not in self.hosts:
            self.hosts[host] = asyncio.Semaphore(self.per_host)
        async with self.hosts[host]:
            await self.gate(url).wait()
            client = await self.free.get()
            try:
                yield client
            finally:
                self.free.put_nowait(client)


async def _run(db: Database, settings: Settings, targets: list[Target], report: PollReport,
               concurrency: int, progress: Progress | None) -> None:
    section = settings.section("poll")
    clients = [make_client(section, connections=1, ssl_context=ssl_context())
               for _ in range(min(concurrency, len(targets)))]
    limits = _Limits(clients, max(1, section["per_host"]), section)
    store = Store(db, settings)
    queue: asyncio.Queue[PollResult | None] = asyncio.Queue(maxsize=max(_WRITE_BATCH, concurrency * 2))
    loop = asyncio.get_running_loop()

    async def writer(executor: ThreadPoolExecutor) -> None:
        done = 0
        while True:
            batch = [await queue.get()]
            while len(batch) < _WRITE_BATCH and not queue.empty():
                batch.append(queue.get_nowait())
            finished = batch[-1] is None
            results = [result for result in batch if result is not None]
            if results:
                await loop.run_in_executor(executor, store.store, results)
            for result in results:
                result.parsed = None  # the posts are stored; keep the report small
                report.results.append(result)
                done += 1
                if progress is not None:
                    progress(done, len(targets), result)
            if finished:
                return

    async def one(target: Target) -> None:
        try:
            result = await poll_target(target, limits, section, report.run_id, settings.section("websites"))
        except Exception as exc:
            result = PollResult(target.account, Outcome.NETWORK_ERROR, now_utc(), run_id=report.run_id,
                                detail=f"unexpected {type(exc).__name__}: {exc}"[:500])
        await queue.put(result)

    async with AsyncExitStack() as stack:
        for client in clients:
            await stack.enter_async_context(client)
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="poll-writer") as executor:
            writing = asyncio.create_task(writer(executor))
            pending = [asyncio.create_task(one(target)) for target in targets]
            try:
                # A failed write ends the run at once, with the error of the writer.
                waiting = asyncio.gather(*pending)
                racing: set[asyncio.Future[Any]] = {waiting, writing}
                done, _ = await asyncio.wait(racing, return_when=asyncio.FIRST_COMPLETED)
                if writing in done:
                    writing.result()
                await waiting
                await queue.put(None)
                await writing
            finally:
                for task in pending:
                    task.cancel()
                writing.cancel()


def poll(db: Database, settings: Settings, accounts: list[str] | None = None, *,
         concurrency: int | None = None, progress: Progress | None = None) -> PollReport:
    """Poll `accounts` (all due accounts when None) and store every result; see module doc."""
    try:
        parsers()  # the entry points' parsers load here, so that a broken plugin is one clear error
    except PluginLoadError as exc:
        raise PluginError(str(exc)) from exc
    try:
        deny_list(tuple(settings.section("poll")["deny_networks"]))
    except ValueError as exc:
        raise TrackerError(f"[poll] deny_networks: {exc}") from exc
    started = now_utc()
    report = PollReport(run_id=uuid.uuid4().hex[:12], started_at=started)
    concurrency = concurrency or settings.section("poll")["concurrency"]
    if concurrency < 1:
        raise TrackerError(f"--concurrency must be at least 1, got {concurrency}")
    targets, report.skipped = _targets(db, list(dict.fromkeys(accounts)) if accounts is not None else None, started)
    clock = time.perf_counter()
    if targets:
        asyncio.run(_run(db, settings, targets, report, concurrency, progress))
    report.seconds = time.perf_counter() - clock
    return report



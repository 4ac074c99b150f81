"""Polite polling (CONTRACT §5.3): at most `[poll] per_host_rate` requests a second to one host,
Retry-After on 429/503 honoured for the whole host, jittered retries — against a loopback server
that records when every request came and answers 429 with Retry-After."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from tests.polling.feedserver import FeedServer, Route, feed_server  # noqa: F401 - the fixture
from tests.polling.test_pipeline import add_account
from tests.polling.test_poller import outcomes, rss, settings
from tracker.polling.polite import is_private_host, retry_after_seconds
from tracker.polling.poller import poll
from tracker.storage.db import Database
from tracker.storage.tables import FeedState


def _most_in_a_second(times: list[float]) -> int:
    """The most requests in any window shorter than a second (arrival jitter aside: 0.95 s)."""
    times = sorted(times)
    return max(sum(1 for t in times[i:] if t - start < 0.95) for i, start in enumerate(times))


def test_one_host_gets_at_most_per_host_rate_requests_a_second(sqlite_db: Database, feed_server: FeedServer) -> None:
    accounts = [add_account(sqlite_db, f"weibo:r{i:02d}", feed_url=feed_server.add(f"/r{i}", Route(body=rss(f"r{i}"))))
                for i in range(11)]
    report = poll(sqlite_db, settings(private_host_rate=5.0, per_host=8), concurrency=8)
    assert set(outcomes(report).values()) == {("ok", 200)} and len(report.results) == len(accounts)
    times = [moment for moment, _path in feed_server.times]
    assert len(times) == 11 and _most_in_a_second(times) <= 5
    assert max(times) - min(times) >= 1.9  # 11 requests, 0.2 s apart


def test_loopback_is_unlimited_by_default_and_public_hosts_are_not() -> None:
    assert settings().section("poll")["private_host_rate"] == 0.0 and settings().section("poll")["per_host_rate"] == 5.0
    assert is_private_host("http://127.0.0.1:1200/weibo/user/1") and is_private_host("http://[::1]/x")
    assert is_private_host("http://192.168.1.10/rsshub") and is_private_host("http://localhost:1200/")
    assert not is_private_host("https://rsshub.app/weibo/user/1") and not is_private_host("http://8.8.8.8/")


def test_retry_after_pauses_the_whole_host_then_the_request_is_retried(sqlite_db: Database,
                                                                       feed_server: FeedServer) -> None:
    busy = add_account(sqlite_db, "weibo:a_busy", feed_url=feed_server.add(
        "/busy", Route(body=rss("busy"), busy_first=1, headers={"Retry-After": "1"})))
    others = [add_account(sqlite_db, f"weibo:b{i}", feed_url=feed_server.add(f"/b{i}", Route(body=rss(f"b{i}"))))
              for i in range(3)]
    report = poll(sqlite_db, settings(per_host=1), concurrency=4)
    assert outcomes(report) == {key: ("ok", 200) for key in (busy, *others)}
    assert feed_server.hits["/busy"] == 2
    (first_at, first_path), *rest = sorted(feed_server.times)
    assert first_path == "/busy"
    assert all(moment - first_at >= 0.95 for moment, _path in rest)  # nobody asked that host before it said


def test_a_retry_after_longer_than_a_run_waits_backs_the_host_off_unrequested(sqlite_db: Database,
                                                                            feed_server: FeedServer) -> None:
    busy = add_account(sqlite_db, "weibo:a_busy", feed_url=feed_server.add(
        "/busy", Route(body=rss("busy"), busy_first=5, headers={"Retry-After": "3600"})))
    other = add_account(sqlite_db, "weibo:b", feed_url=feed_server.add("/b", Route(body=rss("b"))))
    report = poll(sqlite_db, settings(per_host=1), concurrency=2)
    assert outcomes(report) == {busy: ("http_error", 429), other: ("http_error", 429)}
    assert feed_server.hits["/busy"] == 1 and feed_server.hits["/b"] == 0
    assert "Retry-After" in {r.account: r.detail for r in report.results}[other]
    with sqlite_db.session() as session:
        backing_off = dict(session.execute(select(FeedState.account, FeedState.next_poll_at)).all())
    assert all(backing_off[key] is not None for key in (busy, other))


def test_a_429_without_retry_after_is_retried_after_a_jittered_delay(sqlite_db: Database,
                                                                     feed_server: FeedServer) -> None:
    key = add_account(sqlite_db, "weibo:j", feed_url=feed_server.add("/j", Route(body=rss("j"), busy_first=2)))
    report = poll(sqlite_db, settings(retry_base_seconds=0.2, retries=2), concurrency=1)
    assert outcomes(report) == {key: ("ok", 200)} and feed_server.hits["/j"] == 3
    first, second, third = sorted(moment for moment, _path in feed_server.times)
    assert 0.2 <= second - first <= 0.2 * 1.5 + 0.15 and 0.4 <= third - second <= 0.4 * 1.5 + 0.15


def test_retry_after_as_seconds_or_an_http_date() -> None:
    now = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    assert retry_after_seconds("120") == 120.0
    assert retry_after_seconds("Mon, 23 Nov 2026 08:00:30 GMT", now) == 30.0
    assert retry_after_seconds("Mon, 23 Nov 2026 07:00:00 GMT", now) == 0.0 and retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None

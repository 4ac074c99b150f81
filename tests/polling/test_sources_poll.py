"""Real sources polled right (CONTRACT §5.2): undated items are stored without a time and
count in no window; a feed with no readable time at all is a parse_error; relative links are
resolved against the response's Content-Location, else the feed URL."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from tests.polling.feedserver import FeedServer, Route, feed_server  # noqa: F401 - the fixture
from tests.polling.test_pipeline import add_account, posts_of
from tests.polling.test_poller import outcomes, settings
from tracker.judging.facts import post_summary
from tracker.polling.poller import poll
from tracker.storage.db import Database

FEEDS = Path(__file__).resolve().parents[1] / "data" / "feeds"
AT = datetime(2026, 7, 1, 4, 0, tzinfo=UTC)


def test_undated_items_are_stored_without_a_time_and_count_in_no_window(sqlite_db: Database,
                                                                        feed_server: FeedServer) -> None:
    url = feed_server.add("/times.xml", Route(body=(FEEDS / "gov_cms_rss_times.xml").read_bytes()))
    key = add_account(sqlite_db, "other:fzgov", feed_url=url)
    report = poll(sqlite_db, settings(), [key])
    assert outcomes(report)[key] == ("ok", 200)
    rows = {row.post_id: row for row in posts_of(sqlite_db, key)}
    assert len(rows) == 8  # the bad dates spoil only their own items
    assert {post_id for post_id, row in rows.items() if row.published_at is None} == {
        "t_5005", "t_5006", "t_5007", "t_5008"}
    with sqlite_db.session() as session:
        summary = post_summary(session, AT, (1.0, 36500.0), 30.0)[key]
    # Four dated items, one of them in 2003: the undated four are in no window, not even a century's.
    assert summary.counts == {1.0: 2, 36500.0: 4}
    assert summary.last_post_at.replace(tzinfo=UTC) == datetime(2026, 7, 1, 1, 30, tzinfo=UTC)


def test_feed_without_any_readable_time_is_a_parse_error_and_stores_nothing(sqlite_db: Database,
                                                                            feed_server: FeedServer) -> None:
    url = feed_server.add("/none.xml", Route(body=(FEEDS / "gov_cms_rss_no_times.xml").read_bytes()))
    key = add_account(sqlite_db, "other:notimes", feed_url=url)
    report = poll(sqlite_db, settings(), [key])
    assert outcomes(report)[key] == ("parse_error", 200)
    assert "readable publication time" in report.results[0].detail
    assert posts_of(sqlite_db, key) == []


def test_relative_links_resolved_against_content_location_then_feed_url(sqlite_db: Database,
                                                                        feed_server: FeedServer) -> None:
    body = (FEEDS / "gov_cms_rss_relative_links.xml").read_bytes()
    plain = feed_server.add("/rss/zwyw.xml", Route(body=body))
    located = feed_server.add("/mirror/feed", Route(body=body, headers={
        "Content-Location": "https://www.example.gov.cn/xwzx/rss.xml"}))
    first = add_account(sqlite_db, "other:plain", feed_url=plain)
    second = add_account(sqlite_db, "other:located", feed_url=located)
    poll(sqlite_db, settings(), [first, second])
    urls = {row.post_id: row.url for row in posts_of(sqlite_db, first)}
    assert urls["299"] == feed_server.url("/rss/zwyw/202606/t20260630_299.html")
    assert urls["301"] == feed_server.url("/zwyw/202607/t20260701_301.html")
    located_rows = {row.post_id: row for row in posts_of(sqlite_db, second)}
    assert located_rows["299"].url == "https://www.example.gov.cn/xwzx/zwyw/202606/t20260630_299.html"
    assert located_rows["301"].links == ["https://www.example.gov.cn/zcwj/202606/t20260630_300.html"]


def test_undated_posts_come_after_the_dated_ones_in_an_accounts_recent_posts(db: Database) -> None:
    from connectors.base import Outcome, ParsedFeed
    from connectors.detect import parse_body
    from tracker.polling.store import store_poll_result
    from tracker.read.accounts import account_detail
    from tracker.settings import load_settings

    key = add_account(db, "other:recent")
    parsed = parse_body((FEEDS / "gov_cms_rss_times.xml").read_bytes(), fetched_at=AT)
    store_poll_result(db, key, Outcome.OK, ParsedFeed("rss", parsed.posts), settings=load_settings(), started_at=AT)
    recent = [post.post_id for post in account_detail(db, key, AT).posts]
    # PostgreSQL sorts NULL first in descending order: undated posts must not hide the newest.
    assert recent[:4] == ["t20260701_5001", "t20260630_5002", "t20260629_5003", "t200312_5004"]
    assert set(recent[4:]) == {"t_5005", "t_5006", "t_5007", "t_5008"}

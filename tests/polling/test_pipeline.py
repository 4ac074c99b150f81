"""tracker.polling.store: one account's poll lands whole or not at all; posts stored once; back-off."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from connectors.base import Outcome, ParsedFeed
from tracker.domain.models import Post, Profile
from tracker.polling.store import PollResult, Store, backoff_delay, store_poll_result
from tracker.settings import load_settings
from tracker.storage.db import Database
from tracker.storage.tables import Account, FeedState, PollOutcome, PostRow, ProfileSnapshot

SETTINGS = load_settings()
T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def add_account(db: Database, key: str, *, feed_url: str | None = None, profile_url: str | None = None,
                status: str = "active") -> str:
    platform, account_id = key.split(":", 1)
    with db.write() as session:
        session.add(Account(account=key, platform=platform, account_id=account_id, account_name=f"测试{account_id}",
                            org_code="11350100MB0000000X", org_name="福州市测试局", region="福建省/福州市",
                            status=status, opened_on=date(2024, 1, 1), feed_url=feed_url, profile_url=profile_url))
    return key


def post(post_id: str, text: str = "福州市召开防汛工作会议", **fields: object) -> Post:
    return Post(post_id=post_id, published_at=T0 - timedelta(hours=1), title=text[:10], text=text, **fields)


def posts_of(db: Database, key: str) -> list[PostRow]:
    with db.session() as session:
        return list(session.execute(select(PostRow).where(PostRow.account == key).order_by(PostRow.id)).scalars())


def count(db: Database, table: type) -> int:
    with db.session() as session:
        return session.execute(select(func.count()).select_from(table)).scalar_one()


def test_new_posts_stored_once_with_signals_profile_state_and_outcome(db: Database) -> None:
    key = add_account(db, "weibo:1001")
    feed = ParsedFeed("weibo", [post("m1"), post("m2", "点击购买 https://item.taobao.com/x"), post("m1")],
                      Profile("福州发布", True, "福州市人民政府新闻办公室", 11932000))
    new = store_poll_result(db, key, Outcome.OK, feed, settings=SETTINGS, started_at=T0, seconds=0.2,
                            http_status=200, state={"etag": '"abc"', "body_hash": "h1"})
    assert new == 2
    rows = posts_of(db, key)
    assert [r.post_id for r in rows] == ["m1", "m2"]
    assert all(r.signals_version for r in rows) and "taobao.com" in rows[1].sig_ad_domain
    assert rows[0].source == "poll" and rows[0].published_at == T0 - timedelta(hours=1)
    again = store_poll_result(db, key, Outcome.OK, ParsedFeed("weibo", [post("m2"), post("m3")]),
                              settings=SETTINGS, started_at=T0 + timedelta(hours=1))
    assert again == 1 and [r.post_id for r in posts_of(db, key)] == ["m1", "m2", "m3"]
    with db.session() as session:
        snapshot = session.execute(select(ProfileSnapshot)).scalar_one()
        state = session.get(FeedState, key)
        outcomes = session.execute(select(PollOutcome).order_by(PollOutcome.id)).scalars().all()
    assert (snapshot.display_name, snapshot.followers, snapshot.taken_at) == ("福州发布", 11932000, T0)
    assert (state.etag, state.body_hash, state.last_outcome, state.consecutive_failures) == ('"abc"', "h1", "ok", 0)
    assert [(o.outcome, o.new_posts, o.http_status) for o in outcomes] == [("ok", 2, 200), ("ok", 1, None)]


def test_failures_back_off_exponentially_and_keep_the_validators(db: Database) -> None:
    key = add_account(db, "weibo:1002")
    store_poll_result(db, key, Outcome.OK, ParsedFeed("rss"), settings=SETTINGS, started_at=T0,
                      state={"etag": '"v1"', "last_modified": "Mon, 23 Nov 2026 08:00:00 GMT"})
    delays = []
    for attempt in range(1, 5):
        at = T0 + timedelta(days=attempt)
        store_poll_result(db, key, Outcome.TIMEOUT, None, settings=SETTINGS, started_at=at, detail="slow")
        with db.session() as session:
            state = session.get(FeedState, key)
        delays.append(state.next_poll_at - at)
        assert state.consecutive_failures == attempt and state.etag == '"v1"'
    assert delays == [timedelta(minutes=30), timedelta(hours=1), timedelta(hours=2), timedelta(hours=4)]
    store_poll_result(db, key, Outcome.NOT_MODIFIED, None, settings=SETTINGS, started_at=T0 + timedelta(days=9))
    with db.session() as session:
        state = session.get(FeedState, key)
    assert (state.consecutive_failures, state.next_poll_at, state.last_outcome) == (0, None, "not_modified")


def test_backoff_is_capped() -> None:
    poll = SETTINGS.section("poll")
    assert backoff_delay(30, poll) == timedelta(hours=48)
    assert backoff_delay(1000, poll) == timedelta(hours=48)


def test_app_unavailable_is_an_answer_not_a_failure(db: Database) -> None:
    key = add_account(db, "app:cn.gov.fz")
    store_poll_result(db, key, Outcome.UNAVAILABLE, None, settings=SETTINGS, started_at=T0, http_status=404,
                      detail="HTTP 404")
    with db.session() as session:
        state = session.get(FeedState, key)
        outcome = session.execute(select(PollOutcome)).scalar_one()
    assert (outcome.outcome, outcome.http_status, outcome.detail) == ("unavailable", 404, "HTTP 404")
    assert state.next_poll_at is None and state.consecutive_failures == 0


def test_one_account_is_atomic_when_a_write_fails(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    key = add_account(db, "weibo:1003")
    store = Store(db, SETTINGS)

    def broken_state(*_args: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(store, "_store_states", broken_state)
    result = PollResult(key, Outcome.OK, T0, parsed=ParsedFeed("rss", [post("a"), post("b")], Profile("x")))
    with pytest.raises(RuntimeError):
        store.store([result])
    assert posts_of(db, key) == [] and count(db, ProfileSnapshot) == 0 and count(db, PollOutcome) == 0


def test_overlong_ids_are_hashed_stably(db: Database) -> None:
    key = add_account(db, "other:long")
    long_id = "https://example.gov.cn/" + "x" * 400
    for _ in range(2):
        store_poll_result(db, key, Outcome.OK, ParsedFeed("rss", [post(long_id)]), settings=SETTINGS)
    [row] = posts_of(db, key)
    assert row.post_id.startswith("sha1:") and len(row.post_id) <= 256


def test_profile_without_any_value_is_not_a_snapshot(db: Database) -> None:
    key = add_account(db, "douyin:1")
    store_poll_result(db, key, Outcome.OK, ParsedFeed("douyin", [], Profile()), settings=SETTINGS)
    assert count(db, ProfileSnapshot) == 0

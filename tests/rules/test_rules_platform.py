"""Platform and inspector rules: comments_disabled, app_unavailable, fake_engagement,
feed_unreachable; observations against source flags, the later one winning."""

from __future__ import annotations

from datetime import timedelta

from tests.rules.rules_helpers import T, add_poll, add_posts, add_profile, before, fired, registry, rules_of
from tracker.domain.models import Post
from tracker.judging.observations import record_observation
from tracker.judging.run import evaluate
from tracker.rules.evidence import when
from tracker.settings import load_settings


def observe(db, account: str, kind: str, when) -> None:
    record_observation(db, account, kind, at=when, inspector="张三", note="人工检查")


def test_comments_disabled_latest_signal_wins(db, tmp_path) -> None:
    registry(db, tmp_path, "douyin:off", "douyin:on_again", "douyin:obs", "douyin:obs_then_post", "douyin:unknown")
    add_posts(db, "douyin:off", Post("a", before(5), comments_enabled=True), Post("b", before(2), comments_enabled=False))
    add_posts(db, "douyin:on_again", Post("a", before(5), comments_enabled=False), Post("b", before(2), comments_enabled=True),
              Post("c", before(1), comments_enabled=None))
    add_posts(db, "douyin:obs", Post("a", before(5), comments_enabled=True))
    observe(db, "douyin:obs", "comments_disabled", before(3))
    add_posts(db, "douyin:obs_then_post", Post("a", before(1), comments_enabled=True))
    observe(db, "douyin:obs_then_post", "comments_disabled", before(3))
    add_posts(db, "douyin:unknown", Post("a", before(1)))
    found = {f.account: f for f in evaluate(db, load_settings(), T) if f.rule == "comments_disabled"}
    assert set(found) == {"douyin:off", "douyin:obs"}
    assert found["douyin:off"].evidence["post_id"] == "b"
    assert found["douyin:obs"].evidence["inspector"] == "张三"
    observe(db, "douyin:obs", "comments_enabled", before(1))
    assert "comments_disabled" not in rules_of(db, "douyin:obs")
    assert "comments_disabled" in rules_of(db, "douyin:obs", before(2))  # the later observation is not seen yet


def test_app_unavailable_probe_or_observation(db, tmp_path) -> None:
    registry(db, tmp_path, "app:down", "app:up", "app:timeout", "app:obs", "weibo:x")
    add_poll(db, "app:down", before(2), "ok")
    add_poll(db, "app:down", before(1), "unavailable", http_status=404)
    add_poll(db, "app:up", before(2), "unavailable")
    add_poll(db, "app:up", before(1), "ok")
    add_poll(db, "app:timeout", before(2), "unavailable")
    add_poll(db, "app:timeout", before(1), "timeout")          # a failed probe says nothing about the app
    add_poll(db, "app:obs", before(2), "ok")
    observe(db, "app:obs", "app_unavailable", before(1))
    observe(db, "weibo:x", "app_unavailable", before(1))       # only platform app is judged
    found = {a for a, rule in fired(db) if rule == "app_unavailable"}
    assert found == {"app:down", "app:timeout", "app:obs"}
    observe(db, "app:obs", "app_available", before(0.5))
    assert "app_unavailable" not in rules_of(db, "app:obs")


def test_fake_engagement_jump_without_posts(db, tmp_path) -> None:
    registry(db, tmp_path, "weibo:jump", "weibo:explained", "weibo:slow", "weibo:limit", "weibo:apart", "weibo:obs",
             "weibo:noprofile")
    for account, before_count, after_count in [("jump", 1000, 1600), ("explained", 1000, 1600), ("slow", 1000, 1400),
                                               ("limit", 1000, 1500)]:
        add_profile(db, f"weibo:{account}", before(3), followers=before_count)
        add_profile(db, f"weibo:{account}", before(2), followers=after_count)
    add_posts(db, "weibo:explained", Post("viral", before(2.5)))
    add_profile(db, "weibo:apart", before(10), followers=1000)
    add_profile(db, "weibo:apart", before(2), followers=5000)   # eight days apart: not a daily jump
    observe(db, "weibo:obs", "fake_engagement", before(1))
    found = {f.account: f for f in evaluate(db, load_settings(), T) if f.rule == "fake_engagement"}
    assert set(found) == {"weibo:jump", "weibo:obs"}
    jump = found["weibo:jump"].evidence["jumps"][0]
    assert (jump["from"], jump["to"], jump["growth"]) == (1000, 1600, 0.6)
    assert "fake_engagement" not in rules_of(db, "weibo:jump", before(2) - timedelta(seconds=1))


def test_feed_unreachable_last_polls_all_failed(db, tmp_path) -> None:
    registry(db, tmp_path, "weibo:down", "weibo:recovered", "weibo:two", "weibo:nm")
    for hours, outcome in [(5, "ok"), (4, "timeout"), (3, "http_error"), (2, "blocked")]:
        add_poll(db, "weibo:down", before(hours=hours), outcome)
    for hours, outcome in [(5, "timeout"), (4, "timeout"), (3, "timeout"), (2, "ok")]:
        add_poll(db, "weibo:recovered", before(hours=hours), outcome)
    for hours, outcome in [(3, "timeout"), (2, "timeout")]:
        add_poll(db, "weibo:two", before(hours=hours), outcome)
    for hours, outcome in [(4, "timeout"), (3, "timeout"), (2, "not_modified")]:
        add_poll(db, "weibo:nm", before(hours=hours), outcome)
    found = {f.account: f for f in evaluate(db, load_settings(), T) if f.rule == "feed_unreachable"}
    assert set(found) == {"weibo:down"}
    assert found["weibo:down"].severity == "info"
    evidence = found["weibo:down"].evidence
    assert (evidence["failed_in_a_row"], evidence["last_poll"]["outcome"]) == (3, "blocked")
    assert evidence["last_success_at"] == when(before(hours=5))
    # as of three hours before T the recovered account had failed three times in a row
    assert "feed_unreachable" in rules_of(db, "weibo:recovered", before(hours=2.5))

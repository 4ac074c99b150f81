"""Update family (empty_shell, dormant, no_update, low_frequency): windows (T − d, T], at most
one finding per account, pinned posts at their own time, suspended accounts exempt."""

from __future__ import annotations

from datetime import date, timedelta

from tests.rules.rules_helpers import T, add_posts, before, daily_posts, fired, registry, rules_of
from tracker.domain.models import Post
from tracker.registry.service import file_event

UPDATE = {"empty_shell", "dormant", "no_update", "low_frequency"}


def update_rules(db, account: str, when=T) -> set[str]:
    return rules_of(db, account, when) & UPDATE


def test_empty_shell_after_grace_days_only(db, tmp_path) -> None:
    registry(db, tmp_path,
             {"account_id": "old", "opened_on": "2025-01-01"},
             {"account_id": "d31", "opened_on": "2026-08-30"},
             {"account_id": "d30", "opened_on": "2026-08-31"})
    assert update_rules(db, "weibo:old") == {"empty_shell"}
    assert update_rules(db, "weibo:d31") == {"empty_shell"}            # 31 days > 30
    # 30 days is within the grace: no empty shell, but still nothing posted in the window
    assert update_rules(db, "weibo:d30") == {"no_update"}


def test_dormant_boundary_post_exactly_days_before(db, tmp_path) -> None:
    registry(db, tmp_path, "weibo:at90", "weibo:in90")
    add_posts(db, "weibo:at90", ("p", before(90)))
    add_posts(db, "weibo:in90", ("p", before(90) + timedelta(microseconds=1)))
    assert update_rules(db, "weibo:at90") == {"dormant"}
    assert update_rules(db, "weibo:in90") == {"no_update"}


def test_no_update_boundary_post_exactly_window_before(db, tmp_path) -> None:
    registry(db, tmp_path, "weibo:at14", "weibo:in14", "weibo:ok")
    add_posts(db, "weibo:at14", ("p", before(14)))
    add_posts(db, "weibo:in14", ("p", before(14) + timedelta(seconds=1)))
    daily_posts(db, "weibo:ok", 20)
    assert update_rules(db, "weibo:at14") == {"no_update"}
    assert update_rules(db, "weibo:in14") == {"low_frequency"}
    assert update_rules(db, "weibo:ok") == set()


def test_low_frequency_counts_posts_in_half_open_window(db, tmp_path) -> None:
    registry(db, tmp_path, "weibo:three", "weibo:edge", "weibo:late")
    add_posts(db, "weibo:three", ("a", T), ("b", before(3)), ("c", before(7) + timedelta(seconds=1)))
    add_posts(db, "weibo:edge", ("a", T), ("b", before(3)), ("c", before(7)))  # exactly T − 7 d: outside
    add_posts(db, "weibo:late", ("a", before(1)), ("b", before(2)), ("c", T + timedelta(microseconds=1)))
    assert update_rules(db, "weibo:three") == set()
    assert update_rules(db, "weibo:edge") == {"low_frequency"}
    assert update_rules(db, "weibo:late") == {"low_frequency"}  # a post after T is not seen


def test_pinned_old_post_is_not_the_newest_and_reposts_count(db, tmp_path) -> None:
    registry(db, tmp_path, "weibo:pinned", "weibo:reposts")
    add_posts(db, "weibo:pinned", Post("top", before(200), is_pinned=True), Post("p", before(20)))
    add_posts(db, "weibo:reposts", *[Post(f"r{i}", before(i), is_repost=True) for i in range(3)])
    assert update_rules(db, "weibo:pinned") == {"no_update"}
    assert update_rules(db, "weibo:reposts") == set()
    findings = {f for f in fired(db) if f[0] == "weibo:pinned"}
    assert ("weibo:pinned", "dormant") not in findings


def test_update_family_gives_one_finding_in_order(db, tmp_path) -> None:
    registry(db, tmp_path, "weibo:old")
    add_posts(db, "weibo:old", ("p", before(400)))
    # dormant, no_update and low_frequency all apply; only the first is reported
    assert update_rules(db, "weibo:old") == {"dormant"}


def test_suspended_accounts_are_exempt_from_update_family_only(db, tmp_path) -> None:
    registry(db, tmp_path, "weibo:s")
    file_event(db, "suspend", "weibo:s", effective_on=date(2026, 9, 1), by="t")
    assert update_rules(db, "weibo:s") == set()
    assert "stopped_not_deregistered" in rules_of(db, "weibo:s")
    # before the suspension took effect the account was judged like any other
    assert update_rules(db, "weibo:s", before(40)) == {"empty_shell"}

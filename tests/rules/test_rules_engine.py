"""The engine: time travel (nothing after T changes a check at T), who is checked, the rule
registry, stored findings with first/last seen, and signals recomputed when the lists change."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from sqlalchemy import delete, select, update

from tests.rules.rules_helpers import T, add_poll, add_posts, add_profile, before, daily_posts, fired, registry
from tracker.domain.models import Post
from tracker.judging.observations import record_observation
from tracker.judging.run import evaluate, run_check
from tracker.judging.signals import refresh_signals
from tracker.registry.service import file_event
from tracker.rules.catalogue import UPDATE_ORDER, rules
from tracker.rules.signals import signal_config
from tracker.settings import load_settings
from tracker.storage.tables import CheckRun, FindingRow, ObservationRow, PollOutcome, PostRow, ProfileSnapshot

TEXTS = ["日常发布", "本账号停止更新", "台湾国", "电话13912345678", "https://item.jd.com/1", "迁移至新号"]


def test_every_rule_is_registered_with_its_config_and_source() -> None:
    specs = rules()
    config = load_settings().data["rules"]
    assert {spec.code for spec in specs} == set(config)
    assert [spec.code for spec in specs[:4]] == list(UPDATE_ORDER)
    for spec in specs:
        assert spec.name_zh and spec.name_en and spec.source
        assert config[spec.code]["severity"] in ("veto", "warning", "info")  # the config is the one place of severity
        assert spec.defaults is None  # a built-in's thresholds are in config/default.toml
        assert spec.config_section == f"rules.{spec.code}"
    assert next(s for s in specs if s.code == "no_update").source == "检查指标 一、单项否决 内容不更新"


@pytest.fixture
def scene(sqlite_db, tmp_path):
    """A small province with one account of every kind of trouble, as of T."""
    db = sqlite_db
    registry(db, tmp_path, "weibo:quiet", "weibo:busy", "douyin:c", "app:a", "weibo:prof",
             {"account_id": "new", "opened_on": "2026-09-25"})
    daily_posts(db, "weibo:busy", 10)
    add_posts(db, "weibo:quiet", ("q", before(20)))
    add_posts(db, "douyin:c", Post("c", before(1), comments_enabled=False, text="电话13912345678"))
    add_poll(db, "app:a", before(1), "unavailable")
    add_profile(db, "weibo:prof", before(3), display_name="别名", followers=100, verified=False)
    add_profile(db, "weibo:prof", before(2), followers=1000)
    return db


@hsettings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    posts=st.lists(st.tuples(
        st.sampled_from(["weibo:quiet", "weibo:busy", "douyin:c", "app:a", "weibo:prof", "weibo:new"]),
        st.timedeltas(min_value=timedelta(microseconds=1), max_value=timedelta(days=400)),
        st.sampled_from(TEXTS), st.booleans(), st.sampled_from([None, True, False]), st.booleans()),
        min_size=1, max_size=8),
    extras=st.booleans(),
)
def test_nothing_after_t_changes_the_check_at_t(scene, posts, extras) -> None:
    settings = load_settings()
    expected = evaluate(scene, settings, T)
    for index, (account, after, text, repost, comments, pinned) in enumerate(posts):
        add_posts(scene, account, Post(f"later{index}", T + after, text=text, is_repost=repost,
                                       comments_enabled=comments, is_pinned=pinned, is_ad=repost and pinned))
    if extras:
        add_profile(scene, "weibo:prof", T + timedelta(seconds=1), display_name="又一个名字", followers=100000)
        add_poll(scene, "app:a", T + timedelta(seconds=1), "ok")
        add_poll(scene, "weibo:busy", T + timedelta(seconds=1), "timeout")
        record_observation(scene, "douyin:c", "comments_enabled", at=T + timedelta(microseconds=1), inspector="x")
    try:
        assert evaluate(scene, settings, T) == expected
    finally:
        with scene.write() as session:
            session.execute(delete(PostRow).where(PostRow.published_at > T))
            session.execute(delete(ProfileSnapshot).where(ProfileSnapshot.taken_at > T))
            session.execute(delete(PollOutcome).where(PollOutcome.started_at > T))
            session.execute(delete(ObservationRow).where(ObservationRow.observed_at > T))


def test_deregistered_and_unopened_accounts_are_not_checked(db, tmp_path) -> None:
    registry(db, tmp_path, "weibo:gone", {"account_id": "later", "opened_on": "2026-10-01"},
             {"account_id": "dead", "status": "deregistered"})
    file_event(db, "close", "weibo:gone", effective_on=date(2026, 9, 30), notice_from=date(2026, 9, 1), by="t")
    found = fired(db)
    assert {a for a, _ in found} == set()
    assert {a for a, _ in fired(db, before(1))} == {"weibo:gone"}          # not closed yet the day before
    assert ("weibo:later", "empty_shell") not in fired(db, T + timedelta(days=10))
    assert ("weibo:later", "no_update") in fired(db, T + timedelta(days=10))  # opened, nothing posted


def test_region_and_accounts_limit_the_check(db, tmp_path) -> None:
    registry(db, tmp_path, {"account_id": "fz", "region": "福建省/福州市"}, {"account_id": "gl", "region": "福建省/福州市/鼓楼区"},
             {"account_id": "xm", "region": "福建省/厦门市"}, {"account_id": "p", "region": "福建省"})
    assert {a for a, _ in fired(db, region="福建省/福州市")} == {"weibo:fz", "weibo:gl"}
    assert {a for a, _ in fired(db, region="福建省")} == {"weibo:fz", "weibo:gl", "weibo:xm", "weibo:p"}
    assert {a for a, _ in fired(db, region="福建")} == set()
    assert {a for a, _ in fired(db, accounts=["weibo:xm"])} == {"weibo:xm"}


def test_findings_sorted_and_severity_from_config(db, tmp_path) -> None:
    user = tmp_path / "user.toml"
    user.write_text('[rules.empty_shell]\nseverity = "warning"\n[rules.duplicate_account]\nenabled = false\n')
    registry(db, tmp_path, "weibo:2", "weibo:1", "douyin:9")
    findings = evaluate(db, load_settings(user), T)
    assert [(f.account, f.rule) for f in findings] == [("douyin:9", "empty_shell"), ("weibo:1", "empty_shell"),
                                                        ("weibo:2", "empty_shell")]
    assert {f.severity for f in findings} == {"warning"}


def stored(db) -> dict:
    with db.session() as session:
        return {(r.account, r.rule): (r.first_seen_at, r.last_seen_at, r.active, r.resolved_at, r.evidence)
                for r in session.execute(select(FindingRow)).scalars()}


def test_run_check_keeps_first_and_last_seen_and_is_idempotent(db, tmp_path) -> None:
    settings = load_settings()
    registry(db, tmp_path, "weibo:a")
    add_posts(db, "weibo:a", ("p", before(20)))
    first = run_check(db, settings, before(2))
    assert [(f.account, f.rule) for f in first.findings] == [("weibo:a", "no_update")]
    once = stored(db)
    run_check(db, settings, before(2))
    assert stored(db) == once                                       # the same check changes nothing
    run_check(db, settings, T)
    row = stored(db)[("weibo:a", "no_update")]
    assert (row[0], row[1], row[2]) == (before(2), T, True)
    add_posts(db, "weibo:a", ("q", T - timedelta(hours=1)))
    later = T + timedelta(days=1)
    run_check(db, settings, later)
    row = stored(db)[("weibo:a", "no_update")]
    assert (row[2], row[3]) == (False, later)                       # resolved
    assert ("weibo:a", "low_frequency") in stored(db)
    snapshot = stored(db)
    run_check(db, settings, before(2))                              # an older check changes no current state
    assert stored(db) == snapshot
    with db.session() as session:
        assert len(session.execute(select(CheckRun)).scalars().all()) == 3


def test_signals_recomputed_when_lists_change(db, tmp_path) -> None:
    registry(db, tmp_path, "weibo:a")
    daily_posts(db, "weibo:a", 10)
    add_posts(db, "weibo:a", Post("shop", before(1), links=("https://shop.example-mall.com/x",)))
    user = tmp_path / "user.toml"
    user.write_text('[rules.ad_link]\ndomains = ["example-mall.com"]\n', encoding="utf-8")
    assert ("weibo:a", "ad_link") not in fired(db)
    assert ("weibo:a", "ad_link") in fired(db, settings=load_settings(user))
    with db.session() as session:
        versions = set(session.execute(select(PostRow.signals_version)).scalars())
    assert versions == {signal_config(load_settings(user)).version}
    with db.write() as session:  # a post stored without signals gets them too
        session.execute(update(PostRow).values(signals_version=None, sig_ad_domain=None))
    assert refresh_signals(db, load_settings()) == 11
    assert refresh_signals(db, load_settings()) == 0

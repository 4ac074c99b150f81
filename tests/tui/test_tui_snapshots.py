"""How the main screens look, in Chinese and English (`pytest --snapshot-update` after a
deliberate change; the SVGs live in tests/__snapshots__). Data and `at` are fixed."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.tui.test_tui_app import make_app, settle
from tests.tui.test_tui_sample import account_key, build_sample
from tracker.storage.db import Database

SIZE = (130, 40)


@pytest.fixture
def sample(sqlite_db: Database, tmp_path: Path) -> Database:
    build_sample(sqlite_db, tmp_path)
    return sqlite_db


def after(*keys: str):
    async def run_before(pilot) -> None:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

    return run_before


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_dashboard(snap_compare, sample: Database, lang: str) -> None:
    assert snap_compare(make_app(sample, lang), terminal_size=SIZE, run_before=after())


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_accounts(snap_compare, sample: Database, lang: str) -> None:
    assert snap_compare(make_app(sample, lang), terminal_size=SIZE, run_before=after("a"))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_findings(snap_compare, sample: Database, lang: str) -> None:
    assert snap_compare(make_app(sample, lang), terminal_size=SIZE, run_before=after("f"))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_reports(snap_compare, sample: Database, lang: str) -> None:
    assert snap_compare(make_app(sample, lang), terminal_size=SIZE, run_before=after("r"))


def test_help(snap_compare, sample: Database) -> None:
    assert snap_compare(make_app(sample), terminal_size=SIZE, run_before=after("question_mark"))


def test_rename_form_with_a_rejected_date(snap_compare, sample: Database) -> None:
    async def run_before(pilot) -> None:
        pilot.app.action_form("rename", account_key(3))
        await pilot.pause()
        await pilot.press(*"新名称", "tab", *"2026-02-30", "ctrl+s")
        await settle(pilot)

    assert snap_compare(make_app(sample), terminal_size=SIZE, run_before=run_before)


def add_snapshot_account(db: Database) -> str:
    """An account whose every row has a fixed time (imports record the real time of filing)."""
    from datetime import date, timedelta

    from tests.tui.test_tui_sample import AT
    from tracker.storage.tables import (
        Account,
        FilingEventRow,
        FindingRow,
        ObservationRow,
        PollOutcome,
        PostRow,
        ProfileSnapshot,
    )

    key = "weibo:5001234567"
    recorded = AT - timedelta(days=200)
    with db.write() as session:
        session.add(Account(account=key, platform="weibo", account_id="5001234567", account_name="鼓楼发布",
                            org_code="11350102MB0123456X", org_name="鼓楼区人民政府办公室", region="福建省/福州市/鼓楼区",
                            status="active", opened_on=date(2026, 1, 5)))
        session.add(FilingEventRow(account=key, kind="open", effective_on=date(2026, 1, 5), recorded_at=recorded,
                                   by="登记员", doc_no="鼓政办〔2026〕1号", payload={"account_name": "鼓楼新闻"}))
        session.add(FilingEventRow(account=key, kind="rename", effective_on=date(2026, 6, 1), recorded_at=AT - timedelta(days=90),
                                   by="登记员", approver="王主任", payload={"account_name": "鼓楼发布", "previous": "鼓楼新闻"}))
        for n in range(40):
            published = AT - timedelta(days=n * 2.5 + (n % 3), hours=n % 7)
            session.add(PostRow(account=key, post_id=f"m{n}", published_at=published, title=f"鼓楼区政务动态第{n}期",
                                first_seen_at=AT, is_repost=n % 5 == 0, is_pinned=n == 12, comments_enabled=None))
        session.add(FindingRow(account=key, rule="ad_link", severity="veto", source="检查指标",
                               evidence={"post_id": "m3", "url": "https://item.taobao.com/item.htm?id=1", "match": "taobao.com"},
                               first_seen_at=AT - timedelta(days=5), last_seen_at=AT, active=True))
        session.add(ObservationRow(account=key, kind="comments_enabled", observed_at=AT - timedelta(days=1),
                                   recorded_at=AT - timedelta(days=1), inspector="检查员乙", note="评论区正常"))
        session.add(ProfileSnapshot(account=key, taken_at=AT - timedelta(hours=3), display_name="鼓楼发布", verified=True,
                                    verified_reason="福州市鼓楼区人民政府办公室", followers=1_193_200))
        session.add(PollOutcome(account=key, started_at=AT - timedelta(hours=3), seconds=0.4, outcome="ok",
                                http_status=200, new_posts=2))
    return key


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_account_detail(snap_compare, sample: Database, lang: str) -> None:
    key = add_snapshot_account(sample)

    async def run_before(pilot) -> None:
        from tui.messages import AccountChosen

        await settle(pilot)
        pilot.app.post_message(AccountChosen(key))
        await settle(pilot)

    assert snap_compare(make_app(sample, lang), terminal_size=(130, 50), run_before=run_before)

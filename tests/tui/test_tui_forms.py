"""The filing and observation forms: required fields, rejected input with the CLI's very
message, and accepted filings that land in the registry."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from textual.widgets import Input, Select, Static
from typer.testing import CliRunner

from tests.tui.test_tui_app import SIZE, make_app, settle, text
from tests.tui.test_tui_sample import account_key, build_sample
from tracker.cli.main import app as cli_app
from tracker.domain.orgcode import make_org_code
from tracker.registry import service as registry
from tracker.storage.db import Database
from tracker.storage.tables import Account, ObservationRow
from tui.messages import AccountChosen
from tui.screens.detail import AccountDetailScreen
from tui.screens.forms import FilingForm, ObservationForm


@pytest.fixture
def sample(sqlite_db: Database, tmp_path: Path) -> Database:
    build_sample(sqlite_db, tmp_path)
    return sqlite_db


def cli_error(db: Database, *args: str) -> str:
    """What `tracker ARGS` prints on stderr for the same input (and it must refuse it)."""
    result = CliRunner().invoke(cli_app, ["--db", db.url, *args])
    assert result.exit_code == 2, result.output
    return result.stderr.strip()


def account_row(db: Database, key: str) -> Account:
    with db.session() as session:
        return session.execute(select(Account).where(Account.account == key)).scalar_one()


async def open_form(pilot, kind: str, account: str | None = None):
    pilot.app.action_form(kind, account)
    await pilot.pause()
    return pilot.app.screen


async def submit(pilot, form, **values: str) -> str:
    for name, value in values.items():
        form.query_one(f"#f-{name}", Input).value = value
    await pilot.press("ctrl+s")
    await settle(pilot)
    return text(form.query_one("#form-error", Static)) if form.is_attached else ""


async def test_rename_from_the_detail_screen_with_the_keyboard_only(sample: Database) -> None:
    app = make_app(sample)
    key = account_key(3)
    async with app.run_test(size=SIZE) as pilot:
        app.post_message(AccountChosen(key))
        await settle(pilot)
        assert isinstance(app.screen, AccountDetailScreen)
        await pilot.press("n")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, FilingForm) and form.query_one("#f-account", Input).value == key
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert text(form.query_one("#form-error", Static)) == "新名称 不能为空"
        await pilot.press(*"新名称号", "tab", *"2026-07-01", "tab", *"王主任", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, AccountDetailScreen)
        assert "新名称号" in text(app.screen.query_one("#info", Static))
    with sample.session() as session:
        events = registry.history(session, key)
    assert [(e.kind, str(e.effective_on), e.approver) for e in events][-1] == ("rename", "2026-07-01", "王主任")


async def test_rejected_dates_show_the_cli_message(sample: Database) -> None:
    key = account_key(3)
    expected = cli_error(sample, "file", "rename", key, "--name", "新名", "--effective", "2026-02-30")
    app = make_app(sample)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot, "rename", key)
        shown = await submit(pilot, form, name="新名", effective="2026-02-30")
        assert shown == expected and "2026-02-30" in shown
        assert isinstance(app.screen, FilingForm)  # the form stays open to be corrected
    assert account_row(sample, key).account_name == "测试账号003"


async def test_open_validates_the_org_code_like_the_cli_and_then_files(sample: Database) -> None:
    good = make_org_code("11350999000000001")
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    fields = dict(region="福建省/福州市/鼓楼区", org_name="鼓楼区测试局", account_name="鼓楼测试发布")
    expected = cli_error(sample, "file", "open", "weibo:new1", "--region", fields["region"], "--org-name",
                         fields["org_name"], "--org-code", bad, "--name", fields["account_name"])
    app = make_app(sample)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot, "open")
        assert await submit(pilot, form, account="weibo:new1", org_code="") == "地区（省/市/区县） 不能为空"
        assert await submit(pilot, form, org_code=bad, **fields) == expected
        assert "check character" in expected
        await submit(pilot, form, org_code=good.lower(), opened_on="2026-08-01", **fields)
        assert not isinstance(app.screen, FilingForm)
    row = account_row(sample, "weibo:new1")
    assert (row.org_code, row.region, str(row.opened_on)) == (good, "福建省/福州市/鼓楼区", "2026-08-01")


async def test_transfer_rejects_a_bad_region_then_moves_the_account(sample: Database) -> None:
    key = account_key(4)
    code = make_org_code("11350999000000002")
    expected = cli_error(sample, "file", "transfer", key, "--org-code", code, "--org-name", "新单位", "--region", "福建省//厦门市")
    app = make_app(sample, "en")
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot, "transfer", key)
        assert await submit(pilot, form, org_code=code, org_name="新单位", region="福建省//厦门市") == expected
        await submit(pilot, form, region="福建省/厦门市/湖里区")
        assert not isinstance(app.screen, FilingForm)
    row = account_row(sample, key)
    assert (row.org_name, row.region) == ("新单位", "福建省/厦门市/湖里区")


async def test_suspend_before_opening_is_refused_and_close_needs_a_notice(sample: Database) -> None:
    key = account_key(8)  # opened 2026-03-01
    expected = cli_error(sample, "file", "suspend", key, "--effective", "2026-01-15")
    app = make_app(sample)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot, "suspend", key)
        assert await submit(pilot, form, effective="2026-01-15") == expected
        await submit(pilot, form, effective="2026-08-01", doc="闽政办〔2026〕1号")
        assert account_row(sample, key).status == "suspended"
        form = await open_form(pilot, "close", key)
        assert await submit(pilot, form) == "注销公告开始日期 不能为空"
        await submit(pilot, form, notice_from="2026-08-05", effective="2026-09-01")
        assert not isinstance(app.screen, FilingForm)
    row = account_row(sample, key)
    assert (row.status, str(row.notice_from)) == ("deregistered", "2026-08-05")


async def test_observation_form_records_the_fact(sample: Database) -> None:
    key = account_key(9)
    app = make_app(sample, "en")
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot, "observe")
        assert isinstance(form, ObservationForm)
        assert await submit(pilot, form, account="weibo:nobody") == cli_error(sample, "observe", "weibo:nobody", "comments_disabled")
        bad_time = cli_error(sample, "observe", key, "comments_disabled", "--at", "yesterday")
        assert await submit(pilot, form, account=key, at="yesterday") == bad_time
        form.query_one("#f-fact", Select).value = "fake_engagement"
        await submit(pilot, form, account=key, at="2026-09-20T10:00", inspector="Inspector Li", note="followers x3")
        assert not isinstance(app.screen, ObservationForm)
    with sample.session() as session:
        rows = session.execute(select(ObservationRow).where(ObservationRow.account == key)).scalars().all()
    assert [(r.kind, r.inspector, r.note) for r in rows] == [("fake_engagement", "Inspector Li", "followers x3")]

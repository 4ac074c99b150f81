"""Issue 13, items 2, 13 and 15 in the TUI forms: control characters, ids and regions that cannot
be normalised, future openings and a notice after the closure are refused with the CLI's very
message; a full-width id is filed as its ASCII form."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from tests.registry.registry_helpers import dump
from tests.tui.test_tui_app import SIZE, make_app
from tests.tui.test_tui_forms import account_row, cli_error, open_form, submit
from tests.tui.test_tui_sample import account_key, build_sample
from tracker.domain.orgcode import make_org_code
from tracker.domain.times import local_date, now_utc
from tracker.storage.db import Database
from tui.screens.forms import FilingForm

CODE = make_org_code("11350999000000001")
OPEN = dict(region="福建省/福州市/鼓楼区", org_name="鼓楼区测试局", org_code=CODE, account_name="鼓楼测试发布", opened_on="2026-08-01")
TOMORROW = (local_date(now_utc()) + timedelta(days=1)).isoformat()


@pytest.fixture
def sample(sqlite_db: Database, tmp_path: Path) -> Database:
    build_sample(sqlite_db, tmp_path)
    return sqlite_db


def cli_open(db: Database, account: str, **overrides: str) -> str:
    values = {**OPEN, **overrides}
    return cli_error(db, "file", "open", account, "--region", values["region"], "--org-name", values["org_name"],
                     "--org-code", values["org_code"], "--name", values["account_name"], "--opened-on", values["opened_on"])


@pytest.mark.parametrize("account, field, value", [
    ("weibo:new1", "account_name", "坏\x1b[2J名"),
    ("weibo:new1", "org_name", "坏\x85名"),
    ("weibo:new1", "account_name", "坏\u202e名"),
    ("weibo:new1", "region", "福建省/福州市/../厦门市"),
    ("weibo:new1", "region", "福建省/./福州市"),
    ("weibo:new\u200b1", None, None),
    ("weibo:new1:2", None, None),
    ("weibo:a/../b", None, None),
    ("weibo:new1", "opened_on", "2099-01-01"),
    ("weibo:new1", "account_name", "名" * 257),
])
async def test_open_form_refuses_what_the_cli_refuses(sample: Database, account: str, field: str | None, value: str | None) -> None:
    overrides = {field: value} if field else {}
    expected = cli_open(sample, account, **overrides)
    before = dump(sample)
    app = make_app(sample)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot, "open")
        assert await submit(pilot, form, account=account, **{**OPEN, **overrides}) == expected
        assert isinstance(app.screen, FilingForm)  # stays open to be corrected
    assert dump(sample) == before


async def test_open_form_files_a_full_width_id_as_ascii(sample: Database) -> None:
    app = make_app(sample)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot, "open")
        await submit(pilot, form, account="weibo:ｎｅｗ１２３", **OPEN)
        assert not isinstance(app.screen, FilingForm)
    assert account_row(sample, "weibo:new123").account_name == "鼓楼测试发布"


async def test_rename_transfer_and_close_forms_refuse_bad_text_and_dates(sample: Database) -> None:
    key = account_key(3)
    before = dump(sample)
    rename = cli_error(sample, "file", "rename", key, "--name", "坏\x01名")
    transfer = cli_error(sample, "file", "transfer", key, "--org-code", CODE, "--org-name", "新单位", "--region", "福建省/福州市/../厦门市")
    close = cli_error(sample, "file", "close", key, "--notice-from", "2026-08-02", "--effective", "2026-08-01")
    close_future = cli_error(sample, "file", "close", key, "--notice-from", TOMORROW)
    app = make_app(sample)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot, "rename", key)
        assert await submit(pilot, form, name="坏\x01名") == rename and "control characters" in rename
        await pilot.press("escape")
        form = await open_form(pilot, "transfer", key)
        assert await submit(pilot, form, org_code=CODE, org_name="新单位", region="福建省/福州市/../厦门市") == transfer
        await pilot.press("escape")
        form = await open_form(pilot, "close", key)
        assert await submit(pilot, form, notice_from="2026-08-02", effective="2026-08-01") == close and "--notice-from" in close
        assert await submit(pilot, form, notice_from=TOMORROW, effective="") == close_future
    assert dump(sample) == before


async def test_open_form_refuses_a_feed_url_into_the_offices_deny_list(sample: Database, tmp_path: Path) -> None:
    """The office's own `[poll] deny_networks` binds the form as it binds `tracker file open`."""
    from tracker.settings import load_settings
    from tui.app import TrackerApp

    config = tmp_path / "deny.toml"
    config.write_text('[poll]\ndeny_networks = ["10.20.0.0/16"]\n', encoding="utf-8")
    before = dump(sample)
    app = TrackerApp(sample, load_settings(config), lang="zh")
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot, "open")
        message = await submit(pilot, form, account="weibo:deny1", **OPEN, feed_url="http://10.20.1.1/feed.xml")
        assert "10.20.1.1" in message and isinstance(app.screen, FilingForm)
    assert dump(sample) == before

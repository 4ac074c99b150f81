"""Search at a national registry's size (CONTRACT §9): `/` followed at once by an id or a name
loses no key, and a bare platform id finds its account first."""

from __future__ import annotations

import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert
from textual import events
from textual.widgets import DataTable, Input, Static

from tests.tui.test_tui_app import make_app, settle
from tracker.domain.orgcode import make_org_code
from tracker.read import accounts as views
from tracker.storage.db import Database
from tracker.storage.tables import Account
from tui.screens.accounts import SEARCH_DELAY, AccountsScreen

PLATFORMS = ("wechat", "weibo", "douyin", "toutiao", "kuaishou", "bilibili", "xiaohongshu", "app")
COUNT = 100_000


def key(i: int) -> str:
    return f"{PLATFORMS[i % 8]}:{i}"  # ids of every length, like Weibo uids: "54321" is part of "154321"


def build_registry(db: Database, count: int) -> None:
    """`count` accounts straight into the cached registry state (the UI reads only that)."""
    rows = [dict(account=key(i), platform=PLATFORMS[i % 8], account_id=str(i),
                 account_name=f"测试账号{i:06d}", org_code=make_org_code(f"11350{i // 8:012d}"), org_name=f"测试单位{i // 8:06d}",
                 region=f"福建省/第{i % 9 + 1}市", status="active", opened_on=date(2020, 1, 1) + timedelta(days=i % 2000),
                 version=1) for i in range(count)]
    with db.engine.begin() as connection:
        for start in range(0, len(rows), 10_000):
            connection.execute(insert(Account), rows[start:start + 10_000])


@pytest.fixture(scope="module")
def national(tmp_path_factory: pytest.TempPathFactory) -> Database:
    from tracker.storage.db import open_database

    path: Path = tmp_path_factory.mktemp("national") / "tracker.db"
    db = open_database(f"sqlite:///{path}")
    build_registry(db, COUNT)
    return db


def table_accounts(screen: AccountsScreen) -> list[str]:
    table = screen.query_one("#accounts", DataTable)
    return [str(table.get_row_at(i)[0]) for i in range(table.row_count)]


@pytest.mark.parametrize("typed", ["54321", key(54_321), "测试账号054321"])
async def test_keys_typed_right_after_slash_are_never_lost(national: Database, typed: str,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    page = views.account_page

    def slow_unfiltered(db, flt, **kwargs):
        if not flt.search:
            time.sleep(1.0)
        return page(db, flt, **kwargs)

    monkeypatch.setattr(views, "account_page", slow_unfiltered)
    app = make_app(national)
    async with app.run_test(size=(160, 48)) as pilot:
        # As a terminal delivers a burst: every key queued before the app handles the first, so the
        # accounts screen is still mounting (and its first page loading) when the id arrives.
        for name, character in [("slash", "/"), *((c, c) for c in typed)]:
            app.post_message(events.Key(name, character))
        await pilot.pause(SEARCH_DELAY * 2)  # the list reloads after a pause in typing
        await settle(pilot)
        assert isinstance(app.screen, AccountsScreen)
        assert app.screen.query_one("#search", Input).value == typed
        for _ in range(50):  # on a loaded machine the last search may still be on its way (up to 10 s)
            found = table_accounts(app.screen)
            if found and found[0] == key(54_321):
                break
            await pilot.pause(0.2)
            await settle(pilot)
        assert found and found[0] == key(54_321)
        info = str(app.screen.query_one("#page-info", Static).render())
        assert "2000" not in info  # not the unfiltered 100,000 accounts


async def test_a_bare_platform_id_finds_its_account_first(national: Database) -> None:
    app = make_app(national)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"10")
        await pilot.press("enter")
        await settle(pilot)
        found = table_accounts(app.screen)
        # "10" is also part of 100, 1010, 54310 …: the exact id comes first
        assert found[0] == key(10)

"""The dashboard's 临期 N beside 不合格 and 待核实, and `l` opening that list (the `tracker due` list)."""

from __future__ import annotations

from textual.widgets import DataTable

from tests.daily.test_due import setup
from tests.rules.rules_helpers import T
from tests.tui.test_tui_app import SIZE, settle
from tracker.settings import load_settings
from tracker.storage.db import open_database
from tui.app import TrackerApp
from tui.screens.detail import AccountDetailScreen
from tui.screens.due import DueScreen


async def test_the_dashboard_counts_due_accounts_and_opens_their_list(sqlite_url, tmp_path) -> None:
    setup(sqlite_url, tmp_path)  # weibo:4 (low_frequency), weibo:2 and weibo:1 due within 4 days of T
    db = open_database(sqlite_url)
    app = TrackerApp(db, load_settings(), lang="zh", at=T)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.screen.query_one("#due").value == "3"
        await pilot.press("l")
        await settle(pilot)
        assert isinstance(app.screen, DueScreen)
        table = app.screen.query_one("#due", DataTable)
        assert [row.value for row in table.rows] == ["weibo:4", "weibo:2", "weibo:1"]
        assert "临期账号 3 个" in str(app.screen.query_one("#due-title").render())
        table.focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, AccountDetailScreen) and app.screen.account == "weibo:4"
    db.dispose()

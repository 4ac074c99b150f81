"""Pilot tests of the terminal UI: navigation, search, filters, paging, detail, findings, the
command palette and the reports screen."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Select, Sparkline, Static, Tree
from textual.worker import WorkerCancelled

from tests.tui.test_tui_sample import AT, account_key, build_sample
from tracker.settings import load_settings
from tracker.storage.db import Database
from tui.app import TrackerApp
from tui.screens.accounts import AccountsScreen
from tui.screens.dashboard import DashboardScreen
from tui.screens.detail import AccountDetailScreen
from tui.screens.findings import FindingsScreen
from tui.screens.help import HelpScreen
from tui.screens.reports import ReportsScreen

SIZE = (140, 44)


@pytest.fixture
def sample(sqlite_db: Database, tmp_path: Path) -> Database:
    build_sample(sqlite_db, tmp_path)
    return sqlite_db


def make_app(db: Database, lang: str = "zh") -> TrackerApp:
    return TrackerApp(db, load_settings(), lang=lang, at=AT)


async def settle(pilot) -> None:
    """Let the workers finish and their results paint: until no worker has run for several
    rounds in a row (on a loaded machine a worker may start a moment after the screen mounts)."""
    quiet = 0
    for _ in range(200):
        try:
            await pilot.app.workers.wait_for_complete()
        except WorkerCancelled:  # an exclusive worker replaced by a newer one: a normal outcome
            pass
        await pilot.pause(0.01)
        busy = any(not worker.is_finished for worker in pilot.app.workers)
        quiet = 0 if busy else quiet + 1
        if quiet >= 5:
            return


def text(widget) -> str:
    return str(widget.render())


def rows(table: DataTable) -> list[list[str]]:
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]




async def test_dashboard_shows_totals_regions_findings_and_polls(sample: Database) -> None:
    app = make_app(sample)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DashboardScreen)
        assert screen.query_one("#running").value == "23"
        assert screen.query_one("#failed").value == "3"
        regions = rows(screen.query_one("#regions", DataTable))
        assert [row[0] for row in regions] == ["福建省", "福建省/福州市", "福建省/厦门市", "合计"]
        assert regions[-1][1:4] == ["23", "23", "3"]
        newest = rows(screen.query_one("#newest", DataTable))
        assert "测试账号000" in newest[0][1] and "内容不更新" in newest[0][2]
        poll = text(screen.query_one("#poll", Static))
        assert "失败中 4" in poll and "最近任务：poll 09-30 09:59 ok" in poll


async def test_keys_move_between_screens_and_q_quits(sample: Database) -> None:
    app = make_app(sample)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for key, screen_type in (("a", AccountsScreen), ("f", FindingsScreen), ("r", ReportsScreen), ("d", DashboardScreen)):
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, screen_type), key
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, DashboardScreen)
        await pilot.press("q")
    assert app.return_code == 0


async def test_slash_searches_and_enter_opens_the_account(sample: Database) -> None:
    app = make_app(sample)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        await settle(pilot)
        assert isinstance(app.screen, AccountsScreen) and app.focused is app.screen.query_one("#search", Input)
        await pilot.press(*"账号003", "enter")
        await settle(pilot)
        table = app.screen.query_one("#accounts", DataTable)
        assert [row[0] for row in rows(table)] == [account_key(3)]
        assert "共 1 个账号" in text(app.screen.query_one("#page-info", Static))
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, AccountDetailScreen) and app.screen.account == account_key(3)
        assert sum(app.screen.query_one("#weekly", Sparkline).data) == 13
        posts = rows(app.screen.query_one("#posts", DataTable))
        assert len(posts) == 13 and any("转发" in row[2] for row in posts)
        await pilot.press("escape")
        assert isinstance(app.screen, AccountsScreen)


async def test_filters_narrow_the_list(sample: Database) -> None:
    app = make_app(sample)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a")
        await settle(pilot)
        screen = app.screen
        screen.query_one("#platform", Select).value = "douyin"
        await settle(pilot)
        table = screen.query_one("#accounts", DataTable)
        assert table.row_count == 6 and all(row[2] == "抖音" for row in rows(table))
        screen.query_one("#platform", Select).clear()
        screen.query_one("#rule", Select).value = "no_update"
        await settle(pilot)
        assert sorted(row[0] for row in rows(table)) == sorted([account_key(0), account_key(5)])
        screen.query_one("#rule", Select).clear()
        screen.query_one("#region", Select).value = "福建省/厦门市"
        screen.query_one("#status", Select).value = "deregistered"
        await settle(pilot)
        assert [row[0] for row in rows(table)] == [account_key(23)]


async def test_pages_of_a_long_list(sqlite_db: Database, tmp_path: Path) -> None:
    build_sample(sqlite_db, tmp_path, count=230)
    app = make_app(sqlite_db, "en")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a")
        await settle(pilot)
        info = app.screen.query_one("#page-info", Static)
        assert "Page 1/5 · 230 accounts" in text(info)
        await pilot.press(*["right_square_bracket"] * 5)  # one more than there are pages
        await settle(pilot)
        assert "Page 5/5" in text(info) and app.screen.query_one("#accounts", DataTable).row_count == 30
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert "Page 4/5" in text(info)


async def test_findings_group_by_rule_or_region_and_jump_to_the_account(sample: Database) -> None:
    app = make_app(sample)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f")
        await settle(pilot)
        tree = app.screen.query_one(Tree)
        groups = [str(node.label) for node in tree.root.children]
        assert groups[0] == "内容不更新 (no_update)（2）" and len(groups) == 4
        await pilot.press("g")
        await settle(pilot)
        assert [str(node.label) for node in tree.root.children] == ["福建省（1）", "福建省/福州市（2）", "福建省/厦门市（2）"]
        assert "按地区分组" in text(app.screen.query_one("#grouping", Static))
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, AccountDetailScreen)
        assert app.screen.account == account_key(0)  # the first finding of the first region, 福建省 itself
        assert "内容不更新" in text(app.screen.query_one("#findings", Static))


async def test_command_palette_offers_every_action(sample: Database) -> None:
    app = make_app(sample, "en")
    async with app.run_test(size=SIZE) as pilot:
        titles = {command.title for command in app.get_system_commands(app.screen)}
        for expected in ("Dashboard", "Accounts", "Findings", "Inspections & reports", "Run the check now",
                         "Poll the due accounts now", "File: open an account", "File: rename an account",
                         "File: transfer an account", "File: suspend an account", "File: close an account",
                         "Record an observation", "Help", "Search", "Quit"):
            assert expected in titles
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"suspend")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "FilingForm" and app.screen.kind == "suspend"


async def test_reports_screen_runs_check_plans_and_exports(sample: Database, tmp_path: Path) -> None:
    app = make_app(sample, "en")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("r")
        await settle(pilot)
        screen = app.screen
        assert screen.query_one("#quarter", Input).value == "2026Q3"
        screen.query_one("#ratio", Input).value = "0.5"
        screen.query_one("#seed", Input).value = "7"
        screen.query_one("#do-plan").press()
        await settle(pilot)
        assert "Planned 2026Q3" in text(screen.query_one("#result", Static))
        assert screen.query_one("#inspections", DataTable).row_count == 1
        screen.query_one("#do-run").press()
        await settle(pilot)
        assert "2026Q3 inspection run" in text(screen.query_one("#result", Static))
        cases = rows(screen.query_one("#cases", DataTable))
        assert cases and all(case[0] == "2026Q3" and case[5] == "open" for case in cases)
        screen.query_one("#format", Select).value = "md"
        target = tmp_path / "tongbao.md"
        screen.query_one("#output", Input).value = str(target)
        screen.query_one("#do-export").press()
        await settle(pilot)
        assert f"Report written to {target}" in text(screen.query_one("#result", Static))
        assert target.read_text(encoding="utf-8").strip()
        screen.query_one("#do-check").press()
        await settle(pilot)
        assert "Check done: 23 accounts" in text(screen.query_one("#result", Static))
        screen.query_one("#quarter", Input).value = "2026Q9"
        screen.query_one("#do-plan").press()
        await settle(pilot)
        assert "not a quarter" in text(screen.query_one("#result", Static))


async def test_a_region_row_of_the_dashboard_lists_its_accounts(sample: Database) -> None:
    app = make_app(sample)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        regions = app.screen.query_one("#regions", DataTable)
        regions.focus()
        regions.move_cursor(row=1)  # 福建省/福州市 (350100, before 厦门市)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, AccountsScreen)
        assert app.screen.query_one("#region", Select).value == "福建省/福州市"
        table = app.screen.query_one("#accounts", DataTable)
        assert table.row_count == 6 and all(row[4] == "福建省/福州市/鼓楼区" for row in rows(table))


async def test_an_empty_registry_says_how_to_begin(sqlite_db: Database) -> None:
    app = make_app(sqlite_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.screen.query_one("#running").value == "0"
        assert "tracker registry import" in text(app.screen.query_one("#as-of", Static))
        await pilot.press("a")
        await settle(pilot)
        assert "没有符合条件的账号" in text(app.screen.query_one("#page-info", Static))


async def test_a_failing_query_is_reported_not_fatal(sample: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    from tracker.read import accounts as views
    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(views, "account_page", broken)
    app = make_app(sample)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, AccountsScreen)
        assert any("database went away" in str(n.message) for n in app._notifications)
        await pilot.press("d")
        await settle(pilot)
        assert app.screen.query_one("#running").value == "23"


async def test_letter_keys_still_navigate_from_the_reports_and_after_a_search(sample: Database) -> None:
    app = make_app(sample)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("r")
        await settle(pilot)
        assert not isinstance(app.focused, Input)
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, AccountsScreen)
        await pilot.press("slash", *"账号00", "escape", "f")
        await settle(pilot)
        assert isinstance(app.screen, FindingsScreen)


async def test_the_dashboard_paints_before_slow_counts_arrive(sample: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    from tracker.read import dashboard as queries
    release, counting = threading.Event(), queries.dashboard

    def slow_dashboard(*args, **kwargs):
        release.wait(10)
        return counting(*args, **kwargs)

    monkeypatch.setattr(queries, "dashboard", slow_dashboard)
    app = make_app(sample)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.2)
        assert isinstance(app.screen, DashboardScreen)  # on screen, keys work, counts pending
        assert app.screen.query_one("#running").value == "…"
        assert "正在统计" in text(app.screen.query_one("#as-of", Static))
        release.set()
        await settle(pilot)
        assert app.screen.query_one("#running").value == "23"

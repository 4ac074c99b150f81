"""待核实 in the terminal UI: a count on the dashboard, a filter (u) on the findings and the
accounts screens; an unverified account is never counted 不合格."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable, Select, Static, Tree

from tests.tui.test_tui_app import SIZE, make_app, rows, settle, text
from tests.tui.test_tui_sample import AT, account_key, build_sample
from tracker.storage.db import Database
from tracker.storage.tables import FindingRow

UNVERIFIED = (8, 9)


@pytest.fixture
def sample(sqlite_db: Database, tmp_path: Path) -> Database:
    build_sample(sqlite_db, tmp_path)
    with sqlite_db.write() as session:
        for index in UNVERIFIED:
            session.add(FindingRow(account=account_key(index), rule="unverified", severity="info",
                                   evidence={"would_fire": "no_update", "missing": "fetch_failing"},
                                   source="证据不足", first_seen_at=AT, last_seen_at=AT, active=True))
    return sqlite_db


async def test_the_dashboard_counts_unverified_apart_from_failed(sample: Database) -> None:
    app = make_app(sample)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.screen.query_one("#unverified").value == "2"
        assert app.screen.query_one("#failed").value == "3"  # as without them


async def test_the_findings_screen_filters_unverified(sample: Database) -> None:
    app = make_app(sample, "en")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f")
        await settle(pilot)
        tree = app.screen.query_one(Tree)
        assert len(tree.root.children) == 5
        await pilot.press("u")
        await settle(pilot)
        assert [str(node.label) for node in tree.root.children] == ["unverified (unverified) (2)"]
        leaves = [str(leaf.label) for leaf in tree.root.children[0].children]
        assert [leaf.split()[0] for leaf in leaves] == [account_key(i) for i in UNVERIFIED]
        assert "unverified only" in text(app.screen.query_one("#grouping", Static))
        await pilot.press("u")
        await settle(pilot)
        assert len(tree.root.children) == 5


async def test_the_accounts_screen_filters_unverified(sample: Database) -> None:
    app = make_app(sample)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a")
        await settle(pilot)
        table = app.screen.query_one("#accounts", DataTable)
        assert table.row_count > 2
        await pilot.press("u")
        await settle(pilot)
        assert sorted(row[0] for row in rows(table)) == sorted(account_key(i) for i in UNVERIFIED)
        assert all("待核实" in row[6] for row in rows(table))
        assert app.screen.query_one("#rule", Select).value == "unverified"
        await pilot.press("u")
        await settle(pilot)
        assert table.row_count > 2


async def test_the_reports_screen_exports_the_running_quarter_as_of_now_not_its_end(sample: Database,
                                                                                  tmp_path: Path) -> None:
    import json
    from datetime import UTC, datetime

    from textual.widgets import Input

    from tracker.settings import load_settings
    from tui.app import TrackerApp

    app = TrackerApp(sample, load_settings(), lang="en", at=datetime(2026, 8, 15, 2, 0, tzinfo=UTC))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("r")
        await settle(pilot)
        screen = app.screen
        assert screen.query_one("#quarter", Input).value == "2026Q3"
        screen.query_one("#format", Select).value = "json"
        target = tmp_path / "q3.json"
        screen.query_one("#output", Input).value = str(target)
        screen.query_one("#do-export").press()
        await settle(pilot)
        assert json.loads(target.read_text(encoding="utf-8"))["at"] == "2026-08-15T10:00:00+08:00"

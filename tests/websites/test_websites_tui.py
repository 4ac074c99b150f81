"""政府网站 in the TUI (CONTRACT §10): the platform filter 政府网站, the detail screen (7-day
availability sparkline, columns with their newest dates, marks present and missing, broken
links), and the dashboard counting websites apart from accounts; on the demo's province."""

from __future__ import annotations

import io

import pytest
from textual.widgets import DataTable, Select, Sparkline, Static

from tests.tui.test_tui_app import SIZE, rows, settle, text
from tracker.demo import websites
from tracker.demo.flow import build
from tracker.domain.times import local_date
from tracker.settings import load_settings
from tui.app import TrackerApp
from tui.screens.detail import AccountDetailScreen


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    site = build(60, load_settings(), tmp_path_factory.mktemp("demo"), out=io.StringIO())
    site.server.stop()
    return site


def _app(demo) -> TrackerApp:
    return TrackerApp(demo.db, load_settings(), lang="zh", at=demo.now)


async def test_dashboard_counts_websites_apart_and_the_filter_lists_them(demo) -> None:
    app = _app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        line = text(app.screen.query_one("#websites", Static))
        assert "政府网站：运行 9 个 · 检查 9 个 · 不合格 3 个" in line
        assert app.screen.query_one("#running").value == "58"  # accounts only
        await pilot.press("a")
        await settle(pilot)
        app.screen.query_one("#platform", Select).value = "website"
        await settle(pilot)
        listed = rows(app.screen.query_one("#accounts", DataTable))
        assert len(listed) == 9 and all(row[2] == "政府网站" for row in listed)


async def test_website_detail_shows_availability_columns_marks_and_broken_links(demo) -> None:
    by_case = {site.case: site.key for site in websites.generate(local_date(demo.now), 2026)}
    app = _app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(AccountDetailScreen(by_case["unreachable"]))
        await settle(pilot)
        spark = app.screen.query_one("#availability", Sparkline)
        assert len(spark.data) == 7 and sum(spark.data) == 20  # one failed probe in eight, over the week
        assert "失败 20 次" in text(app.screen.query_one("#availability-range", Static))
        columns = rows(app.screen.query_one("#columns", DataTable))
        assert {row[0] for row in columns} >= {"工作动态", "通知公告"} and all(row[2] != "—" for row in columns)
        await pilot.press("escape")
        app.push_screen(AccountDetailScreen(by_case["missing_marks"]))
        await settle(pilot)
        site = text(app.screen.query_one("#site", Static))
        assert "缺少：公安机关备案标识、联系方式" in site
        await pilot.press("escape")
        app.push_screen(AccountDetailScreen(by_case["broken_links"]))
        await settle(pilot)
        assert "gone0.html" in text(app.screen.query_one("#site", Static))

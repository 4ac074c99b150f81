"""The dashboard's pictures: 不合格率 of the last 8 quarters from stored checks and inspections
(a quarter the tool did not judge says so, it is not 0 %), and the rate per platform."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from tests.tui.test_tui_app import SIZE, make_app, settle, text
from tests.tui.test_tui_sample import AT, build_sample
from tracker.domain.models import Severity
from tracker.judging.inspections import plan_inspection, quarter_end, run_inspection
from tracker.judging.run import run_check
from tracker.read import dashboard as queries
from tracker.read.trends import last_quarters, quarter_rates
from tracker.settings import load_settings
from tracker.storage.db import Database
from tracker.storage.tables import CheckRun
from tui.widgets.bars import Bar, bar_text, render_bars


def vetoed(result) -> int:
    return len({f.account for f in result.findings if f.severity == Severity.VETO})


def test_last_quarters_run_back_across_years() -> None:
    assert last_quarters(AT, 8) == ["2024Q4", "2025Q1", "2025Q2", "2025Q3", "2025Q4", "2026Q1", "2026Q2", "2026Q3"]


def test_rates_come_from_the_newest_full_check_of_each_quarter(db: Database, tmp_path: Path) -> None:
    build_sample(db, tmp_path)
    settings = load_settings()
    march = quarter_end("2026Q1")
    run_check(db, settings, march - timedelta(days=20))
    q1 = run_check(db, settings, march)  # the newest run of 2026Q1 wins
    q3 = run_check(db, settings, AT)
    run_check(db, settings, AT - timedelta(days=1), region="福建省/厦门市")  # a region's check is not the quarter's
    rates = {rate.quarter: rate for rate in quarter_rates(db, AT)}
    assert list(rates) == last_quarters(AT, 8)
    assert (rates["2026Q1"].checked, rates["2026Q1"].failed, rates["2026Q1"].source) == (q1.accounts_checked, vetoed(q1), "check")
    assert rates["2026Q3"].failed == vetoed(q3) and rates["2026Q3"].checked == q3.accounts_checked
    assert rates["2026Q3"].fail_rate == round(100 * vetoed(q3) / q3.accounts_checked, 2)
    assert vetoed(q3) > 0
    assert rates["2026Q2"].fail_rate is None and rates["2026Q2"].source == ""  # nothing stored: no rate, not 0 %
    # re-checking the same T records the newest counts, not the first ones
    with db.session() as session:
        assert session.execute(select(func.count()).select_from(CheckRun).where(CheckRun.at == AT)).scalar_one() == 1


def test_an_inspection_of_the_quarter_is_its_rate(db: Database, tmp_path: Path) -> None:
    build_sample(db, tmp_path)
    settings = load_settings()
    run_check(db, settings, AT)
    plan = plan_inspection(db, "2026Q3", 0.5, seed=7, at=AT, now=AT)
    result = run_inspection(db, settings, "2026Q3", AT, now=AT)
    rate = quarter_rates(db, AT)[-1]
    assert rate.source == "inspection" and rate.checked == plan.sample_size == result.checked
    assert rate.failed == len(result.failed) and rate.checked < 23  # the sample, not every account


def test_bars_scale_to_the_largest_rate_and_say_when_there_is_no_data() -> None:
    assert bar_text(0.5, 4) == "██" and bar_text(1 / 32, 4) == "▏" and bar_text(0, 4) == ""
    out = render_bars([Bar("2026Q2", None, "无检查记录"), Bar("2026Q3", 20.0, "20.00%"), Bar("[b]x", 10.0, "10.00%")], 8).plain
    lines = out.splitlines()
    assert lines[0].startswith("2026Q2 ") and "无检查记录" in lines[0] and "█" not in lines[0]
    assert "████████ 20.00%" in lines[1] and "████     10.00%" in lines[2]
    assert lines[2].startswith("[b]x")  # labels are literal text, never markup


async def test_dashboard_draws_the_trend_and_the_platforms(db: Database, tmp_path: Path) -> None:
    build_sample(db, tmp_path)
    settings = load_settings()
    run_check(db, settings, quarter_end("2026Q1"))
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        trend = text(app.screen.query_one("#trend")).splitlines()
        assert len(trend) == 8 and trend[0].startswith("2024Q4") and "无检查记录" in trend[0]
        q1 = next(line for line in trend if line.startswith("2026Q1"))
        assert "无检查记录" not in q1 and "%（" in q1
        board = queries.dashboard(db, AT)  # the running quarter is the dashboard's own count
        assert trend[-1].startswith("2026Q3") and f"（{board.total.failed}/{board.total.checked}）" in trend[-1]
        platforms = text(app.screen.query_one("#by-platform")).splitlines()
        expected = {row.region for row in board.platforms if row.checked}
        assert len(platforms) == len(expected) and expected
        assert any(line.startswith("微博") for line in platforms) == ("weibo" in expected)

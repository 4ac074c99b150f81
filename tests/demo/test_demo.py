"""`tracker demo --no-tui`: a small province end to end (generate, serve on 127.0.0.1, import,
poll, check) and its printed summary; and the generator's promises."""

from __future__ import annotations

import json
import tempfile
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from tracker.cli.main import app
from tracker.demo.province import CASES, FORMATS, generate
from tracker.domain.orgcode import org_code_problem
from tracker.rules.catalogue import rules
from tracker.storage.db import open_database
from tracker.storage.tables import FindingRow

# Every rule of CONTRACT §6.2 has a planted case in the demo.
ALL_RULES = {spec.code for spec in rules()}


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    directory = tmp_path_factory.mktemp("demo")
    saved, tempfile.tempdir = tempfile.tempdir, str(directory)
    try:
        result = CliRunner().invoke(app, ["demo", "--no-tui", "--accounts", "90"])
    finally:
        tempfile.tempdir = saved
    assert result.exit_code == 0, result.output + (result.stderr or "")
    [database] = list(directory.glob("govmedia-demo-*/demo.db"))
    return result.stdout, database


def test_summary_prints_region_rows_totals_and_failed_accounts(demo_run: tuple[str, Path]) -> None:
    output, _ = demo_run
    lines = output.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("地区"))
    assert lines[header].split() == ["地区", "运行总数", "检查总数", "不合格数", "不合格率(%)"]
    assert lines[header + 1].split()[0] == "福建省"  # province-level units first
    total = next(line for line in lines if line.startswith("合计")).split()
    running, checked, failed = map(int, total[1:4])
    assert running == checked == 88  # two closed accounts are not running
    assert 0 < failed < running
    assert float(total[4]) == round(100 * failed / checked, 2)
    assert "不合格账号" in output and "empty_shell" in output


def test_every_rule_fires_on_its_planted_case(demo_run: tuple[str, Path]) -> None:
    _, database = demo_run
    db = open_database(f"sqlite:///{database}")
    with db.session() as session:
        fired = set(session.execute(select(FindingRow.rule).where(FindingRow.active.is_(True))).scalars())
    db.dispose()
    assert ALL_RULES - fired == set()


def test_generator_covers_every_platform_format_and_case_with_valid_codes() -> None:
    accounts = generate(320, date(2026, 9, 30))
    assert len(accounts) == 320 and len({a.key for a in accounts}) == 320
    assert {a.platform for a in accounts} == set(FORMATS)
    assert {a.fmt for a in accounts} == {fmt for formats in FORMATS.values() for fmt in formats}
    assert set(CASES) <= {a.case for a in accounts}
    assert all(org_code_problem(a.org_code) is None for a in accounts)
    regions = Counter(a.region.count("/") for a in accounts)
    assert regions[0] and regions[1] and regions[2]  # province, city and county units
    assert generate(320, date(2026, 9, 30)) == accounts  # reproducible


def test_small_and_large_provinces() -> None:
    small = generate(10, date(2026, 9, 30))
    assert len(small) == 10 and {a.case for a in small} <= set(CASES)
    large = generate(6000, date(2026, 9, 30))
    assert len({a.key for a in large}) == 6000
    assert len({a.org_code for a in large}) == len({(a.org_code, a.org_name) for a in large})  # a code names one unit
    pairs = Counter((a.org_code, a.platform) for a in large if a.case != "duplicate")
    assert max(pairs.values()) == 1  # no unplanted duplicate_account


def test_demo_refuses_a_province_out_of_range() -> None:
    result = CliRunner().invoke(app, ["demo", "--no-tui", "--accounts", "0"])
    assert result.exit_code == 2


def test_two_quiet_accounts_lapse_in_four_and_two_days(demo_run: tuple[str, Path]) -> None:
    """The demo shows 临期预警: one healthy account quiet since day 10 of the 14-day window, one
    since day 12, and no other account close to 内容不更新."""
    _, database = demo_run
    result = CliRunner().invoke(app, ["--db", f"sqlite:///{database}", "due", "--days", "4", "--format", "json"])
    assert result.exit_code == 0, result.output
    lapsing = [line for line in json.loads(result.stdout)["due"] if line["rule"] == "no_update"]
    assert sorted(round(line["days_left"]) for line in lapsing) == [2, 4]
    assert all(line["window_days"] == 14 for line in lapsing)

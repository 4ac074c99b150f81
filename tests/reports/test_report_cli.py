"""`tracker inspect plan|run`, `tracker report`, `tracker cases` through the command line."""

from __future__ import annotations

import json

import pytest
from docx import Document
from openpyxl import load_workbook

from tests.reports.province import Q3_FINDINGS, FakeRules, load_province


@pytest.fixture
def tracker(db, cli, tmp_path, monkeypatch):
    load_province(db, tmp_path)
    monkeypatch.setattr("tracker.judging.evaluate.rules_evaluate", lambda: FakeRules(Q3_FINDINGS))
    return cli


def test_plan_run_report_cases(tracker, tmp_path) -> None:
    plan = json.loads(tracker("inspect", "plan", "--quarter", "2026Q3", "--ratio", "100%", "--seed", "4",
                              "--format", "json").stdout)
    assert plan["sample_size"] == 8 and plan["seed"] == 4 and plan["ratio"] == 1.0
    assert {s["stratum"]: s["sampled"] for s in plan["strata"]}["福建省/福州市|wechat"] == 2
    run = json.loads(tracker("inspect", "run", "--quarter", "2026Q3", "--format", "json").stdout)
    assert run["checked"] == 8 and run["failed"] == 3 and run["cases_opened"] == 3
    assert run["at"] == "2026-09-30T23:59:59+08:00"
    report = json.loads(tracker("report", "--quarter", "2026Q3", "--format", "json").stdout)
    assert report["total"] == {"running": 8, "checked": 8, "failed": 3, "fail_rate": 37.5}
    assert report["rows"][0]["region"] == "福建省"
    cases = json.loads(tracker("cases", "--status", "overdue", "--at", "2026-10-11", "--format", "json").stdout)
    assert [c["account"] for c in cases] == ["douyin:fj3", "wechat:fz2", "weibo:xm1"]
    table = tracker("cases", "--at", "2026-10-05").stdout
    assert "厦门发布" in table and "整改期限" in table
    history = json.loads(tracker("inspect", "history", "--quarter", "2026Q3", "--format", "json").stdout)
    assert [(h["sample_size"], h["current"], h["at"]) for h in history] == [(8, True, "2026-09-30T23:59:59+08:00")]
    assert "2026Q3" in tracker("inspect", "history").stdout


def test_plan_table_output(tracker) -> None:
    out = tracker("inspect", "plan", "--quarter", "2026Q3", "--ratio", "0.5", "--seed", "3").stdout
    assert "福建省/福州市" in out and "抽查数" in out
    assert "2026Q3: 7 / 8 (ratio 0.5, seed 3)" in out
    # columns line up on screen: a Chinese character takes two cells (they misaligned by len())
    from tracker.domain.textwidth import display_width

    header, rule, *rows = out.splitlines()[:4]
    starts = [display_width(rule[:i]) for i, char in enumerate(rule) if char == "-" and (i == 0 or rule[i - 1] == " ")]
    assert header.startswith("地区") and len(starts) == 4
    for line in (header, *rows):
        cells = [display_width(line[:i]) for i, char in enumerate(line) if char != " " and (i == 0 or line[i - 1] == " ")]
        assert cells[-1] == starts[-1], line


def test_report_without_inspection_and_bare_date(tracker) -> None:
    report = json.loads(tracker("report", "--quarter", "2026Q3", "--at", "2026-09-15", "--region", "福建省/厦门市",
                                "--format", "json").stdout)
    assert report["at"] == "2026-09-15T23:59:59+08:00"
    assert report["rows"] == [{"region": "福建省/厦门市", "running": 2, "checked": 2, "failed": 1, "fail_rate": 50.0}]


def test_report_files(tracker, tmp_path) -> None:
    xlsx, docx, md = tmp_path / "q3.xlsx", tmp_path / "q3.docx", tmp_path / "q3.md"
    tracker("report", "--quarter", "2026Q3", "--format", "xlsx", "-o", str(xlsx))
    tracker("report", "--quarter", "2026Q3", "--format", "docx", "-o", str(docx))
    tracker("report", "--quarter", "2026Q3", "--format", "md", "-o", str(md))
    assert load_workbook(xlsx)["检查情况表"]["C6"].value == 8
    assert Document(str(docx)).tables[0].rows[-1].cells[4].text == "3"
    assert md.read_text(encoding="utf-8").startswith("# 关于2026年第三季度政务新媒体检查情况的通报")
    printed = tracker("report", "--quarter", "2026Q3", "--format", "md").stdout
    assert "| 合计 |" in printed


@pytest.mark.parametrize("args, message", [
    (["report", "--quarter", "2026Q3", "--format", "xlsx"], "-o FILE"),
    (["report", "--quarter", "2026Q3", "--format", "pdf"], "--format"),
    (["report", "--quarter", "2026Q5", "--format", "json"], "quarter"),
    (["report", "--quarter", "2026Q3", "--at", "yesterday", "--format", "json"], "ISO 8601"),
    (["inspect", "plan", "--quarter", "2026Q3", "--ratio", "2"], "--ratio"),
    (["inspect", "run", "--quarter", "2026Q2"], "no inspection planned"),
    (["cases", "--status", "late"], "--status"),
])
def test_bad_input_exits_2(tracker, args, message) -> None:
    result = tracker(*args, code=2)
    assert message in result.stderr and "Traceback" not in result.output


def test_report_to_unwritable_path(tracker, tmp_path) -> None:
    result = tracker("report", "--quarter", "2026Q3", "--format", "json", "-o", str(tmp_path / "no" / "r.json"),
                     code=2)
    assert "cannot write" in result.stderr


def test_with_the_real_rules(db, cli, tmp_path) -> None:
    """End to end on the rules engine: accounts without posts are 空壳; one posting daily passes."""
    from datetime import UTC, datetime, timedelta

    from tracker.storage.tables import PostRow

    load_province(db, tmp_path)
    with db.write() as session:
        for day in range(20):
            moment = datetime(2026, 9, 30, 2, tzinfo=UTC) - timedelta(days=day)
            session.add(PostRow(account="weibo:fj1", post_id=f"p{day}", published_at=moment, title="每日发布",
                                text="政务信息", first_seen_at=moment))
    def run(*args: str) -> dict:
        return json.loads(cli(*args).stdout)

    run("inspect", "plan", "--quarter", "2026Q3", "--ratio", "1", "--format", "json")
    assert run("inspect", "run", "--quarter", "2026Q3", "--format", "json")["failed"] == 7
    report = run("report", "--quarter", "2026Q3", "--format", "json")
    assert report["total"] == {"running": 8, "checked": 8, "failed": 7, "fail_rate": 87.5}
    assert "weibo:fj1" not in {entry["account"] for entry in report["failed_accounts"]}
    assert {tuple(entry["rules"]) for entry in report["failed_accounts"]} == {("empty_shell",)}
    assert len(run("cases", "--status", "open", "--at", "2026-10-01", "--format", "json")) == 7

"""Reports and 待核实 (CONTRACT §6.4, §7): unverified accounts are listed, never counted 不合格;
a previous quarter that was mostly unverified gives no comparison; T defaults to the end of the
quarter, or now while it runs."""

from __future__ import annotations

import json
from datetime import timedelta
from io import BytesIO
from pathlib import Path

from docx import Document
from openpyxl import load_workbook
from typer.testing import CliRunner

from tests.polling.feedserver import FeedServer, Route, feed_server  # noqa: F401 - the fixture
from tests.reports.province import ACCOUNTS, load_province
from tests.rules.rules_helpers import registry
from tracker.cli.main import app
from tracker.domain.models import Finding
from tracker.domain.times import now_utc, parse_at, quarter_bounds
from tracker.polling.poller import poll
from tracker.reports import report_format
from tracker.reports.builder import build_report
from tracker.settings import load_settings
from tracker.storage.db import Database

SETTINGS = load_settings()


def current_quarter() -> str:
    today = now_utc().date()
    return f"{today.year}Q{(today.month - 1) // 3 + 1}"


def run(db: Database, *args: str) -> str:
    result = CliRunner().invoke(app, ["--db", db.url, *args])
    assert result.exit_code == 0, (result.output, result.stderr)
    return result.stdout


def test_a_failing_feed_is_listed_unverified_and_not_failed_in_every_format(
        sqlite_db: Database, tmp_path: Path, feed_server: FeedServer) -> None:
    db = sqlite_db
    url = feed_server.add("/down.xml", Route(body=b"", status=503))
    registry(db, tmp_path, {"account_id": "down1", "account_name": "抓不到", "feed_url": url, "opened_on": "2024-01-01"},
             {"account_id": "shell1", "account_name": "空壳号", "opened_on": "2024-01-01",
              "org_code": "11350100MB1234567N"})
    for _ in range(3):
        poll(db, SETTINGS, ["weibo:down1"])
    quarter = current_quarter()
    report = json.loads(run(db, "report", "--quarter", quarter, "--format", "json"))
    assert [entry["account"] for entry in report["failed_accounts"]] == ["weibo:shell1"]  # no feed: fully seen
    assert report["total"]["failed"] == 1
    [entry] = report["unverified"]
    assert {key: entry[key] for key in ("account", "org_name", "account_name", "region")} == {
        "account": "weibo:down1", "org_name": "福州市人民政府办公厅", "account_name": "抓不到", "region": "福建省/福州市"}
    assert entry["evidence"]["would_fire"] == "empty_shell" and entry["evidence"]["last_outcome"] == "http_error"
    assert "weibo:down1" not in {p["account"] for p in report["problems"]}
    markdown = run(db, "report", "--quarter", quarter, "--format", "md")
    unverified = markdown.split("## 待核实政务新媒体名单", 1)[1]
    assert "| 1 | weibo:down1 | 福州市人民政府办公厅 | 抓不到 | 福建省/福州市 | 订阅源从未抓取成功（HTTP错误） |" in unverified
    workbook, document = tmp_path / "r.xlsx", tmp_path / "r.docx"
    run(db, "report", "--quarter", quarter, "--format", "xlsx", "-o", str(workbook))
    sheet = load_workbook(workbook)["待核实名单"]
    assert [cell.value for cell in sheet[3]] == [1, "weibo:down1", "福州市人民政府办公厅", "抓不到", "福建省/福州市",
                                                "订阅源从未抓取成功（HTTP错误）"]
    run(db, "report", "--quarter", quarter, "--format", "docx", "-o", str(document))
    docx = Document(str(document))
    text = "\n".join(p.text for p in docx.paragraphs)
    assert "1个政务新媒体因订阅源未能抓取或历史记录不足" in text and "待核实的政务新媒体名单" in text
    assert docx.tables[-1].rows[1].cells[1].text == "weibo:down1"


class ByQuarter:
    """`evaluate` whose canned findings depend on the quarter of `at`."""

    def __init__(self, findings: dict[str, list[Finding]]) -> None:
        self.findings = findings

    def __call__(self, db, settings, at, *, region=None, accounts=None) -> list[Finding]:
        for quarter, found in self.findings.items():
            first, last = quarter_bounds(quarter)
            if first <= (at + timedelta(hours=8)).date() <= last:
                return found
        return []


def _keys() -> list[str]:
    return [f"{platform}:{aid}" for _region, _org, platform, aid, _name, _opened in ACCOUNTS]


def test_no_comparison_with_a_quarter_that_was_mostly_unverified(sqlite_db: Database, tmp_path: Path) -> None:
    load_province(sqlite_db, tmp_path)
    keys = _keys()
    q2 = [Finding(key, "unverified", "info", {"missing": "history_short"}, "test") for key in keys]
    q3 = [Finding(keys[0], "no_update", "veto", {}, "test")]
    report = build_report(sqlite_db, SETTINGS, "2026Q3", evaluate=ByQuarter({"2026Q2": q2, "2026Q3": q3}))
    previous = report["previous"]
    assert (previous["comparable"], previous["change"], previous["unverified"]) == (False, None, 9)
    text = "\n".join(p.text for p in Document(BytesIO(report_format("docx").render(report))).paragraphs)
    assert "与2026年第二季度相比，无可比数据（该季度检查的9个政务新媒体中9个待核实" in text
    assert "百分点" not in text
    assert "无可比数据" in report_format("md").render(report)
    judged = build_report(sqlite_db, SETTINGS, "2026Q3", evaluate=ByQuarter({"2026Q2": q2[:4], "2026Q3": q3}))
    assert judged["previous"]["comparable"] and judged["previous"]["change"]["failed"] == 1
    text = "\n".join(p.text for p in Document(BytesIO(report_format("docx").render(judged))).paragraphs)
    assert "与2026年第二季度相比，不合格率上升12.50个百分点。" in text


def test_the_running_quarter_is_judged_now_never_at_its_end(sqlite_db: Database, tmp_path: Path) -> None:
    load_province(sqlite_db, tmp_path)
    quarter = current_quarter()
    before = now_utc()
    report = json.loads(run(sqlite_db, "report", "--quarter", quarter, "--format", "json"))
    at = parse_at(report["at"])
    assert before - timedelta(seconds=1) <= at <= now_utc()  # not the quarter's end, weeks ahead
    run(sqlite_db, "inspect", "plan", "--quarter", quarter, "--ratio", "100%")
    inspection = json.loads(run(sqlite_db, "inspect", "run", "--quarter", quarter, "--format", "json"))
    assert parse_at(inspection["at"]) <= now_utc()
    past = json.loads(run(sqlite_db, "report", "--quarter", "2026Q2", "--format", "json"))
    assert past["at"] == "2026-06-30T23:59:59+08:00"


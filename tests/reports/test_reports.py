from __future__ import annotations

import json
import zipfile
from datetime import UTC, datetime
from io import BytesIO

import pytest
from docx import Document
from openpyxl import load_workbook

from tests.reports.province import Q3_FINDINGS, FakeRules, load_province
from tracker.judging.inspections import plan_inspection, run_inspection
from tracker.reports import formats, report_format
from tracker.reports.builder import build_report
from tracker.settings import load_settings

SETTINGS = load_settings()
CONTRACT_KEYS = {"period", "at", "rows", "total", "failed_accounts", "problems"}


@pytest.fixture
def province(db, tmp_path):
    load_province(db, tmp_path)
    return db


def test_report_without_inspection_matches_hand_count(province) -> None:
    rules = FakeRules(Q3_FINDINGS)
    report = build_report(province, SETTINGS, "2026Q3", evaluate=rules)
    assert set(report) >= CONTRACT_KEYS
    assert report["period"] == "2026Q3"
    assert report["at"] == "2026-09-30T23:59:59+08:00"
    assert report["rows"] == [
        {"region": "福建省", "running": 3, "checked": 3, "failed": 1, "fail_rate": 33.33},
        {"region": "福建省/福州市", "running": 3, "checked": 3, "failed": 1, "fail_rate": 33.33},  # 350100
        {"region": "福建省/厦门市", "running": 2, "checked": 2, "failed": 1, "fail_rate": 50.0},   # 350200
    ]
    assert report["total"] == {"running": 8, "checked": 8, "failed": 3, "fail_rate": 37.5}
    assert report["failed_accounts"] == [
        {"account": "douyin:fj3", "org_name": "福建省文化和旅游厅", "account_name": "福建文旅",
         "region": "福建省", "rules": ["empty_shell"]},
        {"account": "wechat:fz2", "org_name": "鼓楼区人民政府办公室", "account_name": "鼓楼发布",
         "region": "福建省/福州市/鼓楼区", "rules": ["no_update"]},
        {"account": "weibo:xm1", "org_name": "厦门市人民政府办公厅", "account_name": "厦门发布",
         "region": "福建省/厦门市", "rules": ["ad_link", "no_update"]},
    ]
    assert report["problems"] == [
        {"account": "wechat:fz2", "rule": "low_frequency", "severity": "warning"},
        {"account": "weibo:fj1", "rule": "comments_disabled", "severity": "warning"},
    ]
    assert report["source"] == "evaluated"
    assert rules.calls[0]["at"] == datetime(2026, 9, 30, 15, 59, 59, 999999, tzinfo=UTC)


def test_breakdowns_by_platform_and_level(province) -> None:
    report = build_report(province, SETTINGS, "2026Q3", evaluate=FakeRules(Q3_FINDINGS))
    platforms = {row["platform"]: row for row in report["by_platform"]}
    assert platforms["douyin"] == {"platform": "douyin", "running": 1, "checked": 1, "failed": 1, "fail_rate": 100.0}
    assert platforms["weibo"]["running"] == 3 and platforms["weibo"]["failed"] == 1
    assert [row["level"] for row in report["by_level"]] == ["省级", "市级", "县级"]
    levels = {row["level"]: (row["running"], row["failed"]) for row in report["by_level"]}
    assert levels == {"省级": (3, 1), "市级": (2, 1), "县级": (3, 1)}


def test_previous_quarter_change(province) -> None:
    # Q2: the same accounts except xm3 still open (closed 2026-08-01) and with no findings at all.
    rules = FakeRules(Q3_FINDINGS)
    report = build_report(province, SETTINGS, "2026Q3", evaluate=rules)
    previous = report["previous"]
    assert previous["period"] == "2026Q2"
    assert previous["total"]["running"] == 9  # xm3 still running at the end of Q2
    assert previous["change"]["running"] == -1
    assert previous["change"]["failed"] == 3 - 4  # xm3's veto counted in Q2


def test_region_filter_and_at(province) -> None:
    report = build_report(province, SETTINGS, "2026Q4", region="福建省/福州市", evaluate=FakeRules({}))
    assert [row["region"] for row in report["rows"]] == ["福建省/福州市"]
    assert report["total"]["running"] == 4  # fz4 opened in Q4
    early = build_report(province, SETTINGS, "2026Q4", datetime(2026, 10, 5, tzinfo=UTC),
                         region="福建省/福州市", evaluate=FakeRules({}))
    assert early["total"]["running"] == 3 and early["at"] == "2026-10-05T08:00:00+08:00"


def test_report_uses_the_stored_inspection(province) -> None:
    plan = plan_inspection(province, "2026Q3", 0.5, seed=7)
    run_inspection(province, SETTINGS, "2026Q3", evaluate=FakeRules(Q3_FINDINGS))
    later_rules = FakeRules({})  # a report must not re-evaluate when the quarter has an inspection
    report = build_report(province, SETTINGS, "2026Q3", evaluate=later_rules, compare=False)
    assert later_rules.calls == []
    sampled = {key for keys in plan.strata.values() for key in keys}
    assert report["total"]["checked"] == len(sampled) == 7
    fz2_in = "wechat:fz2" in sampled
    assert report["rows"][1] == {"region": "福建省/福州市", "running": 3, "checked": 2,
                                 "failed": 1 if fz2_in else 0, "fail_rate": 50.0 if fz2_in else 0}
    assert report["source"] == "inspection" and report["inspection"]["seed"] == 7


def test_zero_checked_gives_zero_rate(db) -> None:
    report = build_report(db, SETTINGS, "2026Q3", evaluate=FakeRules({}), compare=False)
    assert report["rows"] == [] and report["total"] == {"running": 0, "checked": 0, "failed": 0, "fail_rate": 0}


def test_formats_registry() -> None:
    assert {"md", "json", "xlsx", "docx"} <= set(formats())
    assert report_format("xlsx").binary and not report_format("md").binary


def _q3(db) -> dict:
    return build_report(db, SETTINGS, "2026Q3", evaluate=FakeRules(Q3_FINDINGS))


def test_json_and_markdown(province) -> None:
    report = _q3(province)
    assert json.loads(report_format("json").render(report))["total"]["failed"] == 3
    text = report_format("md").render(report)
    assert "关于2026年第三季度政务新媒体检查情况的通报" in text
    assert "| 合计 |  | 8 | 8 | 3 | 37.5 |" in text
    assert "共检查政务新媒体8个" in text and "合格率62.5%" in text


def test_xlsx_structure_and_numbers(province) -> None:
    book = load_workbook(BytesIO(report_format("xlsx").render(_q3(province))))
    assert book.sheetnames[:3] == ["检查情况表", "不合格名单", "问题名单"]
    table = book["检查情况表"]
    assert [c.value for c in table[2]] == ["序号", "部门/地区", "运行政务新媒体总数(个)", "检查政务新媒体总数(个)",
                                          "不合格数(个)", "不合格率(%)"]
    assert [c.value for c in table[3]] == [1, "省直单位", 3, 3, 1, 33.33]
    assert [c.value for c in table[4]] == [2, "福州市", 3, 3, 1, 33.33]  # GB/T 2260 order: 350100 before 350200
    assert [c.value for c in table[5]] == [3, "厦门市", 2, 2, 1, 50]
    assert [c.value for c in table[6]] == ["合计", None, 8, 8, 3, 37.5]
    assert table.freeze_panes == "A3" and table["A2"].font.bold
    assert table.column_dimensions["B"].width >= 8
    failed = book["不合格名单"]
    assert [c.value for c in failed[2]] == ["序号", "地区", "主办单位", "账号名称", "平台", "问题"]
    assert [c.value for c in failed[5]][:5] == [3, "福建省/厦门市", "厦门市人民政府办公厅", "厦门发布", "微博"]
    assert failed.max_row == 5
    assert book["问题名单"].max_row == 4


def test_docx_structure_and_numbers(province) -> None:
    document = Document(BytesIO(report_format("docx").render(_q3(province))))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "关于2026年第三季度政务新媒体检查情况的通报" in text
    assert "共检查政务新媒体8个" in text and "3个政务新媒体不合格" in text and "合格率62.5%" in text
    table, failed, problems = document.tables
    assert [c.text for c in table.rows[-1].cells] == ["合计", "", "8", "8", "3", "37.50"]  # rates with two decimals
    assert [c.text for c in table.rows[1].cells][:3] == ["1", "省直单位", "3"]
    assert len(failed.rows) == 4 and failed.rows[1].cells[3].text == "福建文旅"
    assert len(problems.rows) == 3


def test_xlsx_has_a_chart_sheet_of_fail_rates_by_region_and_platform(province) -> None:
    data = report_format("xlsx").render(_q3(province))
    book = load_workbook(BytesIO(data))
    assert book.sheetnames[-1] == "图表"
    table = book["检查情况表"]
    assert table["F3"].number_format == "0.00" and table["F3"].alignment.horizontal == "right"
    with zipfile.ZipFile(BytesIO(data)) as archive:
        charts = sorted(name for name in archive.namelist() if name.startswith("xl/charts/chart"))
        xml = [archive.read(name).decode("utf-8") for name in charts]
    assert len(xml) == 2
    # by region: the three regions of the table (rows 3–5), not its 合计 row; by platform: its sheet
    assert "'检查情况表'!$F$3:$F$5" in xml[0] and "'检查情况表'!$B$3:$B$5" in xml[0] and "按地区" in xml[0]
    assert "'按平台统计'!$F$3" in xml[1] and "按平台" in xml[1]

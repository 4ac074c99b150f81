"""The report as a draft 通报 (DOCX): title, period, the summary in the seeds' wording, the
attachment table (seed 004) and the named lists (seed 001)."""

from __future__ import annotations

from datetime import date, datetime
from io import BytesIO

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from tracker.reports.labels import (
    FAILED_HEADER, PROBLEM_HEADER, TABLE_HEADER, failed_rows, problem_rows, quarter_title, report_title,
    rule_names, summary_sentence, table_rows,
)
from tracker.domain.times import quarter_bounds


def _cjk_font(style, name: str, size: int) -> None:
    style.font.name = name
    style.font.size = Pt(size)
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def _heading(document, text: str, size: int = 16, center: bool = True) -> None:
    paragraph = document.add_paragraph()
    run = paragraph.add_run(text)
    run.bold = True
    run.font.size = Pt(size)
    if center:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER


# Column widths (cm) on A4 with 2.5 cm margins: a narrow 序号, room for names and units.
_WIDTHS = {TABLE_HEADER: (1.3, 3.6, 2.8, 2.8, 2.3, 2.3), FAILED_HEADER: (1.3, 3.6, 4.2, 3.0, 1.7, 2.3)}


def _table(document, header: tuple, rows: list[tuple]) -> None:
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for cell, title in zip(table.rows[0].cells, header, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(title).bold = True
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = str(value)
    for column, width in zip(table.columns, _WIDTHS.get(header, ()), strict=False):
        for cell in column.cells:
            cell.width = Cm(width)
    if not rows:
        document.add_paragraph("无。")


def _day(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _moment(iso: str) -> str:
    """`2026-09-30T23:59:59+08:00` → 2026年9月30日 23:59 (Beijing time, as the report shows it)."""
    moment = datetime.fromisoformat(iso)
    return f"{_day(moment.date())} {moment:%H:%M}"


def render(report: dict) -> bytes:
    names = rule_names()
    year, number = quarter_title(report["period"])
    first, last = quarter_bounds(report["period"])
    document = Document()
    for section in document.sections:
        section.page_width, section.page_height = Cm(21), Cm(29.7)
        section.left_margin = section.right_margin = Cm(2.5)
    _cjk_font(document.styles["Normal"], "SimSun", 12)
    _heading(document, report_title(report["period"]), size=18)
    document.add_paragraph(
        f"检查期间:{_day(first)}至{_day(last)};检查时点:{_moment(report['at'])}"
        + (f";地区:{report['region']}" if report.get("region") else ""))
    _heading(document, "一、总体情况", size=14, center=False)
    sentence = summary_sentence(report)
    source = "按季度抽查" if report.get("source") == "inspection" else "全面检查"
    scope = report["region"].replace("/", "") if report.get("region") else "全省"
    document.add_paragraph(f"根据政务新媒体检查指标有关要求,对{scope}政府系统政务新媒体开展了{source}。{sentence}")
    previous = report.get("previous")
    if previous and previous["total"]["checked"]:
        change = previous["change"]["fail_rate"]
        trend = "上升" if change > 0 else "下降" if change < 0 else "持平"
        then_year, then_number = quarter_title(previous["period"])
        document.add_paragraph(f"与{then_year}年第{then_number}季度相比,不合格率{trend}"
                               + (f"{abs(change):.2f}个百分点。" if change else "。"))
    _heading(document, "二、存在问题", size=14, center=False)
    failed, problems = failed_rows(report, names), problem_rows(report, names)
    document.add_paragraph(
        f"检查发现{len(failed)}个政务新媒体不合格(见附件2),{len(problems)}个政务新媒体存在其他问题(见附件3)。"
        "请有关单位督促整改到位。")
    for index, (title, header, rows) in enumerate((
        (f"{year}年第{number}季度全省政务新媒体检查情况表", TABLE_HEADER, table_rows(report)),
        ("检查不合格的政务新媒体名单", FAILED_HEADER, failed),
        ("存在问题的政务新媒体名单", PROBLEM_HEADER, problems),
    ), 1):
        document.add_page_break()
        document.add_paragraph(f"附件{index}")
        _heading(document, title, size=14)
        _table(document, header, rows)
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()

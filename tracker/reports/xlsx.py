"""The report as an XLSX workbook: the attachment table of seed 004, the named list of 不合格
accounts of seed 001, the problem list, and the breakdowns; styled and ready to print."""

from __future__ import annotations

import math
from io import BytesIO

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from tracker.domain.text_out import printable, starts_formula
from tracker.reports.labels import (
    FAILED_HEADER,
    PROBLEM_HEADER,
    SITE_FAILED_HEADER,
    SITE_PROBLEM_HEADER,
    SITE_TABLE_HEADER,
    SITE_UNVERIFIED_HEADER,
    TABLE_HEADER,
    UNVERIFIED_HEADER,
    failed_rows,
    has_websites,
    platform_label,
    problem_rows,
    quarter_title,
    rule_names,
    site_failed_rows,
    site_problem_rows,
    site_unverified_rows,
    table_rows,
    unverified_rows,
)

_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_FONT = "SimSun"


def _display_width(value: object) -> int:
    """Columns fit CJK text: a wide character takes two columns."""
    return sum(2 if ord(char) > 0x2E80 else 1 for char in str(value))


def _append(sheet: Worksheet, values: list | tuple) -> None:
    """One row; every text is a text cell, never a formula. openpyxl makes any string starting
    with `=` a formula (so `=HYPERLINK(…)` from a name would run) and refuses control characters:
    the text is `printable`, its type forced to string, and a leading formula character gets
    Excel's quote prefix, so that editing the cell keeps it text."""
    row = sheet.max_row + 1 if sheet.max_row > 1 or sheet.cell(1, 1).value is not None else 1
    for column, value in enumerate(values, 1):
        cell = sheet.cell(row=row, column=column)
        if isinstance(value, str):
            text = printable(value)
            cell.value = text
            cell.data_type = "s"
            if starts_formula(text):
                cell.quotePrefix = True
        else:
            cell.value = value


def _sheet(book: Workbook, title: str, caption: str, header: tuple, rows: list[tuple]) -> Worksheet:
    sheet = book.create_sheet(title)
    _append(sheet, [caption])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    sheet["A1"].font = Font(name=_FONT, bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center", vertical="center")
    sheet.row_dimensions[1].height = 28
    _append(sheet, header)
    for row in rows:
        _append(sheet, row)
    for cell in sheet[2]:
        cell.font = Font(name=_FONT, bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for line in sheet.iter_rows(min_row=2, max_row=len(rows) + 2, max_col=len(header)):
        for cell in line:
            cell.border = _BORDER
            if cell.row > 2:
                cell.font = Font(name=_FONT, bold=line[0].value == "合计")
                number = isinstance(cell.value, (int, float)) and cell.column > 1
                cell.alignment = Alignment(vertical="center", wrap_text=True, horizontal="right" if number else
                                           "left" if isinstance(cell.value, str) and cell.column > 1 else "center")
                if isinstance(cell.value, float):
                    cell.number_format = "0.00"  # rates with two decimals
    for index, title_cell in enumerate(header, 1):
        widest = max([_display_width(title_cell) // 2 + 2] + [_display_width(r[index - 1]) + 2 for r in rows])
        sheet.column_dimensions[get_column_letter(index)].width = min(max(widest, 6), 50)
    # LibreOffice and Excel do not grow a row for wrapped text written by openpyxl
    lines = max(math.ceil(_display_width(title) / max(sheet.column_dimensions[get_column_letter(i)].width - 1, 1))
                for i, title in enumerate(header, 1))
    sheet.row_dimensions[2].height = 16 * max(lines, 1) + 4
    sheet.freeze_panes = "A3"  # caption and header stay visible
    sheet.print_title_rows = "1:2"
    sheet.page_setup.orientation = "landscape" if len(header) > 6 or sum(
        sheet.column_dimensions[get_column_letter(i)].width for i in range(1, len(header) + 1)) > 90 else "portrait"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    return sheet


def render(report: dict) -> bytes:
    names = rule_names()
    year, number = quarter_title(report["period"])
    period = f"{year}年第{number}季度"
    book = Workbook()
    book.remove(book.active)
    sites = has_websites(report)
    if sites:  # 附件1 政府网站, then 附件2 政务新媒体 (seed 004)
        _sheet(book, "附件1 政府网站", f"附件1 {period}政府网站检查情况表", SITE_TABLE_HEADER, table_rows(report["websites"]))
        _sheet(book, "不合格网站名单", f"{period}不合格网站名单", SITE_FAILED_HEADER, site_failed_rows(report, names))
        _sheet(book, "网站问题名单", f"{period}存在问题的政府网站名单（扣分指标）", SITE_PROBLEM_HEADER,
               site_problem_rows(report, names))
        if report["websites"]["unverified"]:
            _sheet(book, "待核实网站", f"{period}待核实的政府网站名单（不计入不合格）", SITE_UNVERIFIED_HEADER,
                   site_unverified_rows(report))
    _sheet(book, "检查情况表",
           f"{'附件2 ' if sites else ''}{period}政务新媒体检查情况表", TABLE_HEADER, table_rows(report))
    _sheet(book, "不合格名单", f"{period}检查不合格的政务新媒体名单", FAILED_HEADER, failed_rows(report, names))
    _sheet(book, "问题名单", f"{period}存在问题的政务新媒体名单", PROBLEM_HEADER, problem_rows(report, names))
    _sheet(book, "待核实名单", f"{period}待核实的政务新媒体名单（不计入不合格）", UNVERIFIED_HEADER,
           unverified_rows(report))
    breakdown_header = ("序号", "{}", "运行总数(个)", "检查总数(个)", "不合格数(个)", "不合格率(%)")
    for key, label, title in (("by_platform", "平台", "按平台"), ("by_level", "层级", "按层级")):
        rows = [(i, platform_label(r[key[3:]]) if key == "by_platform" else r["level"], r["running"], r["checked"],
                 r["failed"], r["fail_rate"]) for i, r in enumerate(report.get(key, []), 1)]
        header = tuple(h.format(label) for h in breakdown_header)
        _sheet(book, f"{title}统计", f"{period}政务新媒体检查情况({title})", header, rows)
    _charts(book, period)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _bar_chart(sheet: Worksheet, title: str, label_column: int, rows: int) -> BarChart:
    """不合格率 (the last column) per row of `sheet`, labelled by `label_column`."""
    chart = BarChart()
    chart.type, chart.style, chart.title = "col", 10, title
    chart.y_axis.title, chart.y_axis.numFmt = "不合格率(%)", "0.00"
    chart.legend = None
    chart.width, chart.height = 24, 11
    chart.add_data(Reference(sheet, min_col=sheet.max_column, min_row=2, max_row=rows + 2), titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=label_column, min_row=3, max_row=rows + 2))
    chart.dataLabels = DataLabelList(showVal=True, showSerName=False, showCatName=False, showLegendKey=False,
                                     showPercent=False)
    return chart


def _charts(book: Workbook, period: str) -> None:
    """A chart sheet: 不合格率 by region (the attachment table without its 合计 row), by platform."""
    sheet = book.create_sheet("图表")
    _append(sheet, [f"{period}政务新媒体不合格率"])
    sheet["A1"].font = Font(name=_FONT, bold=True, size=14)
    regions = book["检查情况表"].max_row - 3  # caption, header and 合计 are no regions
    if regions > 0:
        sheet.add_chart(_bar_chart(book["检查情况表"], "不合格率（按地区）", 2, regions), "A3")
    platforms = book["按平台统计"].max_row - 2
    if platforms > 0:
        sheet.add_chart(_bar_chart(book["按平台统计"], "不合格率（按平台）", 2, platforms), "A26")
    sheet.page_setup.orientation, sheet.page_setup.paperSize = "landscape", sheet.PAPERSIZE_A4

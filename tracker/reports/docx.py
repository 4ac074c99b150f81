"""The report as a 公文 (DOCX) laid out per GB/T 9704-2012 《党政机关公文格式》: A4, 版心
156 mm × 225 mm (margins top 37, bottom 35, left 28, right 26 mm), body 仿宋_GB2312 三号 in a
grid of 22 lines of 28 characters, title 方正小标宋简体 二号, first-level headings 黑体 and
second-level 楷体_GB2312, page numbers `— 1 —` in 宋体 四号 at the outer bottom corner, each
附件 on a new page. The content: title, 发文字号, 主送机关, the summary in the seeds' wording,
the problems, 附件说明, 署名 and 成文日期; the attachment table (seed 004) and the named lists
(seed 001). The office, 文号 and 主送 come from `report["document"]` (`[report]` in the config).
"""

from __future__ import annotations

from datetime import date, datetime
from io import BytesIO

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from tracker.domain.text_out import printable
from tracker.domain.times import quarter_bounds
from tracker.reports.labels import (
    FAILED_HEADER,
    PROBLEM_HEADER,
    SITE_FAILED_HEADER,
    SITE_PROBLEM_HEADER,
    SITE_TABLE_HEADER,
    SITE_UNVERIFIED_HEADER,
    TABLE_HEADER,
    UNVERIFIED_HEADER,
    comparison_sentence,
    failed_rows,
    has_websites,
    problem_rows,
    quarter_title,
    report_title,
    rule_names,
    site_failed_rows,
    site_problem_rows,
    site_summary_sentence,
    site_unverified_rows,
    summary_sentence,
    table_rows,
    unverified_rows,
)

BODY, TITLE, HEI, KAI, SONG = "仿宋_GB2312", "方正小标宋简体", "黑体", "楷体_GB2312", "宋体"
SAN_HAO, ER_HAO, SI_HAO, XIAO_SI = 16, 22, 14, 12  # 三号, 二号, 四号, 小四 in points
LINES, CHARS = 22, 28
TEXT_WIDTH_MM, TEXT_HEIGHT_MM = 210 - 28 - 26, 297 - 37 - 35
LINE_PITCH = Pt(TEXT_HEIGHT_MM / 25.4 * 72 / LINES)  # 28.95 pt: 22 lines fill the 225 mm 版心
NUMERIC_FROM = 2  # columns from the third on hold numbers (counts, rates): right-aligned


def _fonts(run, name: str, size: float, bold: bool = False) -> None:
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:eastAsia", "w:ascii", "w:hAnsi"):
        fonts.set(qn(attribute), name)


def _paragraph(document, text: str = "", *, font: str = BODY, size: float = SAN_HAO, bold: bool = False,
               align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent: bool = True):
    paragraph = document.add_paragraph()
    paragraph.alignment = align
    layout = paragraph.paragraph_format
    layout.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    layout.line_spacing = LINE_PITCH
    layout.space_before = layout.space_after = Pt(0)
    if indent:
        layout.first_line_indent = Pt(2 * size)  # 首行缩进二字
    if text:  # printable: python-docx refuses control characters, and names may hold them
        _fonts(paragraph.add_run(printable(text)), font, size, bold)
    return paragraph


CHAR_PITCH = TEXT_WIDTH_MM / 25.4 * 72 / CHARS  # 15.8 pt: 28 characters of 三号 fill the 156 mm line


def _grid(section) -> None:
    """22 lines a page: the body snaps to this line grid. The 28 characters a line come from a
    character spacing of −0.2 pt (`_body_style`), not from a character grid, which LibreOffice
    and Word read differently (LibreOffice spreads each character over two cells)."""
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        section._sectPr.append(grid)
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(round(LINE_PITCH.pt * 20)))


def _body_style(document) -> None:
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = BODY, Pt(SAN_HAO)
    properties = normal.element.get_or_add_rPr()
    properties.get_or_add_rFonts().set(qn("w:eastAsia"), BODY)
    spacing = OxmlElement("w:spacing")
    spacing.set(qn("w:val"), str(round((CHAR_PITCH - SAN_HAO) * 20)))  # twentieths of a point
    properties.append(spacing)


def _page_field(paragraph) -> None:
    """`— PAGE —` with a PAGE field between the dashes (一字线 on each side)."""
    _fonts(paragraph.add_run("— "), SONG, SI_HAO)
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        run = paragraph.add_run()
        _fonts(run, SONG, SI_HAO)
        if kind:
            mark = OxmlElement("w:fldChar")
            mark.set(qn("w:fldCharType"), kind)
            run._element.append(mark)
        elif text == " PAGE ":
            instruction = OxmlElement("w:instrText")
            instruction.set(qn("xml:space"), "preserve")
            instruction.text = text
            run._element.append(instruction)
        else:
            run.text = text
    _fonts(paragraph.add_run(" —"), SONG, SI_HAO)


def _page_numbers(document, section) -> None:
    """Odd pages: right, one character in; even pages: left, one character in (GB/T 9704 7.5)."""
    document.settings.odd_and_even_pages_header_footer = True
    section.footer_distance = Mm(21)  # the number's line about 7 mm under the 版心
    for footer, align in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT), (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
        footer.is_linked_to_previous = False
        paragraph = footer.paragraphs[0]
        paragraph.alignment = align
        if align == WD_ALIGN_PARAGRAPH.RIGHT:
            paragraph.paragraph_format.right_indent = Pt(SI_HAO)
        else:
            paragraph.paragraph_format.left_indent = Pt(SI_HAO)
        _page_field(paragraph)


def _page(section) -> None:
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    _grid(section)


def _repeat_header(row) -> None:
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


# Column widths (mm) within the 156 mm 版心: a narrow 序号, room for names and units.
_WIDTHS = {TABLE_HEADER: (12, 40, 27, 27, 24, 26), FAILED_HEADER: (12, 36, 42, 32, 14, 20),
           UNVERIFIED_HEADER: (10, 34, 34, 28, 24, 26)}


def _off_grid(paragraph) -> None:
    """Table text (小四) keeps its own size and spacing: the body's 28-character grid would
    stretch every character to a 三号 cell of it."""
    snap = OxmlElement("w:snapToGrid")
    snap.set(qn("w:val"), "0")
    paragraph._p.get_or_add_pPr().append(snap)


def _cell(cell, text: str, *, font: str = BODY, bold: bool = False, align=WD_ALIGN_PARAGRAPH.CENTER) -> None:
    cell.text = ""
    paragraph = cell.paragraphs[0]
    paragraph.alignment = align
    paragraph.paragraph_format.first_line_indent = Pt(0)
    paragraph.paragraph_format.space_before = paragraph.paragraph_format.space_after = Pt(0)
    _off_grid(paragraph)
    _fonts(paragraph.add_run(printable(text)), font, XIAO_SI, bold)


def _number(value) -> str:
    return f"{value:.2f}" if isinstance(value, float) else str(value)


def _table(document, header: tuple, rows: list[tuple], numeric: bool) -> None:
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"  # single borders on every cell
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for cell, title in zip(table.rows[0].cells, header, strict=True):
        _cell(cell, title, font=HEI)
    _repeat_header(table.rows[0])
    for row in rows:
        for column, (cell, value) in enumerate(zip(table.add_row().cells, row, strict=True)):
            right = numeric and column >= NUMERIC_FROM
            _cell(cell, _number(value), align=WD_ALIGN_PARAGRAPH.RIGHT if right else
                  WD_ALIGN_PARAGRAPH.CENTER if column == 0 else WD_ALIGN_PARAGRAPH.LEFT)
    for column, width in zip(table.columns, _WIDTHS.get(header, ()), strict=False):
        column.width = Mm(width)  # the table grid, which LibreOffice reads
        for cell in column.cells:
            cell.width = Mm(width)  # the cells, which Word reads
    if not rows:
        _paragraph(document, "无。")


def _day(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"  # 成文日期 in Arabic numerals (GB/T 9704 7.3.5.4)


def _moment(iso: str) -> str:
    """`2026-09-30T23:59:59+08:00` → 2026年9月30日 23:59 (Beijing time, as the report shows it)."""
    moment = datetime.fromisoformat(iso)
    return f"{_day(moment.date())} {moment:%H:%M}"


def _head(document, report: dict, meta: dict) -> None:
    _paragraph(document)  # a blank line above the title, as under a 版头
    _paragraph(document, report_title(report["period"], has_websites(report)), font=TITLE, size=ER_HAO, align=WD_ALIGN_PARAGRAPH.CENTER,
               indent=False)
    if meta.get("doc_no"):
        _paragraph(document, meta["doc_no"], align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    _paragraph(document)
    if meta.get("recipients"):
        _paragraph(document, f"{meta['recipients']}：", indent=False)


def _body(document, report: dict, failed: list, problems: list, shift: int = 0) -> None:
    first, last = quarter_bounds(report["period"])
    source = "按季度抽查" if report.get("source") == "inspection" else "全面检查"
    scope = report["region"].replace("/", "") if report.get("region") else "全省"
    _paragraph(document, f"根据政务新媒体检查指标有关要求，对{scope}政府系统政务新媒体开展了{source}"
                         f"（检查期间{_day(first)}至{_day(last)}，检查时点{_moment(report['at'])}）。现将有关情况通报如下。")
    _paragraph(document, "一、总体情况", font=HEI)
    if shift:
        sites = report["websites"]
        _paragraph(document, site_summary_sentence(report).replace(",", "，").replace("(", "（").replace(")", "）")
                   + (f"{len(sites['failed_accounts'])}个政府网站存在单项否决问题，" if sites["failed_accounts"] else "")
                   + "详见附件1。")
    _paragraph(document, summary_sentence(report).replace(",", "，").replace("(", "（").replace(")", "）"))
    comparison = comparison_sentence(report)
    if comparison:
        _paragraph(document, comparison)
    _paragraph(document, "二、存在问题", font=HEI)
    _paragraph(document, "（一）不合格政务新媒体。", font=KAI)
    _paragraph(document, f"检查发现{len(failed)}个政务新媒体存在单项否决问题，判定为不合格（见附件{2 + shift}）。"
               if failed else "本次检查未发现不合格政务新媒体。")
    _paragraph(document, "（二）其他问题。", font=KAI)
    _paragraph(document, f"{len(problems)}个政务新媒体存在其他问题（见附件{3 + shift}）。" if problems else "未发现其他问题。")
    unverified = report.get("unverified") or ()
    if unverified:
        _paragraph(document, "（三）待核实政务新媒体。", font=KAI)
        _paragraph(document, f"{len(unverified)}个政务新媒体因订阅源未能抓取或历史记录不足，更新情况无法核实，"
                             "不计入不合格，请有关单位核实（见附件{4 + shift}）。")
    _paragraph(document, "三、工作要求", font=HEI)
    _paragraph(document, "请有关单位对照问题清单，于整改期限内整改到位，并将整改情况报送本单位。")


def _closing(document, titles: list[str], meta: dict) -> None:
    _paragraph(document)
    for index, title in enumerate(titles, 1):  # 附件说明: 正文下空一行, 左空二字
        label = "附件：" if index == 1 else "　　　"
        _paragraph(document, f"{label}{index}.{title}")
    _paragraph(document)
    _paragraph(document)
    right = WD_ALIGN_PARAGRAPH.RIGHT
    if meta.get("issuer"):
        signature = _paragraph(document, meta["issuer"], align=right, indent=False)
        signature.paragraph_format.right_indent = Pt(4 * SAN_HAO)
    dated = _paragraph(document, _day(date.fromisoformat(meta["date"])), align=right, indent=False)
    dated.paragraph_format.right_indent = Pt(4 * SAN_HAO)  # 成文日期 右空四字


def _attachments(document, attachments: list[tuple]) -> None:
    """One section per attachment: its title and table, then any further (subtitle, header, rows,
    numeric) tables of the same attachment (附件1 政府网站: the table and its named lists)."""
    for index, (title, header, rows, numeric, *more) in enumerate(attachments, 1):
        section = document.add_section(WD_SECTION.NEW_PAGE)
        _page(section)
        _paragraph(document, f"附件{index}", font=HEI, indent=False, align=WD_ALIGN_PARAGRAPH.LEFT)
        _paragraph(document)
        _paragraph(document, title, font=TITLE, size=18, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
        _paragraph(document)
        _table(document, header, rows, numeric)
        for subtitle, sub_header, sub_rows, sub_numeric in (more[0] if more else ()):
            _paragraph(document)
            _paragraph(document, subtitle, font=HEI, indent=False, align=WD_ALIGN_PARAGRAPH.LEFT)
            if sub_rows:
                _table(document, sub_header, sub_rows, sub_numeric)
            else:
                _paragraph(document, "无。", indent=False)


def render(report: dict) -> bytes:
    names = rule_names()
    year, number = quarter_title(report["period"])
    meta = report.get("document") or {"date": report["at"][:10]}
    document = Document()
    section = document.sections[0]
    _page(section)
    _page_numbers(document, section)
    _body_style(document)
    failed, problems = failed_rows(report, names), problem_rows(report, names)
    shift = 1 if has_websites(report) else 0
    attachments: list[tuple] = [(f"{year}年第{number}季度政府网站检查情况表", SITE_TABLE_HEADER,
                                 table_rows(report["websites"]), True,
                                 [("不合格网站名单", SITE_FAILED_HEADER, site_failed_rows(report, names), False),
                                  ("存在问题的政府网站名单（扣分指标）", SITE_PROBLEM_HEADER,
                                   site_problem_rows(report, names), False)]
                                 + ([("待核实的政府网站名单", SITE_UNVERIFIED_HEADER, site_unverified_rows(report), False)]
                                    if report["websites"]["unverified"] else []))] if shift else []
    attachments += [
        (f"{year}年第{number}季度政务新媒体检查情况表", TABLE_HEADER, table_rows(report), True),
        ("检查不合格的政务新媒体名单", FAILED_HEADER, failed, False),
        ("存在问题的政务新媒体名单", PROBLEM_HEADER, problems, False),
    ]
    if report.get("unverified"):
        attachments.append(("待核实的政务新媒体名单", UNVERIFIED_HEADER, unverified_rows(report), False))
    _head(document, report, meta)
    _body(document, report, failed, problems, shift)
    _closing(document, [title for title, *_ in attachments], meta)
    _attachments(document, attachments)
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()

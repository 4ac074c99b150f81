"""The docx 通报 is a 公文 laid out per GB/T 9704-2012: read back from its XML, and rendered by
LibreOffice where it is installed."""

from __future__ import annotations

import re
import shutil
import subprocess
from io import BytesIO
from pathlib import Path

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from tests.reports.province import Q3_FINDINGS, FakeRules, load_province
from tracker.reports import report_format
from tracker.reports.builder import build_report, document_meta
from tracker.settings import load_settings

SETTINGS = load_settings()


@pytest.fixture
def gongwen(sqlite_db, tmp_path: Path) -> Document:
    load_province(sqlite_db, tmp_path)
    report = build_report(sqlite_db, SETTINGS, "2026Q3", evaluate=FakeRules(Q3_FINDINGS))
    report["document"] = document_meta(SETTINGS, issuer="福建省人民政府办公厅", doc_no="闽政办〔2026〕12号",
                                       recipients="各设区市人民政府，平潭综合实验区管委会，省直各单位")
    report["document"]["date"] = "2026-10-09"
    return Document(BytesIO(report_format("docx").render(report)))


def _font(run) -> tuple[str | None, float | None]:
    fonts = run._element.rPr.rFonts
    return fonts.get(qn("w:eastAsia")), run.font.size.pt if run.font.size else None


def _paragraph(document, text: str):
    return next(p for p in document.paragraphs if p.text == text)


def test_page_is_a4_with_the_standard_margins_and_22_lines(gongwen) -> None:
    for section in gongwen.sections:
        measures = (section.page_width, section.page_height, section.top_margin, section.bottom_margin,
                    section.left_margin, section.right_margin)
        assert [round(length.mm) for length in measures] == [210, 297, 37, 35, 28, 26]
        grid = section._sectPr.find(qn("w:docGrid"))
        assert grid.get(qn("w:type")) == "lines" and round(225 / 25.4 * 72 / int(grid.get(qn("w:linePitch"))) * 20) == 22


def test_title_doc_number_recipients_and_body_fonts(gongwen) -> None:
    paragraphs = gongwen.paragraphs
    at = next(i for i, p in enumerate(paragraphs) if p.text == "关于2026年第三季度政务新媒体检查情况的通报")
    title, number = paragraphs[at], paragraphs[at + 1]
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER and _font(title.runs[0]) == ("方正小标宋简体", 22)
    assert number.text == "闽政办〔2026〕12号" and number.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert any(p.text == "各设区市人民政府，平潭综合实验区管委会，省直各单位：" for p in gongwen.paragraphs)
    assert _font(_paragraph(gongwen, "一、总体情况").runs[0]) == ("黑体", 16)
    assert _font(_paragraph(gongwen, "（一）不合格政务新媒体。").runs[0]) == ("楷体_GB2312", 16)
    body = next(p for p in gongwen.paragraphs if p.text.startswith("根据政务新媒体检查指标"))
    assert _font(body.runs[0]) == ("仿宋_GB2312", 16) and body.paragraph_format.first_line_indent == Pt(32)
    spacing = gongwen.styles["Normal"].element.rPr.find(qn("w:spacing"))
    assert int(spacing.get(qn("w:val"))) == -4  # 156 mm / 28 characters = 15.8 pt a character of 16 pt


def test_signature_and_date_close_the_body(gongwen) -> None:
    texts = [p.text for p in gongwen.paragraphs]
    signed = texts.index("福建省人民政府办公厅")
    assert texts[signed + 1] == "2026年10月9日"
    assert gongwen.paragraphs[signed + 1].alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert texts.index("附件：1.2026年第三季度政务新媒体检查情况表") < signed


def test_page_numbers_are_a_page_field_in_song_si_hao_at_the_outer_corner(gongwen) -> None:
    assert gongwen.settings.odd_and_even_pages_header_footer
    section = gongwen.sections[0]
    for footer, align in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT), (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
        paragraph = footer.paragraphs[0]
        assert paragraph.alignment == align
        xml = paragraph._p.xml
        assert "PAGE" in "".join(t.text for t in paragraph._p.iter(qn("w:instrText")))
        assert 'w:fldCharType="begin"' in xml and paragraph.text.startswith("— ") and paragraph.text.endswith(" —")
        assert all(_font(run) == ("宋体", 14) for run in paragraph.runs)


def test_each_attachment_on_its_own_page_with_bordered_tables(gongwen) -> None:
    assert len(gongwen.sections) == 4  # the body, then one section (a new page) per 附件
    labels = [p for p in gongwen.paragraphs if p.text in ("附件1", "附件2", "附件3")]
    assert [p.text for p in labels] == ["附件1", "附件2", "附件3"]
    assert all(_font(p.runs[0]) == ("黑体", 16) and p.alignment == WD_ALIGN_PARAGRAPH.LEFT for p in labels)
    table = gongwen.tables[0]
    assert table.style.name == "Table Grid"
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None  # repeated on every page
    total = table.rows[-1].cells
    assert [c.text for c in total] == ["合计", "", "8", "8", "3", "37.50"]
    assert all(c.paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT for c in total[2:])


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_renders_it(gongwen, tmp_path: Path) -> None:
    source = tmp_path / "report.docx"
    gongwen.save(source)
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
                   check=True, capture_output=True, timeout=180)
    pdf = (tmp_path / "report.pdf").read_bytes()
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
    assert pages == 5  # two pages of body, one per 附件 (the province's lists are short)

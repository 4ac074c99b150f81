"""The fast XML path and feedparser give identical output; hostile XML is refused on every path."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.base import Outcome, SourceError
from connectors.detect import parse_body
from connectors.fastxml import FastPathUnsupported
from connectors.rss import parse_with_fast_path, parse_with_feedparser, parse_xml_text
from connectors.xmlprep import decode_body
from connectors.xmlrepair import repair_liberal_xml

FEEDS = Path(__file__).resolve().parents[1] / "data" / "feeds"
FETCHED_AT = datetime(2026, 7, 1, 2, 0, tzinfo=UTC)
FAST_FILES = [
    "rsshub_weibo.xml", "rsshub_douyin.xml", "rsshub_bilibili_dynamic.xml", "rsshub_toutiao.xml",
    "wewe_rss_atom.xml", "generic_atom_xhtml.xml", "rdf_rss10.xml", "gb18030_rss.xml",
    "gbk_declared_gb2312_rss.xml", "rsshub_weibo_atom.xml",
]
# Files the fast path cannot read as served: after repair, or only through feedparser.
REPAIRED_FAST = ["liberal_entities_rss.xml"]
FEEDPARSER_ONLY = ["liberal_unescaped_lt_rss.xml", "atom03_feed.xml", "liberal_raw_html_rss.xml"]


def text_of(name: str) -> str:
    return decode_body((FEEDS / name).read_bytes())


@pytest.mark.parametrize("name", FAST_FILES)
def test_both_paths_identical_on_well_formed_files(name: str) -> None:
    text = text_of(name)
    fast, slow = parse_with_fast_path(text), parse_with_feedparser(text)
    assert fast.posts  # the comparison is not vacuous
    assert fast == slow
    assert parse_body((FEEDS / name).read_bytes(), fetched_at=FETCHED_AT) == fast


@pytest.mark.parametrize("name", REPAIRED_FAST)
def test_repaired_liberal_file_read_by_both_paths_alike(name: str) -> None:
    text = text_of(name)
    with pytest.raises(FastPathUnsupported):
        parse_with_fast_path(text)
    repaired = repair_liberal_xml(text)
    assert parse_with_fast_path(repaired) == parse_with_feedparser(repaired) == parse_xml_text(text)


@pytest.mark.parametrize("name", FEEDPARSER_ONLY)
def test_fallback_to_feedparser(name: str) -> None:
    text = repair_liberal_xml(text_of(name))
    with pytest.raises(FastPathUnsupported):
        parse_with_fast_path(text)
    assert parse_xml_text(text_of(name)) == parse_with_feedparser(text)


def test_wechat_urls_with_bare_ampersands_keep_their_ids() -> None:
    parsed = parse_xml_text(text_of("liberal_entities_rss.xml"))
    first = parsed.posts[0]
    expected = "https://mp.weixin.qq.com/s?__biz=MzA3MDAwMDAwMQ==&mid=2650000001&idx=1&sn=abcdef0123456789"
    assert first.post_id == expected and first.url == expected
    assert first.title == "市场监管提醒 夏季食品安全消费提示"  # &nbsp; became a space
    assert "—" in first.text  # &mdash;


@pytest.mark.parametrize("name", ["gb18030_rss.xml", "gbk_declared_gb2312_rss.xml"])
def test_chinese_encodings_decode_right(name: str) -> None:
    parsed = parse_body((FEEDS / name).read_bytes(), fetched_at=FETCHED_AT)
    assert parsed.posts[0].title == "县长朱喆主持召开县政府常务会议"  # 喆 is outside GB2312
    assert parsed.posts[1].title == "关于镕铸新时代县域发展新优势的意见"
    if name.startswith("gb18030"):
        assert "䶮字测试：𠮷野家" in parsed.posts[0].text  # four-byte GB18030 sequences


def test_http_charset_does_not_override_the_xml_declaration() -> None:
    body = (FEEDS / "gb18030_rss.xml").read_bytes()
    parsed = parse_body(body, fetched_at=FETCHED_AT, content_type="text/xml; charset=utf-8")
    assert parsed.posts[0].title == "县长朱喆主持召开县政府常务会议"


def test_http_charset_used_when_the_document_declares_none() -> None:
    text = text_of("gb18030_rss.xml").replace(' encoding="GB18030"', "")
    body = text.encode("gb18030")
    parsed = parse_body(body, fetched_at=FETCHED_AT, content_type="application/rss+xml; charset=GBK")
    assert parsed.posts[0].title == "县长朱喆主持召开县政府常务会议"


@pytest.mark.parametrize("name", ["billion_laughs.xml", "xxe_local_file.xml"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "gb18030"])
def test_entity_declarations_refused_in_any_encoding(name: str, encoding: str) -> None:
    text = (FEEDS / name).read_text("utf-8").replace('encoding="UTF-8"', f'encoding="{encoding}"')
    started = time.perf_counter()
    with pytest.raises(SourceError) as raised:
        parse_body(text.encode(encoding), fetched_at=FETCHED_AT)
    assert raised.value.outcome is Outcome.PARSE_ERROR
    assert "entit" in raised.value.detail
    assert time.perf_counter() - started < 1.0


@pytest.mark.parametrize("name", ["billion_laughs.xml", "xxe_local_file.xml"])
def test_no_path_expands_or_reads_entities_even_unguarded(name: str) -> None:
    """Defence in depth: each parser on its own, without the DOCTYPE guard in front."""
    text = text_of(name)
    with pytest.raises(FastPathUnsupported):
        parse_with_fast_path(text)
    seen = repr(parse_with_feedparser(text))
    secret = (FEEDS / "xxe_secret.txt").read_text().strip()
    assert secret not in seen
    assert "lollollol" not in seen
    hostname = Path("/etc/hostname").read_text().strip() if Path("/etc/hostname").exists() else ""
    if len(hostname) >= 8:  # too short a name could occur in the output by chance
        assert hostname not in seen


# Generated feeds: random CJK items in the shapes RSSHub and the bridges write.
_CJK = st.text(alphabet=st.sampled_from(list("政务公开福州发布通知转发评论微博抖音链接 ，。！“”")), min_size=1, max_size=30)
_URL = st.sampled_from(["https://item.taobao.com/item.htm?id=1", "https://www.gov.cn/a.htm",
                        "http://t.cn/A6abc", "https://weibo.com/1/Q1", "https://jd.com/x?a=1&b=2"])
_TIME = st.sampled_from(["Tue, 30 Jun 2026 09:30:00 GMT", "Tue, 30 Jun 2026 17:30:00 +0800",
                         "2026-06-30T09:30:00Z", "2026-06-30 17:30:00", "2026年6月30日 17:30", ""])
_HTML = st.lists(st.one_of(
    _CJK.map(lambda t: f"<p>{t}</p>"),
    st.tuples(_URL, _CJK).map(lambda p: f'<a href="{escape(p[0], {chr(34): "&quot;"})}">{p[1]}</a>'),
    _CJK.map(lambda t: f"<blockquote> - 转发 @{t}: 原文</blockquote>"),
    st.just("<br>"), st.just('<img alt="[赞]" src="https://face.example/z.png">'), _URL,
), max_size=6).map("".join)
# Titles with markup, entities, Latin-1 mojibake and cp1252 code points: the corners where
# feedparser post-processes text (HTML guessing for RSS titles, encoding repairs).
_TRICKY = st.lists(st.one_of(
    _CJK, st.sampled_from(["<b>公示</b>", "&lt;p&gt;段&lt;/p&gt;", "&amp;", "1 < 2", "a &amp;lt; b", "&#160;",
                           "Ã©", "é", "\x93引号\x94", "<br>", "&copy;", "&nosuch;", "</x>"]),
), min_size=1, max_size=4).map("".join)
_ITEM = st.fixed_dictionaries({
    "title": st.one_of(_CJK, _TRICKY), "html": _HTML, "link": st.one_of(st.none(), _URL), "time": _TIME,
    "guid": st.one_of(st.none(), _CJK, _URL), "permalink": st.booleans(), "cdata": st.booleans(),
    "extras": st.booleans(), "link2": st.one_of(st.none(), _URL),
})


def _rss(items: list[dict[str, object]]) -> str:
    parts = ['<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>某某的微博</title>']
    for item in items:
        html = str(item["html"])
        body = f"<![CDATA[{html}]]>" if item["cdata"] else escape(html)
        title = str(item["title"])
        title = f"<![CDATA[{title}]]>" if item["cdata"] else escape(title)
        parts.append(f"<item><title>{title}</title><description>{body}</description>")
        if item["link"]:
            parts.append(f"<link>{escape(str(item['link']))}</link>")
        if item["guid"]:
            permalink = "true" if item["permalink"] else "false"
            parts.append(f'<guid isPermaLink="{permalink}">{escape(str(item["guid"]))}</guid>')
        if item["time"]:
            parts.append(f"<pubDate>{item['time']}</pubDate>")
        if item["extras"]:  # what RSSHub adds around the fields we read
            parts.append('<author>福州发布</author><category>政务</category><enclosure url="https://x.example/a.jpg" type="image/jpeg"/>')
        parts.append("</item>")
    return "".join(parts) + "</channel></rss>"


def _atom(items: list[dict[str, object]]) -> str:
    parts = ['<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>x</title>']
    for item in items:
        parts.append(f"<entry><title type=\"html\">{escape(str(item['title']))}</title>")
        if item["guid"]:
            parts.append(f"<id>{escape(str(item['guid']))}</id>")
        if item["link"]:
            parts.append(f'<link href="{escape(str(item["link"]))}"/>')
        if item["link2"]:
            parts.append(f'<link rel="alternate" type="text/html" href="{escape(str(item["link2"]))}"/>')
        if item["time"]:
            parts.append(f"<updated>{item['time']}</updated>")
        if item["extras"]:  # RSSHub's Atom: published, author, category, content with src
            parts.append("<published>2026-06-30T08:00:00.000Z</published><author><name>某某</name></author>"
                         '<category term="政务"/><rsshub:upvotes xmlns:rsshub="http://rsshub.app/xml/schemas">3</rsshub:upvotes>')
        kind = "content" if item["cdata"] else "summary"
        src = ' src="https://x.example/p"' if item["extras"] and kind == "content" else ""
        parts.append(f'<{kind} type="html"{src}>{escape(str(item["html"]))}</{kind}></entry>')
    return "".join(parts) + "</feed>"


@settings(max_examples=150, deadline=None)
@given(items=st.lists(_ITEM, max_size=5), shape=st.sampled_from([_rss, _atom]))
def test_both_paths_identical_on_generated_feeds(items: list[dict[str, object]], shape) -> None:
    text = shape(items)
    assert parse_with_fast_path(text) == parse_with_feedparser(text)

"""Shared helpers of the parsers: HTML → text, links, feed times, format detection, block pages."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from connectors.blockpage import block_reason
from connectors.feedentry import RawEntry, entry_to_post, looks_like_repost
from connectors.feedtime import parse_feed_time
from connectors.htmltext import bare_urls, clean_links, html_text_and_hrefs, stable_id
from connectors.xmlprep import decode_body, root_tag


def test_html_to_text_drops_markup_scripts_and_keeps_paragraphs() -> None:
    text, hrefs = html_text_and_hrefs(
        '<p>第一段&nbsp;内容</p><script>alert("x")</script><style>p{}</style>'
        '<p>第二段 <a href="https://a.example/x?a=1&amp;b=2">链接</a><img alt="[赞]" src="z.png"></p>')
    assert text == "第一段 内容\n\n第二段 链接[赞]"
    assert hrefs == ["https://a.example/x?a=1&b=2"]


def test_bare_urls_stop_at_chinese_punctuation() -> None:
    assert bare_urls("详见https://www.gov.cn/a.htm，或 http://t.cn/A6x。还有 https://jd.com/1).") == [
        "https://www.gov.cn/a.htm", "http://t.cn/A6x", "https://jd.com/1"]


def test_clean_links_unwraps_weibo_redirector_and_drops_relative() -> None:
    assert clean_links([
        "https://weibo.cn/sinaurl?u=https%3A%2F%2Fitem.taobao.com%2Fitem.htm%3Fid%3D1",
        "/n/福州发布", "javascript:void(0)", "https://jd.com/1", "https://jd.com/1", None,
    ]) == ("https://item.taobao.com/item.htm?id=1", "https://jd.com/1")


def test_fallback_id_is_a_hash_of_link_and_title() -> None:
    post = entry_to_post(RawEntry(link="https://a.example/1", title="标题", content="正文"))
    assert post.post_id == stable_id("https://a.example/1", "标题")
    assert post.post_id.startswith("sha256:") and len(post.post_id) == 7 + 64
    assert stable_id("https://a.example/1", "标题2") != post.post_id


@pytest.mark.parametrize(("raw", "expected"), [
    ("Tue, 30 Jun 2026 09:30:00 GMT", "2026-06-30T09:30:00+00:00"),
    ("Tue, 30 Jun 2026 17:30:00 +0800", "2026-06-30T09:30:00+00:00"),
    ("Tue, 30 Jun 2026 17:30:00", "2026-06-30T09:30:00+00:00"),  # no zone: Asia/Shanghai
    ("2026-06-30T09:30:00Z", "2026-06-30T09:30:00+00:00"),
    ("2026-06-30T09:30:00.123Z", "2026-06-30T09:30:00.123000+00:00"),
    ("2026-06-30 17:30:00", "2026-06-30T09:30:00+00:00"),
    ("2026-06-30", "2026-06-29T16:00:00+00:00"),
    ("2026年6月30日 17:30", "2026-06-30T09:30:00+00:00"),
    ("2026/06/30 17:30:05", "2026-06-30T09:30:05+00:00"),
    ("1782811800", "2026-06-30T09:30:00+00:00"),
])
def test_feed_times_normalized_to_utc(raw: str, expected: str) -> None:
    parsed = parse_feed_time(raw)
    assert parsed == datetime.fromisoformat(expected)
    assert parsed.tzinfo is UTC


@pytest.mark.parametrize("raw", [None, "", "   ", "not a date", "刚刚"])
def test_unreadable_feed_time_is_none(raw: str | None) -> None:
    assert parse_feed_time(raw) is None


@pytest.mark.parametrize(("title", "html", "expected"), [
    ("转发微博 - 转发 @人民日报: 原文", "", True),
    ("x", "<blockquote> - 转发 <a href='https://weibo.com/1'>@人民日报</a>: 原文</blockquote>", True),
    ("转发动态", "一起看<br>//转发自: @央视新闻: 直播", True),
    ("好消息//@福建发布:转需", "", True),
    ("转发微博🔁 @人民日报: 原文", "", True),
    ("x", '<br><blockquote style="margin:0"><a href="https://weibo.com/2803301701">@人民日报</a>:&ensp;原文</blockquote>', True),
    ("x", "<blockquote>@全体市民：请注意防暑</blockquote>", False),
    ("欢迎大家转发！招聘会本周六举行", "<p>请转发扩散</p>", False),
    ("转发：关于开展检查的通知", "<p>转发省政府通知</p>", False),
])
def test_repost_markers(title: str, html: str, expected: bool) -> None:
    text, _ = html_text_and_hrefs(html)
    assert looks_like_repost(title, html, text) is expected


def test_decoding_prefers_bom_then_declaration() -> None:
    text = '<?xml version="1.0" encoding="gbk"?><rss/>'
    assert decode_body("<rss>中文</rss>".encode("utf-16")) == "<rss>中文</rss>"
    assert decode_body((text + "中文").encode("gbk"), "text/xml; charset=utf-8").endswith("中文")
    assert decode_body("<rss>中文</rss>".encode("gb18030")) == "<rss>中文</rss>"  # not UTF-8 → GB18030


@pytest.mark.parametrize(("text", "root"), [
    ('<?xml version="1.0"?>\n<!-- c --><!DOCTYPE rss SYSTEM "x.dtd"><rss version="2.0">', "rss"),
    ('<rdf:RDF xmlns:rdf="x">', "rdf:RDF"),
    ("\n\n<feed xmlns='http://www.w3.org/2005/Atom'>", "feed"),
    ("<!DOCTYPE html><html>", "html"),
    ("hello", None),
])
def test_root_tag(text: str, root: str | None) -> None:
    assert root_tag(text) == root


def test_block_page_reasons() -> None:
    assert block_reason("<html><title>Sina Visitor System</title></html>")
    assert block_reason("<html><h1>Looks like something went wrong</h1></html>")
    assert block_reason("<!DOCTYPE html><html><p>Error Message: 503</p></html>")
    assert block_reason("<html><p>请输入验证码</p></html>")
    assert block_reason("<html><p>请拖动滑块完成验证</p></html>")  # Toutiao/Douyin slider wall
    assert block_reason("<html><p>福州市人民政府</p></html>") is None


def test_utf8_bytes_declared_gb2312_still_decode_as_utf8() -> None:
    body = '<?xml version="1.0" encoding="gb2312"?><rss><title>福州发布</title></rss>'.encode()
    assert decode_body(body).endswith("<title>福州发布</title></rss>")


def test_http_charset_is_not_trusted_over_valid_utf8() -> None:
    assert decode_body("<rss>福州</rss>".encode(), "text/xml; charset=gbk") == "<rss>福州</rss>"


@pytest.mark.parametrize("unit", ["<a ", '<a href="x', "<!x", "<blockquote><a", "<![CDATA[", "<b"])
def test_hostile_markup_costs_linear_time(unit: str) -> None:
    """Unterminated tags by the hundred thousand: a backtracking tokenizer would take hours."""
    from connectors.detect import parse_body

    markup = unit * 100_000
    feed = ('<rss version="2.0"><channel><item><guid>x</guid><pubDate>Wed, 01 Jul 2026 08:00:00 +0800</pubDate>'
            f'<description><![CDATA[{markup.replace("]]>", "")}]]></description></item></channel></rss>')
    started = time.perf_counter()
    html_text_and_hrefs(markup)
    parse_body(feed.encode(), fetched_at=datetime(2026, 7, 1, tzinfo=UTC))
    assert time.perf_counter() - started < 10.0  # quadratic would take hours; linear takes ~0.5 s


def test_unparsable_urls_are_kept_as_written() -> None:
    assert clean_links(["http://[broken/x", "https://weibo.cn/sinaurl?u=http%3A%2F%2F%5Bx"]) == (
        "http://[broken/x", "http://[x")

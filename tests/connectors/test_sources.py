"""Real sources read right (CONTRACT §5.2's list): one test per reading, each on a real-shaped
file in tests/data/feeds (origins in tests/data/README.md)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from connectors.base import Origin, Outcome, SourceError
from connectors.counts import parse_count
from connectors.detect import parse_body
from connectors.rss import parse_with_feedparser, parse_xml_feed
from connectors.xmlprep import decode_body

FEEDS = Path(__file__).resolve().parents[1] / "data" / "feeds"
FETCHED_AT = datetime(2026, 7, 1, 2, 0, tzinfo=UTC)  # 2026-07-01 10:00 Asia/Shanghai


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def parse(name: str, **kwargs):
    return parse_body((FEEDS / name).read_bytes(), fetched_at=FETCHED_AT, **kwargs)


def by_id(name: str, **kwargs):
    return {post.post_id: post for post in parse(name, **kwargs).posts}


def test_gov_cms_times_cst_minus_zero_no_zone_partial() -> None:
    posts = by_id("gov_cms_rss_times.xml")
    assert posts["t20260701_5001"].published_at == utc("2026-07-01T09:30:00+08:00")  # CST = +08:00
    assert posts["t20260630_5002"].published_at == utc("2026-06-30T08:00:00+00:00")  # -0000 = UTC
    assert posts["t20260629_5003"].published_at == utc("2026-06-29T17:45:00+08:00")  # no zone
    assert posts["t200312_5004"].published_at == utc("2003-12-01T00:00:00+08:00")  # partial date


def test_gov_cms_non_dates_and_out_of_range_dates_are_undated_items() -> None:
    posts = by_id("gov_cms_rss_times.xml")
    assert len(posts) == 8  # every item is kept: one bad date spoils only its own item
    for post_id in ("t_5005", "t_5006", "t_5007", "t_5008"):  # 013, 2013-01-27-01, 9999-…-12:00, 0001-01-01
        assert posts[post_id].published_at is None


def test_feed_without_any_readable_time_is_a_parse_error() -> None:
    with pytest.raises(SourceError) as caught:
        parse("gov_cms_rss_no_times.xml")
    assert caught.value.outcome == Outcome.PARSE_ERROR
    assert "readable publication time" in caught.value.detail


def test_follower_count_beyond_any_integer_spoils_only_itself() -> None:
    doc = json.loads((FEEDS / "weibo_profile.json").read_text(encoding="utf-8"))
    doc["data"]["userInfo"]["followers_count"] = 10**40
    parsed = parse_body(json.dumps(doc).encode(), fetched_at=FETCHED_AT)
    assert parsed.profile.followers is None and parsed.profile.display_name
    assert parse_count(1e400) is None and parse_count("9" * 400) is None
    assert parse_count(2**63 - 1) == 2**63 - 1 and parse_count(2**63) is None


def test_weibo_mid_gives_the_exact_second_when_it_agrees_with_what_is_shown() -> None:
    posts = {post.url.rsplit("/", 1)[1]: post for post in parse("weibo_mid_times.json").posts}
    assert posts["Q8aaaaaAA"].published_at == utc("2026-06-25T14:37:21+08:00")  # 06-25
    assert posts["Q8bbbbbBB"].published_at == utc("2026-06-30T18:30:42+08:00")  # 昨天 18:30
    assert posts["Q8cccccCC"].published_at == utc("2026-07-01T06:41:09+08:00")  # 3小时前
    # A mid that disagrees with the day shown (it encodes 2024) is not used: the day stands.
    assert posts["Q8dddddDD"].published_at == utc("2026-06-20T00:00:00+08:00")


def test_weibo_ads_promotion_and_ad_marks_but_not_fans_headline() -> None:
    posts = {post.url.rsplit("/", 1)[1]: post for post in parse("weibo_mid_times.json").posts}
    assert not posts["Q8eeeeeEE"].is_ad  # mark: followtopweibo (粉丝头条) is not an ad
    assert posts["Q8fffffFF"].is_ad  # promotion object
    assert posts["Q8gggggGG"].is_ad  # 1_reallog_mark_ad:4|WeiboADNatural


def test_weibo_cards_of_another_user_are_not_the_accounts_posts() -> None:
    parsed = parse("weibo_mid_times.json")
    assert {post.url.rsplit("/", 1)[1] for post in parsed.posts} == {
        "Q8aaaaaAA", "Q8bbbbbBB", "Q8cccccCC", "Q8dddddDD", "Q8eeeeeEE", "Q8fffffFF", "Q8gggggGG"}
    assert all(post.url.startswith("https://weibo.com/2718281828/") for post in parsed.posts)
    assert parsed.profile.display_name == "福州发布"
    # With the request URL, the account is the uid asked for, even where others' cards abound.
    origin = Origin("https://m.weibo.cn/api/container/getIndex?type=uid&value=1699432410&containerid=1076031699432410")
    other = parse("weibo_mid_times.json", origin=origin)
    assert {post.url.rsplit("/", 1)[1] for post in other.posts} == {"Q8hhhhhHH", "Q8iiiiiII"}


def test_douyin_aweme_id_gives_the_time_when_create_time_is_missing() -> None:
    posts = by_id("douyin_2020_no_create_time.json")
    first, second = sorted(posts)
    assert posts[second].published_at == utc("2020-05-12T19:30:05+08:00")  # aweme_id >> 32
    assert posts[first].published_at == datetime.fromtimestamp(1589068800, UTC)  # create_time wins


def test_relative_links_resolved_against_the_feed_url() -> None:
    origin = Origin("https://www.example.gov.cn/rss/zwyw.xml")
    posts = by_id("gov_cms_rss_relative_links.xml", origin=origin)
    assert posts["301"].url == "https://www.example.gov.cn/zwyw/202607/t20260701_301.html"
    assert posts["301"].links == ("https://www.example.gov.cn/zcwj/202606/t20260630_300.html",)
    assert posts["299"].url == "https://www.example.gov.cn/rss/zwyw/202606/t20260630_299.html"
    assert posts["299"].links == ("https://www.mem.gov.cn/",)


def test_relative_links_resolved_against_content_location_before_the_feed_url() -> None:
    origin = Origin("https://rss.example.net/feed?id=3", content_location="https://www.example.gov.cn/xwzx/rss.xml")
    posts = by_id("gov_cms_rss_relative_links.xml", origin=origin)
    assert posts["299"].url == "https://www.example.gov.cn/xwzx/zwyw/202606/t20260630_299.html"
    relative = Origin("https://www.example.gov.cn/a/b.xml", content_location="/c/d.xml")
    assert relative.base == "https://www.example.gov.cn/c/d.xml"


def test_relative_links_without_any_base_are_dropped_not_invented() -> None:
    posts = by_id("gov_cms_rss_relative_links.xml")
    assert posts["301"].url is None and posts["301"].links == ()


def test_relative_links_resolved_against_xml_base_first() -> None:
    origin = Origin("https://mirror.example.net/atom.xml", content_location="https://cdn.example.net/x/atom.xml")
    posts = {post.title: post for post in parse("gov_atom_xml_base.xml", origin=origin).posts}
    report = posts["市政府新闻发布会"]
    assert report.url == "https://www.example.gov.cn/xwzx/2026/07/201.html"
    assert report.links == ("https://www.example.gov.cn/xwzx/fj/201.pdf",)
    # An entry's own relative xml:base resolves against the feed's.
    assert posts["政府工作报告"].url == "https://www.example.gov.cn/zwgk/gzbg/88.html"


@pytest.mark.parametrize("name", ["utf16le_no_bom_rss.xml", "utf32be_no_bom_rss.xml",
                                  "utf16be_no_decl_no_bom_rss.xml"])
def test_utf16_and_utf32_without_bom_are_read(name: str) -> None:
    posts = parse(name).posts
    assert [post.title for post in posts] == ["福州地铁4号线全线贯通"]
    assert posts[0].published_at == utc("2026-07-01T09:00:00+08:00")


@pytest.mark.parametrize("codec", ["utf-16", "utf-32", "utf-8-sig"])
def test_utf_with_bom_is_read(codec: str) -> None:
    body = (FEEDS / "utf16le_no_bom_rss.xml").read_bytes().decode("utf-16-le").encode(codec)
    assert [post.title for post in parse_body(body, fetched_at=FETCHED_AT).posts] == ["福州地铁4号线全线贯通"]


def test_encoding_declaration_then_http_charset_then_utf8_then_gb18030() -> None:
    text = '<rss version="2.0"><channel><title>x</title></channel></rss>'
    big5 = '<?xml version="1.0" encoding="big5"?>' + text.replace("x", "臺北市政府")
    assert "臺北市政府" in decode_body(big5.encode("big5"))  # the declaration
    assert "臺北市政府" in decode_body(text.replace("x", "臺北市政府").encode("big5"), "text/xml; charset=big5")
    assert "福州" in decode_body(text.replace("x", "福州").encode("utf-8"))  # UTF-8
    assert "福州" in decode_body(text.replace("x", "福州").encode("gb18030"))  # GB18030 last


def test_rss_090_items_are_read() -> None:
    parsed = parse("rss090_netscape.xml")
    assert parsed.format == "rdf"
    assert [(post.title, post.url) for post in parsed.posts] == [
        ("2026年5月全市经济运行情况", "http://tjj.example.gov.cn/tjsj/202606/t20260620_71.htm"),
        ("2026年一季度居民收入情况", "http://tjj.example.gov.cn/tjsj/202604/t20260418_65.htm")]
    assert parsed.posts[0].published_at == utc("2026-06-20T10:00:00+08:00")


def test_both_xml_paths_resolve_links_alike() -> None:
    text = (FEEDS / "gov_cms_rss_relative_links.xml").read_text(encoding="utf-8")
    base = "https://www.example.gov.cn/rss/zwyw.xml"
    assert parse_xml_feed(text.encode(), origin=Origin(base)) == parse_with_feedparser(text, base)


def test_an_item_no_reader_foresaw_spoils_only_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    import connectors.weibo as weibo

    real = weibo.mblog_to_post

    def fragile(mblog, fetched_at):
        if mblog.get("bid") == "Q8bbbbbBB":
            raise OverflowError("a value no reader foresaw")
        return real(mblog, fetched_at)

    monkeypatch.setattr(weibo, "mblog_to_post", fragile)
    posts = parse("weibo_mid_times.json").posts
    assert len(posts) == 6 and "Q8bbbbbBB" not in {post.url.rsplit("/", 1)[1] for post in posts}


def test_weibo_time_out_of_range_spoils_only_its_post() -> None:
    doc = json.loads((FEEDS / "weibo_mid_times.json").read_text(encoding="utf-8"))
    doc["data"]["cards"][0]["mblog"]["created_at"] = "Mon Jan 01 00:00:00 +0800 0001"
    doc["data"]["cards"][0]["mblog"]["mid"] = doc["data"]["cards"][0]["mblog"]["id"] = "9" * 30
    posts = parse_body(json.dumps(doc).encode(), fetched_at=FETCHED_AT).posts
    assert len(posts) == 7 and posts[0].published_at is None
    assert all(post.published_at is not None for post in posts[1:])

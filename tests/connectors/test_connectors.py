"""One suite over every connector: each hand-written file in tests/data/feeds goes through
`parse_body` and must meet the same guarantees (ids stable, pinned kept apart, reposts marked,
times aware UTC, bad bytes classified), plus the expectations written down for that file."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connectors.base import Outcome, ParsedFeed, SourceError, parsers
from connectors.detect import UNFORESEEN, detect_format, parse_body
from tracker.domain.models import Profile

FEEDS = Path(__file__).resolve().parents[1] / "data" / "feeds"
FETCHED_AT = datetime(2026, 7, 1, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


@dataclass(frozen=True)
class Case:
    file: str
    format: str
    posts: int
    reposts: frozenset[str] = frozenset()
    pinned: frozenset[str] = frozenset()
    ads: frozenset[str] = frozenset()
    profile: Profile | None = None
    links: dict[str, tuple[str, ...]] = field(default_factory=dict)


def W(bid: str) -> str:
    return f"https://weibo.com/2718281828/{bid}"


FUZHOU_WEIBO = Profile("福州发布", True, "福州市人民政府新闻办公室官方微博", 11_932_000)
CASES = [
    Case("rsshub_weibo.xml", "rss", 5, reposts=frozenset({W("Q1cdefGHI"), W("Q1defgHIJ")}),
         links={W("Q1bcdeFGH"): ("https://item.taobao.com/item.htm?id=680000000001",
                                 "https://item.jd.com/100012345678.html")}),
    Case("rsshub_douyin.xml", "rss", 3,
         links={"https://www.douyin.com/video/7384000000000000003": (
             "https://haohuo.jinritemai.com/views/product/item2?id=3600000000000000001",)}),
    Case("rsshub_bilibili_dynamic.xml", "rss", 3,
         reposts=frozenset({"https://t.bilibili.com/1000000000000000002"})),
    Case("rsshub_toutiao.xml", "rss", 2),
    Case("rsshub_weibo_atom.xml", "atom", 2,
         reposts=frozenset({"https://weibo.com/3141592653/Q2bbbbBBB"}),
         links={"https://weibo.com/3141592653/Q2aaaaAAA": ("https://www.eeafj.cn/gkptgk/20260630/1.html",)}),
    Case("rsshub_weibo_jsonfeed.json", "jsonfeed", 2,
         reposts=frozenset({"https://weibo.com/3141592653/Q2bbbbBBB"})),
    Case("liberal_raw_html_rss.xml", "rss", 1,
         links={"https://jd.example.gov.cn/gzdt/202606/t20260630_801.html": (
             "https://jd.example.gov.cn/files/xfjc.docx",)}),
    Case("wewe_rss_atom.xml", "atom", 3,
         links={"2247500001_1": ("https://tjj.fuzhou.gov.cn/zz/tjxx/202606/t20260630_5000002.htm",)}),
    Case("generic_atom_xhtml.xml", "atom", 2),
    Case("atom03_feed.xml", "atom", 1),
    Case("rdf_rss10.xml", "rdf", 2),
    Case("gb18030_rss.xml", "rss", 2),
    Case("gbk_declared_gb2312_rss.xml", "rss", 2),
    Case("liberal_entities_rss.xml", "rss", 2),
    Case("liberal_unescaped_lt_rss.xml", "rss", 1),
    Case("wechat2rss_jsonfeed.json", "jsonfeed", 3,
         links={"https://mp.weixin.qq.com/s/FjWsJk0000000000000002": (
             "https://detail.tmall.com/item.htm?id=700000000001",
             "https://mobile.yangkeduo.com/goods.html?goods_id=400000000001")}),
    Case("weibo_posts.json", "weibo", 8, reposts=frozenset({"5050000000000004"}),
         pinned=frozenset({"4990000000000001"}), ads=frozenset({"5049500000000002"}),
         profile=FUZHOU_WEIBO,
         links={"5050000000000005": ("https://item.taobao.com/item.htm?id=680000000002",
                                     "http://t.cn/A6tbtbtb")}),
    Case("weibo_profile.json", "weibo", 0, profile=FUZHOU_WEIBO),
    Case("weibo_profile_unverified_yi.json", "weibo", 0,
         profile=Profile("某某镇便民服务中心", False, None, 120_000_000)),
    Case("weibo_no_posts_yet.json", "weibo", 0),
    Case("douyin_posts.json", "douyin", 4, pinned=frozenset({"7300000000000000001"}),
         ads=frozenset({"7385500000000000002"}),
         profile=Profile("福州公安", True, "福州市公安局官方抖音号", 2_350_000)),
    Case("douyin_user_profile.json", "douyin", 0,
         profile=Profile("某某县融媒体中心", True, "某某县融媒体中心官方账号", 125_000)),
    # CONTRACT §5.2's readings; their own tests are in test_sources.py.
    Case("gov_cms_rss_times.xml", "rss", 8),
    Case("gov_cms_rss_relative_links.xml", "rss", 2),
    Case("gov_atom_xml_base.xml", "atom", 2),
    Case("rss090_netscape.xml", "rdf", 2),
    Case("utf16le_no_bom_rss.xml", "rss", 1),
    Case("utf32be_no_bom_rss.xml", "rss", 1),
    Case("utf16be_no_decl_no_bom_rss.xml", "rss", 1),
    Case("weibo_mid_times.json", "weibo", 7, ads=frozenset({"5314510898455104", "5314873286320704"}),
         profile=Profile("福州发布", True, "福州市人民政府新闻办公室官方微博", 11_932_000)),
    Case("douyin_2020_no_create_time.json", "douyin", 2,
         profile=Profile("福州发布", True, "福州市人民政府新闻办公室", None)),
]
BAD = [
    ("empty.txt", Outcome.PARSE_ERROR),
    ("whitespace_only.txt", Outcome.PARSE_ERROR),
    ("malformed_rss.xml", Outcome.PARSE_ERROR),
    ("billion_laughs.xml", Outcome.PARSE_ERROR),
    ("xxe_local_file.xml", Outcome.PARSE_ERROR),
    ("not_a_feed.html", Outcome.PARSE_ERROR),
    ("xxe_secret.txt", Outcome.PARSE_ERROR),
    ("captcha_page.html", Outcome.BLOCKED),
    ("weibo_visitor_system.html", Outcome.BLOCKED),
    ("weibo_passport_login.html", Outcome.BLOCKED),
    ("rsshub_error_page.html", Outcome.BLOCKED),
    ("weibo_ok_minus_100.json", Outcome.PLATFORM_ERROR),
    ("weibo_ok_0_error.json", Outcome.PLATFORM_ERROR),
    ("douyin_error.json", Outcome.PLATFORM_ERROR),
    ("gov_cms_rss_no_times.xml", Outcome.PARSE_ERROR),  # no item has a readable time
]
FEED_FORMATS = {"rss", "atom", "rdf", "jsonfeed"}
UNDATED = frozenset({"t_5005", "t_5006", "t_5007", "t_5008"})  # gov_cms_rss_times.xml: no readable date


def parse_case(case: Case, fetched_at: datetime = FETCHED_AT, **kwargs: object) -> ParsedFeed:
    return parse_body((FEEDS / case.file).read_bytes(), fetched_at=fetched_at, **kwargs)


by_file = pytest.mark.parametrize("case", CASES, ids=[case.file for case in CASES])


def test_every_data_file_is_covered() -> None:
    listed = {case.file for case in CASES} | {name for name, _ in BAD}
    on_disk = {path.name for path in FEEDS.iterdir() if path.is_file()}
    assert on_disk == listed


@by_file
def test_format_and_counts(case: Case) -> None:
    parsed = parse_case(case)
    assert parsed.format == case.format
    assert len(parsed.posts) == case.posts
    assert detect_format((FEEDS / case.file).read_bytes()) is not None


@by_file
def test_ids_stable_and_unique(case: Case) -> None:
    first = parse_case(case)
    later = parse_case(case, fetched_at=FETCHED_AT + timedelta(hours=5))
    ids = [post.post_id for post in first.posts]
    assert ids == [post.post_id for post in later.posts]
    assert len(set(ids)) == len(ids)
    assert all(post_id.strip() == post_id and post_id for post_id in ids)


@by_file
def test_times_are_aware_utc_and_not_after_fetch(case: Case) -> None:
    for post in parse_case(case).posts:
        if post.post_id in UNDATED:
            assert post.published_at is None
            continue
        assert post.published_at is not None, post.post_id
        assert post.published_at.tzinfo is UTC
        assert post.published_at <= FETCHED_AT


@by_file
def test_reposts_pinned_and_ads_marked(case: Case) -> None:
    posts = parse_case(case).posts
    assert {p.post_id for p in posts if p.is_repost} == case.reposts
    assert {p.post_id for p in posts if p.is_pinned} == case.pinned
    assert {p.post_id for p in posts if p.is_ad} == case.ads


@pytest.mark.parametrize("case", [c for c in CASES if c.pinned], ids=lambda c: c.file)
def test_pinned_post_keeps_its_own_old_time(case: Case) -> None:
    posts = parse_case(case).posts
    pinned = [p for p in posts if p.is_pinned]
    assert posts[0].is_pinned  # platforms list it first …
    newest_regular = max(p.published_at for p in posts if not p.is_pinned)
    assert all(p.published_at < newest_regular for p in pinned)  # … but it is not the newest


@by_file
def test_text_is_plain_and_links_are_absolute(case: Case) -> None:
    for post in parse_case(case).posts:
        for marker in ("<a ", "<p>", "<br", "<img", "<div", "&amp;", "&nbsp;", "<script"):
            assert marker not in post.text and marker not in post.title
        assert all(link.startswith(("http://", "https://")) for link in post.links)
        assert post.url is None or post.url not in post.links
        assert len(set(post.links)) == len(post.links)


@by_file
def test_expected_links(case: Case) -> None:
    posts = {post.post_id: post for post in parse_case(case).posts}
    for post_id, links in case.links.items():
        assert set(links) <= set(posts[post_id].links), posts[post_id].links


@by_file
def test_profile_only_from_platform_apis(case: Case) -> None:
    parsed = parse_case(case)
    if case.format in FEED_FORMATS:
        assert parsed.profile is None  # a channel title ("…的微博") is not a profile name
    assert parsed.profile == case.profile


@by_file
def test_content_type_is_only_a_charset_hint(case: Case) -> None:
    for content_type in ("text/html; charset=utf-8", "application/json", None):
        assert parse_case(case, content_type=content_type) == parse_case(case)


@pytest.mark.parametrize(("file", "outcome"), BAD, ids=[name for name, _ in BAD])
def test_bad_bytes_are_classified(file: str, outcome: Outcome) -> None:
    with pytest.raises(SourceError) as raised:
        parse_body((FEEDS / file).read_bytes(), fetched_at=FETCHED_AT)
    assert raised.value.outcome is outcome
    assert raised.value.detail


@by_file
def test_truncated_body_is_a_parse_error(case: Case) -> None:
    body = (FEEDS / case.file).read_bytes()
    with pytest.raises(SourceError) as raised:
        parse_body(body[: len(body) // 2], fetched_at=FETCHED_AT)
    assert raised.value.outcome is Outcome.PARSE_ERROR


def test_registry_lists_every_format_once() -> None:
    names = [parser.name for parser in parsers()]
    assert {"xml-feed", "jsonfeed", "weibo", "douyin"} <= set(names)
    assert len(names) == len(set(names))


_GOOD_BODIES = [(FEEDS / case.file).read_bytes() for case in CASES]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(index=st.integers(0, len(_GOOD_BODIES) - 1), cut=st.integers(0, 10_000),
       junk=st.binary(max_size=8))
def test_mangled_bodies_never_escape_classification(index: int, cut: int, junk: bytes) -> None:
    body = _GOOD_BODIES[index]
    position = cut % (len(body) + 1)
    mangled = body[:position] + junk + body[position + len(junk):]
    try:
        parsed = parse_body(mangled, fetched_at=FETCHED_AT)
    except SourceError as error:
        assert error.outcome in (Outcome.PARSE_ERROR, Outcome.BLOCKED, Outcome.PLATFORM_ERROR)
        assert UNFORESEEN not in error.detail
    else:
        assert all(post.published_at is None or post.published_at.tzinfo is UTC for post in parsed.posts)


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes_never_escape_classification(body: bytes) -> None:
    try:
        parse_body(body, fetched_at=FETCHED_AT)
    except SourceError as error:
        assert UNFORESEEN not in error.detail


_JSON_DOCS = [json.loads((FEEDS / case.file).read_text("utf-8")) for case in CASES if case.file.endswith(".json")]
_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)


def _json_paths(node: object, prefix: tuple = ()) -> list[tuple]:
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _json_paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _json_paths(value, (*prefix, index))
    return found


@settings(max_examples=150, deadline=None)
@given(index=st.integers(0, len(_JSON_DOCS) - 1), where=st.integers(0, 10**6), value=_JSON_VALUES)
def test_json_fields_of_unexpected_types_never_crash(index: int, where: int, value: object) -> None:
    """Platforms change types without notice (an id as a number, null for an object)."""
    document = copy.deepcopy(_JSON_DOCS[index])
    paths = _json_paths(document)
    path = paths[where % len(paths)]
    if not path:
        document = value
    else:
        node = document
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
    try:
        parsed = parse_body(json.dumps(document).encode(), fetched_at=FETCHED_AT)
    except SourceError as error:
        assert UNFORESEEN not in error.detail  # the safety net in parse_body must stay unused
        return
    assert all(isinstance(post.post_id, str) and post.post_id for post in parsed.posts)

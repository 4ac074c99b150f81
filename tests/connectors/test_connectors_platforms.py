"""Weibo and Douyin specifics: created_at forms, follower counts, pins, reposts, ads, comments."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from connectors.base import Outcome, SourceError
from connectors.counts import parse_count
from connectors.detect import parse_body
from connectors.weibotime import parse_weibo_time

FEEDS = Path(__file__).resolve().parents[1] / "data" / "feeds"
FETCHED_AT = datetime(2026, 7, 1, 2, 0, tzinfo=UTC)  # 2026-07-01 10:00 Asia/Shanghai


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


@pytest.mark.parametrize(("raw", "expected"), [
    ("Tue Jul 01 08:00:00 +0800 2026", "2026-07-01T08:00:00+08:00"),
    ("Wed Dec 31 23:59:59 +0000 2025", "2025-12-31T23:59:59+00:00"),
    ("刚刚", "2026-07-01T10:00:00+08:00"),
    ("30秒前", "2026-07-01T09:59:30+08:00"),
    ("5分钟前", "2026-07-01T09:55:00+08:00"),
    ("12小时前", "2026-06-30T22:00:00+08:00"),  # crosses midnight back into yesterday
    ("今天 08:15", "2026-07-01T08:15:00+08:00"),
    ("昨天 18:30", "2026-06-30T18:30:00+08:00"),
    ("前天 07:05", "2026-06-29T07:05:00+08:00"),
    ("06-25", "2026-06-25T00:00:00+08:00"),
    ("06-25 14:20", "2026-06-25T14:20:00+08:00"),
    ("12-28", "2025-12-28T00:00:00+08:00"),  # a date still to come this year is last year's
    ("2025-12-31", "2025-12-31T00:00:00+08:00"),
    ("2025-12-31 21:00", "2025-12-31T21:00:00+08:00"),
])
def test_weibo_created_at_forms(raw: str, expected: str) -> None:
    parsed = parse_weibo_time(raw, FETCHED_AT)
    assert parsed == utc(expected)
    assert parsed.tzinfo is UTC


def test_weibo_yesterday_just_after_midnight_in_shanghai() -> None:
    # 00:30 in Shanghai is still 16:30 of the previous day in UTC: 昨天 is the Shanghai day.
    fetched = datetime(2026, 6, 30, 16, 30, tzinfo=UTC)
    assert parse_weibo_time("昨天 23:00", fetched) == utc("2026-06-30T23:00:00+08:00")


@pytest.mark.parametrize("raw", ["", "明天", "几天以后", None, 12345])
def test_weibo_unreadable_time_is_none(raw: object) -> None:
    assert parse_weibo_time(raw, FETCHED_AT) is None


@pytest.mark.parametrize(("raw", "expected"), [
    ("1193.2万", 11_932_000), ("1.2亿", 120_000_000), ("10万+", 100_000), ("12,345", 12_345),
    (987, 987), ("987", 987), ("0", 0), ("3.5w", 35_000), ("", None), ("很多", None), (None, None),
    (True, None), (-1, None),
])
def test_follower_counts(raw: object, expected: int | None) -> None:
    assert parse_count(raw) == expected


def weibo_posts(fetched_at: datetime = FETCHED_AT):
    return {p.post_id: p for p in parse_body((FEEDS / "weibo_posts.json").read_bytes(), fetched_at=fetched_at).posts}


def test_weibo_relative_times_resolved_against_fetch_time() -> None:
    posts = weibo_posts()
    assert posts["5050000000000007"].published_at == FETCHED_AT  # 刚刚
    assert posts["5050000000000006"].published_at == utc("2026-07-01T09:45:00+08:00")  # 15分钟前
    assert posts["5050000000000005"].published_at == utc("2026-07-01T07:00:00+08:00")  # 3小时前
    assert posts["5050000000000004"].published_at == utc("2026-06-30T18:30:00+08:00")  # 昨天 18:30
    assert posts["5048000000000003"].published_at == utc("2026-06-25T00:00:00+08:00")  # 06-25
    assert posts["4980000000000001"].published_at == utc("2025-12-31T00:00:00+08:00")


def test_weibo_pinned_old_post_is_not_the_newest() -> None:
    posts = list(weibo_posts().values())
    assert posts[0].is_pinned and posts[0].post_id == "4990000000000001"
    assert posts[0].published_at == utc("2026-01-03T09:00:00+08:00")
    assert max(posts, key=lambda p: p.published_at).post_id == "5050000000000007"


def test_weibo_retweet_carries_the_quoted_text_and_links() -> None:
    repost = weibo_posts()["5050000000000004"]
    assert repost.is_repost
    assert "转发 @人民日报" in repost.text and "国家防总启动防汛四级应急响应" in repost.text
    assert "https://www.gov.cn/yaowen/liebiao/202606/content_7000001.htm" in repost.links
    assert repost.url == "https://weibo.com/2718281828/Q7dddddDD"


def test_weibo_links_unwrap_the_redirector_and_take_url_struct() -> None:
    post = weibo_posts()["5050000000000005"]
    assert post.links[0] == "https://item.taobao.com/item.htm?id=680000000002"
    assert not any("sinaurl" in link for link in post.links)
    assert "网页链接" in post.text and "<" not in post.text


def test_weibo_ad_marks_and_emoji_alt_text() -> None:
    posts = weibo_posts()
    assert posts["5049500000000002"].is_ad  # mark + promotion
    assert not posts["5050000000000007"].is_ad  # empty mark
    assert posts["5050000000000007"].text.endswith("[太阳]")
    assert all(p.comments_enabled is None for p in posts.values())  # Weibo JSON says nothing


def test_weibo_profile_from_userinfo_and_numeric_followers() -> None:
    doc = json.loads((FEEDS / "weibo_profile.json").read_text("utf-8"))
    doc["data"]["userInfo"]["followers_count"] = 532
    profile = parse_body(json.dumps(doc).encode(), fetched_at=FETCHED_AT).profile
    assert profile is not None and profile.followers == 532 and profile.display_name == "福州发布"


def test_weibo_error_codes() -> None:
    for name, fragment in (("weibo_ok_minus_100.json", "-100"), ("weibo_ok_0_error.json", "请求过于频繁")):
        with pytest.raises(SourceError) as raised:
            parse_body((FEEDS / name).read_bytes(), fetched_at=FETCHED_AT)
        assert raised.value.outcome is Outcome.PLATFORM_ERROR and fragment in raised.value.detail


def douyin_posts():
    parsed = parse_body((FEEDS / "douyin_posts.json").read_bytes(), fetched_at=FETCHED_AT)
    return parsed, {p.post_id: p for p in parsed.posts}


def test_douyin_comments_ads_pins_and_epoch_times() -> None:
    _, posts = douyin_posts()
    assert posts["7386000000000000001"].comments_enabled is False
    assert posts["7300000000000000001"].comments_enabled is True
    assert posts["7385000000000000003"].comments_enabled is None  # no aweme_control
    assert posts["7385500000000000002"].is_ad and not posts["7385000000000000003"].is_ad  # is_ads 0
    assert posts["7300000000000000001"].is_pinned
    assert posts["7386000000000000001"].published_at == utc("2026-06-30T10:00:00+00:00")
    assert posts["7386000000000000001"].url == "https://www.douyin.com/video/7386000000000000001"
    assert posts["7385500000000000002"].links == (
        "https://haohuo.jinritemai.com/views/product/item2?id=3600000000000000001",)


def test_douyin_profile_from_author() -> None:
    parsed, _ = douyin_posts()
    assert parsed.profile is not None
    assert parsed.profile.display_name == "福州公安"
    assert parsed.profile.verified is True
    assert parsed.profile.verified_reason == "福州市公安局官方抖音号"
    assert parsed.profile.followers == 2_350_000


def test_douyin_unverified_author_and_empty_list() -> None:
    doc = {"status_code": 0, "aweme_list": [{"aweme_id": "1", "desc": "测试", "create_time": 1782813600,
                                            "author": {"nickname": "某某", "custom_verify": "",
                                                       "enterprise_verify_reason": ""}}]}
    parsed = parse_body(json.dumps(doc).encode(), fetched_at=FETCHED_AT)
    assert parsed.profile is not None and parsed.profile.verified is False
    assert parsed.profile.verified_reason is None and parsed.profile.followers is None
    doc["aweme_list"][0]["author"]["follower_count"] = 0  # the post list's "not sent"
    assert parse_body(json.dumps(doc).encode(), fetched_at=FETCHED_AT).profile.followers is None
    user = {"status_code": 0, "user": {"nickname": "新号", "follower_count": 0}}
    assert parse_body(json.dumps(user).encode(), fetched_at=FETCHED_AT).profile.followers == 0
    empty = parse_body(b'{"status_code":0,"aweme_list":[],"has_more":0}', fetched_at=FETCHED_AT)
    assert empty.posts == [] and empty.profile is None


def test_douyin_status_code_error() -> None:
    with pytest.raises(SourceError) as raised:
        parse_body((FEEDS / "douyin_error.json").read_bytes(), fetched_at=FETCHED_AT)
    assert raised.value.outcome is Outcome.PLATFORM_ERROR and "2053" in raised.value.detail


def test_unknown_json_is_a_parse_error() -> None:
    with pytest.raises(SourceError) as raised:
        parse_body(b'{"hello": "world"}', fetched_at=FETCHED_AT)
    assert raised.value.outcome is Outcome.PARSE_ERROR


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-32"])
def test_json_with_a_byte_order_mark(encoding: str) -> None:
    body = (FEEDS / "weibo_profile.json").read_text("utf-8").encode(encoding)
    profile = parse_body(body, fetched_at=FETCHED_AT).profile
    assert profile is not None and profile.followers == 11_932_000


@pytest.mark.parametrize("raw", ["02-30", "2026-13-01", "99小时前x", "Tue Foo 01 08:00:00 +0800 2026"])
def test_weibo_impossible_dates_are_none(raw: str) -> None:
    assert parse_weibo_time(raw, FETCHED_AT) is None



def test_weibo_long_text_replaces_the_truncated_one() -> None:
    post = weibo_posts()["5050000000000006"]
    assert "末班车延后至23:30" in post.text and "全文" not in post.text
    assert "https://www.fzmtr.com/html/fzdt/tzgg/2026/06/30/1.html" in post.links


def test_douyin_deleted_posts_are_left_out() -> None:
    _, posts = douyin_posts()
    assert "7384000000000000009" not in posts and len(posts) == 4

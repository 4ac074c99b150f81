"""Feed bodies in every format of docs/contract.md §5.1, shaped like the real services serve them:
RSSHub RSS 2.0, WeWe RSS Atom, RSS 1.0/RDF, JSON Feed 1.1, Weibo mobile JSON (posts and
profile), Douyin web JSON, and an app download page for the `app` probe."""

from __future__ import annotations

import json
from email.utils import format_datetime
from xml.sax.saxutils import escape

from tracker.demo.posts import DemoPost, DemoProfile
from tracker.demo.province import DemoAccount
from tracker.domain.times import SHANGHAI, as_utc

XML = "application/xml; charset=utf-8"
JSON = "application/json; charset=utf-8"


def _local(post: DemoPost):
    return as_utc(post.published_at).astimezone(SHANGHAI)


def _html(post: DemoPost) -> str:
    body = escape(post.text)
    for link in post.links:
        body += f'<br><a href="{escape(link)}">{escape(link)}</a>'
    if post.is_repost:
        body = f'转发 @人民日报: {body}<blockquote>// @人民日报: 原文内容</blockquote>'
    return body


def rss(account: DemoAccount, posts: list[DemoPost]) -> tuple[str, bytes]:
    items = "".join(
        f"<item><title>{escape(('转发 ' if p.is_repost else '') + p.title)}</title>"
        f"<description><![CDATA[{_html(p)}]]></description>"
        f"<pubDate>{format_datetime(as_utc(p.published_at))}</pubDate>"
        f"<guid isPermaLink=\"false\">{escape(p.post_id)}</guid>"
        f"<link>https://example.gov.cn/{account.platform}/{escape(p.post_id)}</link></item>"
        for p in posts
    )
    body = (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">'
        f"<channel><title>{escape(account.account_name)}的{account.platform} - RSSHub</title>"
        f"<link>https://rsshub.app/{account.platform}/user/{escape(account.account_id)}</link>"
        "<description>Powered by RSSHub</description><generator>RSSHub</generator>"
        f"{items}</channel></rss>"
    )
    return XML, body.encode("utf-8")


def atom(account: DemoAccount, posts: list[DemoPost]) -> tuple[str, bytes]:
    entries = "".join(
        f"<entry><id>{escape(p.post_id)}</id><title>{escape(p.title)}</title>"
        f'<link href="https://mp.weixin.qq.com/s/{escape(p.post_id)}"/>'
        f"<published>{_local(p).isoformat()}</published><updated>{_local(p).isoformat()}</updated>"
        f'<content type="html"><![CDATA[{_html(p)}]]></content></entry>'
        for p in posts
    )
    body = (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<id>wewe-rss:{escape(account.account_id)}</id><title>{escape(account.account_name)}</title>"
        f"<generator>WeWe RSS</generator><updated>{_local(posts[0]).isoformat() if posts else '2026-01-01T00:00:00+08:00'}</updated>"
        f"{entries}</feed>"
    )
    return XML, body.encode("utf-8")


def rdf(account: DemoAccount, posts: list[DemoPost]) -> tuple[str, bytes]:
    url = f"https://example.gov.cn/{account.platform}/{escape(account.account_id)}"
    seq = "".join(f'<rdf:li rdf:resource="{url}/{escape(p.post_id)}"/>' for p in posts)
    items = "".join(
        f'<item rdf:about="{url}/{escape(p.post_id)}"><title>{escape(p.title)}</title>'
        f"<link>{url}/{escape(p.post_id)}</link><description>{escape(_html(p))}</description>"
        f"<dc:date>{_local(p).isoformat()}</dc:date></item>"
        for p in posts
    )
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f'<channel rdf:about="{url}"><title>{escape(account.account_name)}</title><link>{url}</link>'
        f"<description>{escape(account.org_name)}</description><items><rdf:Seq>{seq}</rdf:Seq></items></channel>"
        f"{items}</rdf:RDF>"
    )
    return XML, body.encode("utf-8")


def jsonfeed(account: DemoAccount, posts: list[DemoPost]) -> tuple[str, bytes]:
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": f"{account.account_name} - RSSHub",
        "home_page_url": f"https://example.gov.cn/{account.platform}/{account.account_id}",
        "items": [
            {"id": p.post_id, "url": f"https://example.gov.cn/{account.platform}/{p.post_id}", "title": p.title,
             "content_html": _html(p), "date_published": _local(p).isoformat()}
            for p in posts
        ],
    }
    return "application/feed+json; charset=utf-8", json.dumps(feed, ensure_ascii=False).encode("utf-8")


def _weibo_time(post: DemoPost) -> str:
    return _local(post).strftime("%a %b %d %H:%M:%S +0800 %Y")


def weibo_json(account: DemoAccount, posts: list[DemoPost], profile: DemoProfile) -> tuple[str, bytes]:
    user = {"id": int(account.account_id), "screen_name": profile.display_name, "verified": profile.verified,
            "verified_reason": profile.verified_reason, "followers_count": profile.followers}
    cards = []
    for p in posts:
        mblog = {"id": p.post_id, "mid": p.post_id, "created_at": _weibo_time(p), "text": _html(p) if not p.is_repost else "转发微博",
                 "user": user, "source": "微博 weibo.com"}
        if p.is_repost:
            mblog["retweeted_status"] = {"id": f"rt{p.post_id}", "text": p.text, "user": {"screen_name": "人民日报"}}
        cards.append({"card_type": 9, "mblog": mblog})
    return JSON, json.dumps({"ok": 1, "data": {"cards": cards}}, ensure_ascii=False).encode("utf-8")


def weibo_profile(account: DemoAccount, profile: DemoProfile) -> tuple[str, bytes]:
    followers = f"{profile.followers / 10000:.1f}万" if profile.followers >= 100000 else profile.followers
    info = {"id": int(account.account_id), "screen_name": profile.display_name, "verified": profile.verified,
            "verified_reason": profile.verified_reason, "followers_count": followers}
    return JSON, json.dumps({"ok": 1, "data": {"userInfo": info}}, ensure_ascii=False).encode("utf-8")


def douyin_json(account: DemoAccount, posts: list[DemoPost], profile: DemoProfile) -> tuple[str, bytes]:
    author = {"uid": account.account_id, "sec_uid": account.account_id, "nickname": profile.display_name,
              "custom_verify": profile.verified_reason, "follower_count": profile.followers}
    awemes = [
        {"aweme_id": p.post_id, "desc": p.text, "create_time": int(p.published_at.timestamp()), "author": author,
         "is_ads": p.is_ad, "aweme_control": {"can_comment": p.comments_enabled is not False},
         "share_url": f"https://www.douyin.com/video/{p.post_id}"}
        for p in posts
    ]
    body = {"status_code": 0, "aweme_list": awemes, "has_more": 0}
    return JSON, json.dumps(body, ensure_ascii=False).encode("utf-8")


def app_page(account: DemoAccount) -> tuple[str, bytes]:
    html = (f"<html><head><title>{escape(account.account_name)} 下载</title></head><body>"
            f'<a href="/download/{escape(account.account_id)}.apk">安卓下载</a></body></html>')
    return "text/html; charset=utf-8", html.encode("utf-8")


# Failures planted for the poll-health panel.
CAPTCHA_PAGE = ("text/html; charset=utf-8",
                "<html><head><title>安全验证</title></head><body>请完成安全验证 captcha 滑块验证</body></html>".encode())
WEIBO_PLATFORM_ERROR = (JSON, b'{"ok":-100,"url":"https://passport.weibo.com/sso/signin"}')

"""Weibo mobile JSON: posts `{"ok":1,"data":{"cards":[{"card_type":9,"mblog":{…}}]}}` (also the
newer `{"ok":1,"data":{"list":[mblog…]}}`) and profile `{"ok":1,"data":{"userInfo":{…}}}`.

`ok:-100` (login wall) and other `ok` codes with a `msg` are platform errors, except Weibo's
"这里还没有内容" answer for an account without posts, which is an empty, valid list.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from connectors.base import Outcome, ParsedFeed, SourceError
from connectors.counts import parse_count
from connectors.htmltext import bare_urls, clean_links, html_text_and_hrefs, short_title, stable_id
from connectors.jsondoc import load_json
from connectors.weibotime import parse_weibo_time
from tracker.models import Post, Profile

_EMPTY_MESSAGES = ("还没有内容", "暂无内容")
_FULL_TEXT_LINK = re.compile(r"<a\b[^<>]*>\s*全文\s*</a>")


def _mblogs(node: Any) -> Iterator[dict[str, Any]]:
    """Every card_type 9 mblog, in order, including those nested in card_group containers."""
    if isinstance(node, list):
        for item in node:
            yield from _mblogs(item)
    elif isinstance(node, dict):
        if isinstance(node.get("mblog"), dict):
            yield node["mblog"]
        elif isinstance(node.get("card_group"), list):
            yield from _mblogs(node["card_group"])


def _url_struct_links(mblog: dict[str, Any]) -> list[str]:
    links: list[str] = []
    for entry in mblog.get("url_struct") or []:
        if isinstance(entry, dict):
            links += [entry.get(key) for key in ("long_url", "ori_url", "short_url", "url")
                      if isinstance(entry.get(key), str)]
    page = mblog.get("page_info")
    if isinstance(page, dict) and isinstance(page.get("page_url"), str):
        links.append(page["page_url"])
    return links


def _markup_of(mblog: dict[str, Any]) -> str:
    """The full text's HTML: the long text when the API sent it, without the "全文" link."""
    long_text = mblog.get("longText")
    if isinstance(long_text, dict) and isinstance(long_text.get("longTextContent"), str):
        markup = long_text["longTextContent"]
    else:
        markup = mblog.get("text") if isinstance(mblog.get("text"), str) else mblog.get("text_raw") or ""
    return _FULL_TEXT_LINK.sub("", str(markup))


def _text_of(mblog: dict[str, Any]) -> tuple[str, list[str]]:
    text, hrefs = html_text_and_hrefs(_markup_of(mblog))
    return text, hrefs + _url_struct_links(mblog) + bare_urls(text)


def _post_url(mblog: dict[str, Any], post_id: str) -> str:
    user = mblog.get("user") if isinstance(mblog.get("user"), dict) else {}
    bid = mblog.get("bid") or mblog.get("mblogid")
    if bid and user.get("id"):
        return f"https://weibo.com/{user['id']}/{bid}"
    return f"https://m.weibo.cn/detail/{post_id}"


def _is_pinned(mblog: dict[str, Any]) -> bool:
    title = mblog.get("title")
    return (isinstance(title, dict) and title.get("text") == "置顶") or bool(mblog.get("isTop"))


def mblog_to_post(mblog: dict[str, Any], fetched_at: datetime) -> Post:
    text, links = _text_of(mblog)
    retweeted = mblog.get("retweeted_status")
    if isinstance(retweeted, dict):
        quoted, quoted_links = _text_of(retweeted)
        author = (retweeted.get("user") or {}).get("screen_name") if isinstance(retweeted.get("user"), dict) else None
        text = f"{text}\n\n转发 @{author or '原博'}: {quoted}".strip()
        links += quoted_links
    raw_id = mblog.get("id") or mblog.get("mid") or mblog.get("idstr")
    post_id = str(raw_id) if raw_id not in (None, "") else stable_id(None, text)
    url = _post_url(mblog, post_id)
    return Post(
        post_id=post_id,
        published_at=parse_weibo_time(mblog.get("created_at"), fetched_at),
        title=short_title(text),
        text=text,
        url=url,
        links=tuple(link for link in clean_links(links) if link != url),
        is_repost=isinstance(retweeted, dict),
        is_pinned=_is_pinned(mblog),
        is_ad=bool(mblog.get("mark")) or bool(mblog.get("promotion")),
        comments_enabled=None,
    )


def user_to_profile(user: dict[str, Any]) -> Profile:
    followers = user.get("followers_count")
    if followers is None:
        followers = user.get("followers_count_str")
    verified = user.get("verified")
    return Profile(
        display_name=user.get("screen_name") or None,
        verified=bool(verified) if verified is not None else None,
        verified_reason=(user.get("verified_reason") or "").strip() or None,
        followers=parse_count(followers),
    )


def _check_ok(doc: dict[str, Any]) -> bool:
    """True if the document carries data; False for Weibo's 'no posts yet'; else raise."""
    ok, message = doc.get("ok"), str(doc.get("msg") or "")
    if ok == 1:
        return True
    if ok == 0 and any(marker in message for marker in _EMPTY_MESSAGES):
        return False
    if ok == -100:
        raise SourceError(Outcome.PLATFORM_ERROR, f"Weibo ok:-100 (login required) {doc.get('url') or ''}".strip())
    raise SourceError(Outcome.PLATFORM_ERROR, f"Weibo ok:{ok} {message}".strip())


def parse_weibo_document(doc: dict[str, Any], fetched_at: datetime) -> ParsedFeed:
    if not _check_ok(doc):
        return ParsedFeed(format="weibo", posts=[], profile=None)
    data = doc.get("data") if isinstance(doc.get("data"), dict) else {}
    mblogs = list(_mblogs(data.get("cards") or []))
    mblogs += [m for m in data.get("list") or [] if isinstance(m, dict)]
    posts = [mblog_to_post(mblog, fetched_at) for mblog in mblogs]
    profile = None
    if isinstance(data.get("userInfo"), dict):
        profile = user_to_profile(data["userInfo"])
    else:
        users = [m.get("user") for m in mblogs if isinstance(m.get("user"), dict)]
        if users and len({str(user.get("id")) for user in users}) == 1:
            profile = user_to_profile(users[0])
    return ParsedFeed(format="weibo", posts=posts, profile=profile)


class WeiboParser:
    name = "weibo"

    def matches(self, doc: Any) -> bool:
        return isinstance(doc, dict) and "ok" in doc and not isinstance(doc.get("ok"), bool)

    def sniff(self, head: bytes) -> bool:
        return head.lstrip().startswith(b"{") and b'"ok"' in head

    def parse(self, body: bytes, *, fetched_at: datetime, content_type: str | None = None) -> ParsedFeed:
        doc = load_json(body)
        if not self.matches(doc):
            raise SourceError(Outcome.PARSE_ERROR, "not a Weibo API document")
        return self.parse_document(doc, fetched_at=fetched_at)

    def parse_document(self, doc: Any, *, fetched_at: datetime) -> ParsedFeed:
        return parse_weibo_document(doc, fetched_at)

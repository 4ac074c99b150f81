"""Weibo mobile JSON: posts `{"ok":1,"data":{"cards":[{"card_type":9,"mblog":{…}}]}}` (also the
newer `{"ok":1,"data":{"list":[mblog…]}}`) and profile `{"ok":1,"data":{"userInfo":{…}}}`.

`ok:-100` (login wall) and other `ok` codes with a `msg` are platform errors, except Weibo's
"这里还没有内容" answer for an account without posts, which is an empty, valid list.

Only the account's own posts are taken: cards whose `mblog.user` is another user (recommended
or injected content) are dropped. The account is the uid of the request URL (`uid=`, `value=`,
`containerid=107603…`), else `userInfo.id`, else the user of most cards. A post is an ad when it
carries a `promotion` object or an ad `mark` (`…mark_ad…`, `WeiboAD…`); `followtopweibo`
(粉丝头条: the account paying to boost its own post) is not an ad (docs/contract.md §5.2).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from connectors.base import Origin, Outcome, ParsedFeed, Post, Profile, SourceError, each_item
from connectors.counts import read_count
from connectors.htmltext import bare_urls, clean_links, html_text_and_hrefs, short_title, stable_id
from connectors.jsondoc import dict_of, list_of, load_json, text_of
from connectors.weibotime import parse_weibo_time

_EMPTY_MESSAGES = ("还没有内容", "暂无内容")
_FULL_TEXT_LINK = re.compile(r"<a\b[^<>]*>\s*全文\s*</a>")
# Ad marks as the API writes them: "1_reallog_mark_ad:4|WeiboADNatural", "999_…_mark_ad:…|WeiboADHardAd".
_AD_MARK = re.compile(r"mark_ad|weiboad|(?:^|[_|:])ad(?:[_|:]|$)", re.IGNORECASE)
_NOT_AD_MARKS = frozenset({"followtopweibo"})  # 粉丝头条: the account boosting its own post
_CONTAINER_UID = re.compile(r"^(?:107603|100505|230413|231051)(\d+)")


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
    for entry in list_of(mblog.get("url_struct")):
        if isinstance(entry, dict):
            links += [entry[key] for key in ("long_url", "ori_url", "short_url", "url")
                      if isinstance(entry.get(key), str)]
    page_url = dict_of(mblog.get("page_info")).get("page_url")
    if isinstance(page_url, str):
        links.append(page_url)
    return links


def _markup_of(mblog: dict[str, Any]) -> str:
    """The full text's HTML: the long text when the API sent it, without the "全文" link."""
    markup = (text_of(dict_of(mblog.get("longText")).get("longTextContent"))
              or text_of(mblog.get("text")) or text_of(mblog.get("text_raw")) or "")
    return _FULL_TEXT_LINK.sub("", markup)


def _text_of(mblog: dict[str, Any]) -> tuple[str, list[str]]:
    text, hrefs = html_text_and_hrefs(_markup_of(mblog))
    return text, hrefs + _url_struct_links(mblog) + bare_urls(text)


def _post_url(mblog: dict[str, Any], post_id: str) -> str:
    user_id = text_of(dict_of(mblog.get("user")).get("id"))
    bid = text_of(mblog.get("bid")) or text_of(mblog.get("mblogid"))
    if bid and user_id:
        return f"https://weibo.com/{user_id}/{bid}"
    return f"https://m.weibo.cn/detail/{post_id}"


def _is_pinned(mblog: dict[str, Any]) -> bool:
    return dict_of(mblog.get("title")).get("text") == "置顶" or mblog.get("isTop") in (True, 1, "1")


def is_ad(mblog: dict[str, Any]) -> bool:
    """A `promotion` object or an ad mark; `followtopweibo` (粉丝头条) never is one."""
    mark = (text_of(mblog.get("mark")) or "").strip()
    if mark.lower() in _NOT_AD_MARKS:
        return False
    promotion = mblog.get("promotion")
    return bool(_AD_MARK.search(mark)) or (isinstance(promotion, dict) and bool(promotion))


def _user_id(mblog: dict[str, Any]) -> str | None:
    return text_of(dict_of(mblog.get("user")).get("id"))


def owner_uid(url: str | None) -> str | None:
    """The uid an m.weibo.cn API URL asks for, or None."""
    try:
        query = parse_qs(urlsplit(url or "").query)
    except ValueError:
        return None
    for key in ("uid", "value"):
        if query.get(key) and query[key][0].isdigit():
            return query[key][0]
    for container in query.get("containerid", []):
        if match := _CONTAINER_UID.match(container):
            return match.group(1)
    return None


def _owner(data: dict[str, Any], mblogs: list[dict[str, Any]], origin: Origin | None) -> str | None:
    uid = owner_uid(origin.url if origin else None) or text_of(dict_of(data.get("userInfo")).get("id"))
    if uid:
        return uid
    counts = Counter(user for user in map(_user_id, mblogs) if user)
    ranked = counts.most_common(2)
    if ranked and (len(ranked) == 1 or ranked[0][1] > ranked[1][1]):
        return ranked[0][0]
    return None


def mblog_to_post(mblog: dict[str, Any], fetched_at: datetime) -> Post:
    text, links = _text_of(mblog)
    retweeted = mblog.get("retweeted_status")
    if isinstance(retweeted, dict):
        quoted, quoted_links = _text_of(retweeted)
        author = text_of(dict_of(retweeted.get("user")).get("screen_name"))
        text = f"{text}\n\n转发 @{author or '原博'}: {quoted}".strip()
        links += quoted_links
    raw_id = text_of(mblog.get("id")) or text_of(mblog.get("mid")) or text_of(mblog.get("idstr")) or ""
    post_id = raw_id.strip() or stable_id(None, text)
    url = _post_url(mblog, post_id)
    return Post(
        post_id=post_id,
        published_at=parse_weibo_time(mblog.get("created_at"), fetched_at, mblog.get("mid") or mblog.get("id")),
        title=short_title(text),
        text=text,
        url=url,
        links=tuple(link for link in clean_links(links) if link != url),
        is_repost=isinstance(retweeted, dict),
        is_pinned=_is_pinned(mblog),
        is_ad=is_ad(mblog),
        comments_enabled=None,
    )


def user_to_profile(user: dict[str, Any]) -> Profile:
    followers = user.get("followers_count")
    if followers is None:
        followers = user.get("followers_count_str")
    verified = user.get("verified")
    count, problem = read_count(followers)
    return Profile(
        display_name=text_of(user.get("screen_name")) or None,
        verified=verified in (True, 1, "1", "true") if verified is not None else None,
        verified_reason=(text_of(user.get("verified_reason")) or "").strip() or None,
        followers=count,
        warnings=(problem,) if problem else (),
    )


def _check_ok(doc: dict[str, Any]) -> bool:
    """True if the document carries data; False for Weibo's 'no posts yet'; else raise."""
    ok, message = doc.get("ok"), text_of(doc.get("msg")) or ""
    if ok == 1:
        return True
    if ok == 0 and any(marker in message for marker in _EMPTY_MESSAGES):
        return False
    if ok == -100:
        raise SourceError(Outcome.PLATFORM_ERROR, f"Weibo ok:-100 (login required) {text_of(doc.get('url')) or ''}".strip())
    raise SourceError(Outcome.PLATFORM_ERROR, f"Weibo ok:{ok} {message}".strip())


def parse_weibo_document(doc: dict[str, Any], fetched_at: datetime, origin: Origin | None = None) -> ParsedFeed:
    if not _check_ok(doc):
        return ParsedFeed(format="weibo", posts=[], profile=None)
    data = dict_of(doc.get("data"))
    mblogs = list(_mblogs(list_of(data.get("cards"))))
    mblogs += [m for m in list_of(data.get("list")) if isinstance(m, dict)]
    owner = _owner(data, mblogs, origin)
    if owner:
        mblogs = [m for m in mblogs if _user_id(m) in (None, owner)]
    posts = each_item(mblogs, lambda mblog: mblog_to_post(mblog, fetched_at))
    profile = None
    if isinstance(data.get("userInfo"), dict):
        profile = user_to_profile(data["userInfo"])
    else:
        users: list[dict] = [m["user"] for m in mblogs if isinstance(m.get("user"), dict)]
        if users and len({str(user.get("id")) for user in users}) == 1:
            profile = user_to_profile(users[0])
    return ParsedFeed(format="weibo", posts=posts, profile=profile)


class WeiboParser:
    name = "weibo"

    def matches(self, doc: Any) -> bool:
        return isinstance(doc, dict) and "ok" in doc and not isinstance(doc.get("ok"), bool)

    def sniff(self, head: bytes) -> bool:
        return head.lstrip().startswith(b"{") and b'"ok"' in head

    def parse(self, body: bytes, *, fetched_at: datetime, content_type: str | None = None,
              origin: Origin | None = None) -> ParsedFeed:
        doc = load_json(body)
        if not self.matches(doc):
            raise SourceError(Outcome.PARSE_ERROR, "not a Weibo API document")
        return self.parse_document(doc, fetched_at=fetched_at, origin=origin)

    def parse_document(self, doc: Any, *, fetched_at: datetime, origin: Origin | None = None) -> ParsedFeed:
        return parse_weibo_document(doc, fetched_at, origin)

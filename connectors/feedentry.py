"""One feed entry as read from RSS/Atom/RDF/JSON Feed → a normalized `Post`.

The fast XML path and the feedparser path each fill a `RawEntry` with the raw strings of the
document; `entry_to_post` is the only place that turns them into a Post, which is what makes the
two paths' output identical.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from connectors.base import Post
from connectors.feedtime import parse_feed_time
from connectors.htmltext import bare_urls, clean_links, html_text_and_hrefs, plain_text, stable_id

# RSSHub's Weibo route writes a repost's title as "原文 - 转发 @作者: 被转内容" (or "原文🔁 …" with
# showEmojiForRetweet) and its description as "原文<br><blockquote> - 转发 <a …>@作者</a>: …"
# (readable mode: "<blockquote style=…><a …>@作者</a>: …"). Weibo's own repost chains read
# "//@作者:"; Bilibili dynamics mark a forward with "//转发自: @作者".
_REPOST_TITLE = re.compile(r"(?:^|\s)-\s*转发\s|🔁")
_REPOST_QUOTE = re.compile(
    r"<blockquote[^<>]*>\s*(?:-\s*转发\s*(?:<a\b[^<>]*>\s*)?|<a\b[^<>]*>\s*)@", re.IGNORECASE)
_REPOST_TEXT = re.compile(r"//\s*转发自\s*[:：]|//@[^\s:：]{1,30}[:：]|(?:^|\s)-\s*转发\s*@")


@dataclass(slots=True)
class RawEntry:
    """The raw strings of one entry. `*_is_html` says whether the string is HTML markup."""

    entry_id: str | None = None
    link: str | None = None
    title: str = ""
    title_is_html: bool = False
    content: str = ""
    content_is_html: bool = True
    published: str | None = None
    extra_links: tuple[str, ...] = ()
    link_is_id: bool = False  # the link is a permalink guid / Atom id, not a <link> (never resolved)
    base: str | None = None  # the xml:base in effect for the entry's content, if any


def _text_and_links(value: str, is_html: bool) -> tuple[str, list[str]]:
    if is_html:
        return html_text_and_hrefs(value)
    return plain_text(value), []


def looks_like_repost(title: str, raw_content: str, text: str) -> bool:
    return bool(
        _REPOST_TITLE.search(title)
        or _REPOST_QUOTE.search(raw_content)
        or _REPOST_TEXT.search(text)
        or _REPOST_TEXT.search(title)
    )


def _absolute(url: str) -> bool:
    return url.lower().startswith(("http://", "https://"))


def entry_base(document_base: str | None, xml_base: str | None) -> str | None:
    """The http(s) URL relative links of an entry resolve against: its xml:base, resolved
    against the response's Content-Location or the feed URL (docs/contract.md §5.2), or None."""
    try:
        base = urljoin(document_base or "", (xml_base or "").strip()) if xml_base else document_base
        return base if base and _absolute(base) and urlsplit(base).netloc else None
    except ValueError:
        return None


def _resolve(url: str | None, base: str | None) -> str | None:
    if not url or not base or _absolute(url.strip()) or url.strip().lower().startswith(
            ("javascript:", "mailto:", "data:", "tel:", "#")):
        return url
    try:
        return urljoin(base, url.strip())
    except ValueError:
        return url


def entry_to_post(raw: RawEntry, base: str | None = None) -> Post:
    """The Post of an entry; `base` is the document's base URL (Content-Location, feed URL)."""
    base = entry_base(base, raw.base)
    title, title_hrefs = _text_and_links(raw.title, raw.title_is_html)
    text, hrefs = _text_and_links(raw.content, raw.content_is_html)
    link = (raw.link or "").strip() or None
    if link and not raw.link_is_id:
        link = _resolve(link, base)
    if link and not _absolute(link):
        link = None  # a guid that is no URL (isPermaLink defaults to true), or an unresolvable path
    hrefs = [_resolve(href, base) or href for href in hrefs]
    title_hrefs = [_resolve(href, base) or href for href in title_hrefs]
    entry_id = (raw.entry_id or "").strip() or stable_id(link, title)
    links = clean_links([*hrefs, *title_hrefs, *raw.extra_links, *bare_urls(text)])
    if link:
        links = tuple(url for url in links if url != link)
    return Post(
        post_id=entry_id,
        published_at=parse_feed_time(raw.published),
        title=title,
        text=text,
        url=link,
        links=links,
        is_repost=looks_like_repost(title, raw.content, text),
        is_pinned=False,
        is_ad=False,
        comments_enabled=None,
    )

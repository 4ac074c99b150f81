"""JSON Feed 1.0/1.1 (Wechat2RSS, RSSHub `?format=json`). The feed title is not a profile name."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from connectors.base import Origin, Outcome, ParsedFeed, SourceError, each_item
from connectors.feedentry import RawEntry, entry_to_post
from connectors.jsondoc import load_json, text_of

VERSION_PREFIX = "https://jsonfeed.org/version/"


def item_to_entry(item: dict[str, Any]) -> RawEntry:
    html = text_of(item.get("content_html"))
    content, is_html = (html, True) if html and html.strip() else (
        text_of(item.get("content_text")) or text_of(item.get("summary")) or "", False)
    external = text_of(item.get("external_url"))
    return RawEntry(
        entry_id=text_of(item.get("id")),
        link=text_of(item.get("url")),
        title=text_of(item.get("title")) or "",
        title_is_html=False,
        content=content,
        content_is_html=is_html,
        published=text_of(item.get("date_published")) or text_of(item.get("date_modified")),
        extra_links=(external,) if external else (),
    )


def parse_json_feed_document(doc: dict[str, Any], origin: Origin | None = None) -> ParsedFeed:
    items = doc.get("items")
    if not isinstance(items, list):
        raise SourceError(Outcome.PARSE_ERROR, "JSON Feed without an items list")
    base = origin.base if origin else None
    posts = each_item((item for item in items if isinstance(item, dict)),
                      lambda item: entry_to_post(item_to_entry(item), base))
    return ParsedFeed(format="jsonfeed", posts=posts, profile=None)


class JsonFeedParser:
    name = "jsonfeed"

    def matches(self, doc: Any) -> bool:
        return isinstance(doc, dict) and str(doc.get("version", "")).startswith(VERSION_PREFIX)

    def sniff(self, head: bytes) -> bool:
        return head.lstrip().startswith(b"{") and b"jsonfeed.org/version" in head

    def parse(self, body: bytes, *, fetched_at: datetime, content_type: str | None = None,
              origin: Origin | None = None) -> ParsedFeed:
        doc = load_json(body)
        if not self.matches(doc):
            raise SourceError(Outcome.PARSE_ERROR, "not a JSON Feed")
        return self.parse_document(doc, fetched_at=fetched_at, origin=origin)

    def parse_document(self, doc: Any, *, fetched_at: datetime, origin: Origin | None = None) -> ParsedFeed:
        return parse_json_feed_document(doc, origin)

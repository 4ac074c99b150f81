"""RSS 2.0, RSS 1.0/RDF and Atom 1.0 (RSSHub routes, Wechat2RSS, WeWe RSS, we-mp-rss).

`parse_xml_feed` runs the fast path (`connectors.fastxml`) and falls back to feedparser for what
it cannot read. `parse_with_feedparser` and `parse_with_fast_path` are public so that tests and
`bench/parse.py` can run both paths on the same body; their output is identical.

Channel titles are never used as a profile name (RSSHub writes "…的微博"): `profile` is None.
"""

from __future__ import annotations

import io
import re
import xml.sax
from datetime import datetime
from typing import Any

import feedparser

from connectors.base import Origin, Outcome, ParsedFeed, SourceError, each_item
from connectors.fastxml import FastPathUnsupported, parse_entries
from connectors.feedentry import RawEntry, entry_to_post
from connectors.xmlprep import as_utf8_xml, decode_body, refuse_entity_declarations, root_tag
from connectors.xmlrepair import repair_liberal_xml

FEED_ROOTS = frozenset({"rss", "feed", "RDF"})
_HTML_TYPES = {"text/html", "application/xhtml+xml"}
_LINK_TYPES = {"text/html", "application/xhtml+xml", "html", "xhtml"}
_ROOT_CLOSED = re.compile(r"</(?:[\w.-]+:)?(?:rss|feed|RDF)\s*>$")
# Well-formedness errors feedparser's liberal parser recovers from faithfully (an unescaped `<`
# in text, say). Truncated or mis-nested documents are refused instead: what a liberal parser
# makes of them is a guess.
_RECOVERABLE = ("undefined entity", "not well-formed (invalid token)",
                "reference to invalid character number")


def is_feed_root(tag: str | None) -> bool:
    return tag is not None and tag.rsplit(":", 1)[-1] in FEED_ROOTS


def _root_closed(text: str) -> bool:
    """Whether the document ends with its root's end tag (comments and PIs may follow)."""
    tail = text[-4096:].rstrip()
    while tail.endswith(("-->", "?>")):
        start = tail.rfind("<!--") if tail.endswith("-->") else tail.rfind("<?")
        if start < 0:
            break
        tail = tail[:start].rstrip()
    return bool(_ROOT_CLOSED.search(tail))


def _finish(fmt: str, entries: list[RawEntry], base: str | None) -> ParsedFeed:
    return ParsedFeed(format=fmt, posts=each_item(entries, lambda entry: entry_to_post(entry, base)), profile=None)


def parse_with_fast_path(text: str, base: str | None = None) -> ParsedFeed:
    """Parse decoded, entity-free XML text; raises FastPathUnsupported. `base` is the URL
    relative links resolve against (Content-Location, else the feed URL)."""
    fmt, entries = parse_entries(text)
    return _finish(fmt, entries, base)


def _detail_is_html(detail: Any) -> bool:
    return bool(detail) and detail.get("type") in _HTML_TYPES


def _atom_alternate(entry: Any) -> str | None:
    """The last alternate HTML link of an Atom entry, as the fast path chooses it (feedparser's
    own `link` is the last link element's, even an enclosure's when the alternate has no href)."""
    chosen = None
    for link in dict.get(entry, "links") or []:
        kind = (link.get("type") or "text/html").strip().lower()
        if link.get("rel", "alternate") == "alternate" and kind in _LINK_TYPES and link.get("href") is not None:
            chosen = link.get("href")
    return chosen


def _raw_from_feedparser(entry: Any, atom: bool = False) -> RawEntry:
    # dict.get reads the keys feedparser stored, bypassing FeedParserDict's aliases (which
    # would answer `updated` with `published` and warn).
    field = dict.get
    contents = field(entry, "content") or []
    if contents and (contents[0].get("value") or "").strip():
        content, content_is_html = contents[0].get("value") or "", _detail_is_html(contents[0])
        detail = contents[0]
    else:
        content = field(entry, "summary") or ""
        detail = field(entry, "summary_detail") or {}
        content_is_html = _detail_is_html(detail) if content else True
    return RawEntry(
        entry_id=field(entry, "id"),
        link=(_atom_alternate(entry) if atom else None) or field(entry, "link"),
        title=field(entry, "title") or "",
        title_is_html=_detail_is_html(field(entry, "title_detail")),
        content=content,
        content_is_html=content_is_html,
        published=field(entry, "published") or field(entry, "updated"),
        link_is_id=bool(field(entry, "guidislink")),
        base=(detail or {}).get("base") or None,
    )


def parse_with_feedparser(text: str, base: str | None = None) -> ParsedFeed:
    """Parse decoded, entity-free XML text with feedparser; raises SourceError if unreadable.

    feedparser is told the base URL only when the document has an xml:base (which it resolves
    against that URL): otherwise it would also resolve ids (guids), which the fast path keeps
    as written; the relative links of such documents are resolved in `entry_to_post`."""
    headers = {"content-type": "application/xml; charset=utf-8"}
    if base and "xml:base" in text:
        headers["content-location"] = base
    result = feedparser.parse(
        io.BytesIO(as_utf8_xml(text)), sanitize_html=False, resolve_relative_uris=False,
        response_headers=headers,
    )
    version = result.get("version") or ""
    if not _root_closed(text):
        raise SourceError(Outcome.PARSE_ERROR, "truncated XML feed: the root element is not closed")
    if result.get("bozo"):
        problem = result.get("bozo_exception")
        message = str(problem)
        if isinstance(problem, xml.sax.SAXException) and not any(m in message for m in _RECOVERABLE):
            raise SourceError(Outcome.PARSE_ERROR, f"malformed XML feed: {message}")
    if not version:
        raise SourceError(Outcome.PARSE_ERROR, "not an RSS/Atom feed")
    fmt = "atom" if version.startswith("atom") else "rdf" if version in ("rss10", "rss090") else "rss"
    atom = fmt == "atom"
    return _finish(fmt, [_raw_from_feedparser(entry, atom) for entry in result.get("entries", [])], base)


def parse_xml_feed(body: bytes, *, content_type: str | None = None, origin: Origin | None = None) -> ParsedFeed:
    """Bytes of an RSS/Atom/RDF feed → posts. Hostile or unreadable bodies raise SourceError."""
    return parse_xml_text(decode_body(body, content_type), base=origin.base if origin else None)


def parse_xml_text(text: str, base: str | None = None) -> ParsedFeed:
    """Decoded XML text → posts: the fast path, else feedparser. `base`: see parse_with_fast_path."""
    refuse_entity_declarations(text)
    if not is_feed_root(root_tag(text)):
        raise SourceError(Outcome.PARSE_ERROR, "XML document is not an RSS/Atom/RDF feed")
    try:
        return parse_with_fast_path(text, base)
    except FastPathUnsupported:
        pass
    repaired = repair_liberal_xml(text)
    if repaired != text:
        try:
            return parse_with_fast_path(repaired, base)
        except FastPathUnsupported:
            pass
    return parse_with_feedparser(repaired, base)


class XmlFeedParser:
    """Registry entry for RSS/RDF/Atom."""

    name = "xml-feed"

    def sniff(self, head: bytes) -> bool:
        return bool(head) and is_feed_root(root_tag(decode_body(head)))

    def parse(self, body: bytes, *, fetched_at: datetime, content_type: str | None = None,
              origin: Origin | None = None) -> ParsedFeed:
        return parse_xml_feed(body, content_type=content_type, origin=origin)

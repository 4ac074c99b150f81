"""The fast path for well-formed RSS 2.0, RSS 1.0/RDF and Atom 1.0: ElementTree via defusedxml.

It reads only the shapes it fully understands and raises `FastPathUnsupported` for anything
else (not well-formed, unknown root, an item child that feedparser would map onto a field we
use, xml:base) so that `connectors.rss` can hand the body to feedparser instead. Both paths fill
the same `RawEntry` fields from the same raw strings.
"""

from __future__ import annotations

import re
from html import escape
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from feedparser.html import _cp1252
from feedparser.mixin import _FeedParserMixin

from connectors.feedentry import RawEntry

# feedparser post-processes every element's text; the fast path applies the very same steps
# (taken from feedparser itself, so a feedparser upgrade cannot make the paths drift apart
# unnoticed: tests/test_connectors_xmlpaths.py compares them).
_looks_like_html = _FeedParserMixin.looks_like_html
_C1_CONTROLS = re.compile("[\x80-\x9f]")

ATOM = "{http://www.w3.org/2005/Atom}"
RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
RSS1 = "{http://purl.org/rss/1.0/}"
DC = "{http://purl.org/dc/elements/1.1/}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
_HTML_TYPES = {"text/html", "application/xhtml+xml", "html", "xhtml"}

MEDIA = "{http://search.yahoo.com/mrss/}"
ITUNES = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"
RSSHUB = "{http://rsshub.app/xml/schemas}"

# Leaf children that carry nothing feedparser would turn into id/link/title/content/time (RSSHub
# writes all of these). Anything else, or any of these with child elements (a media:content
# holding a media:title, say), sends the document to feedparser.
_RSS_HARMLESS = frozenset({
    "author", "category", "comments", "enclosure", f"{DC}creator", f"{DC}subject", f"{DC}language",
    f"{DC}publisher", f"{DC}rights", f"{MEDIA}content", f"{MEDIA}thumbnail", f"{ITUNES}image",
    f"{ITUNES}duration", f"{ITUNES}explicit", "{http://wellformedweb.org/CommentAPI/}commentRss",
    "{http://purl.org/rss/1.0/modules/slash/}comments",
})
_RDF_HARMLESS = frozenset({f"{DC}creator", f"{DC}subject", f"{DC}language", f"{DC}publisher"})
_ATOM_HARMLESS = frozenset({
    f"{ATOM}category", f"{ATOM}rights", f"{MEDIA}content", f"{MEDIA}thumbnail",
    f"{RSSHUB}upvotes", f"{RSSHUB}downvotes", f"{RSSHUB}comments",
})
_ATOM_PERSONS = frozenset({f"{ATOM}author", f"{ATOM}contributor"})
_ATOM_PERSON_PARTS = frozenset({f"{ATOM}name", f"{ATOM}uri", f"{ATOM}email"})
_RSS_USED = frozenset({"title", "link", "description", "guid", "pubDate", f"{DC}date", f"{CONTENT}encoded"})
_RDF_USED = frozenset({f"{RSS1}title", f"{RSS1}link", f"{RSS1}description", f"{DC}date",
                       f"{CONTENT}encoded"})
_ATOM_USED = frozenset(f"{ATOM}{name}" for name in
                       ("id", "link", "title", "content", "summary", "published", "updated"))
_ATOM_MARKUP = frozenset({f"{ATOM}title", f"{ATOM}content", f"{ATOM}summary"})  # may be xhtml


class FastPathUnsupported(Exception):
    """The fast path cannot read this document faithfully; use feedparser."""


def parse_entries(text: str) -> tuple[str, list[RawEntry]]:
    """(format, entries) of an RSS 2.0 / RDF / Atom 1.0 document, or FastPathUnsupported."""
    if "xml:base" in text:
        raise FastPathUnsupported("xml:base needs URI resolution")
    try:
        root = fromstring(text, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except (ParseError, DefusedXmlException, ValueError) as exc:
        raise FastPathUnsupported(f"not well-formed: {exc}") from exc
    if root.tag == "rss" and root.get("version", "2.0").startswith("2."):
        channel = root.find("channel")
        if channel is None:
            raise FastPathUnsupported("rss without channel")
        return "rss", [_rss_item(item) for item in channel.iterfind("item")]
    if root.tag == f"{RDF}RDF":
        return "rdf", [_rdf_item(item) for item in root.iterfind(f"{RSS1}item")]
    if root.tag == f"{ATOM}feed":
        return "atom", [_atom_entry(entry) for entry in root.iterfind(f"{ATOM}entry")]
    raise FastPathUnsupported(f"root element {root.tag!r}")


def _check_children(item: Element, used: frozenset[str], harmless: frozenset[str]) -> None:
    """Raise FastPathUnsupported unless every child is one the fast path reads exactly as
    feedparser does: a used field (once, without child elements unless Atom xhtml), a harmless
    leaf, or an Atom person construct."""
    seen: set[str] = set()
    for child in item:
        tag = child.tag
        if tag in used:
            if tag in seen and tag != f"{ATOM}link":
                raise FastPathUnsupported(f"repeated field {tag!r}")
            seen.add(tag)
            if len(child) and not (tag in _ATOM_MARKUP and child.get("type") == "xhtml"):
                raise FastPathUnsupported(f"raw markup inside {tag!r}")
        elif tag in _ATOM_PERSONS and harmless is _ATOM_HARMLESS:
            if any(part.tag not in _ATOM_PERSON_PARTS or len(part) for part in child):
                raise FastPathUnsupported(f"unmodelled {tag!r} content")
        elif tag not in harmless or len(child):
            raise FastPathUnsupported(f"unmodelled item child {tag!r}")


def _as_feedparser(value: str) -> str:
    """feedparser's repair of UTF-8 read as Latin-1, then its cp1252 (0x80–0x9f) mapping."""
    if value.isascii():
        return value
    try:
        value = value.encode("iso-8859-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        pass
    return value.translate(_cp1252) if _C1_CONTROLS.search(value) else value  # translate is slow


def _text(item: Element, tag: str) -> str | None:
    child = item.find(tag)
    if child is None:
        return None
    return _as_feedparser(child.text or "")


def _plain_title(item: Element, tag: str) -> tuple[str, bool]:
    """An RSS/RDF title and whether it is HTML: feedparser guesses, and so must we."""
    title = _text(item, tag) or ""
    return title, _looks_like_html(title.strip())


def _rss_item(item: Element) -> RawEntry:
    _check_children(item, _RSS_USED, _RSS_HARMLESS)
    guid_el = item.find("guid")
    guid = _as_feedparser(guid_el.text or "").strip() if guid_el is not None else None
    # A <link> element wins even when empty; else a permalink guid stands in (as in feedparser).
    link = _text(item, "link")
    if link is None and guid_el is not None and _is_permalink(guid_el):
        link = guid
    encoded = _text(item, f"{CONTENT}encoded")
    title, title_is_html = _plain_title(item, "title")
    return RawEntry(
        entry_id=guid or None,
        link=link,
        title=title,
        title_is_html=title_is_html,
        content=encoded if encoded and encoded.strip() else _text(item, "description") or "",
        published=_text(item, "pubDate") or _text(item, f"{DC}date"),
    )


def _is_permalink(guid: Element) -> bool:
    values = [value for name, value in guid.attrib.items() if name.lower() == "ispermalink"]
    return (values[-1] if values else "true") == "true"


def _rdf_item(item: Element) -> RawEntry:
    _check_children(item, _RDF_USED, _RDF_HARMLESS)
    encoded = _text(item, f"{CONTENT}encoded")
    title, title_is_html = _plain_title(item, f"{RSS1}title")
    return RawEntry(
        entry_id=item.get(f"{RDF}about"),
        link=(_text(item, f"{RSS1}link") or "").strip() or None,
        title=title,
        title_is_html=title_is_html,
        content=encoded if encoded and encoded.strip() else _text(item, f"{RSS1}description") or "",
        published=_text(item, f"{DC}date"),
    )


def _atom_entry(entry: Element) -> RawEntry:
    _check_children(entry, _ATOM_USED, _ATOM_HARMLESS)
    title, title_is_html = _atom_text(entry.find(f"{ATOM}title"))
    # RSSHub writes <content type="html" src="{link}">description</content>: the text counts,
    # as in feedparser; only an empty content gives way to the summary.
    content, content_is_html = _atom_text(entry.find(f"{ATOM}content"))
    if not content.strip():
        content, content_is_html = _atom_text(entry.find(f"{ATOM}summary"))
    return RawEntry(
        entry_id=_text(entry, f"{ATOM}id"),
        link=_atom_link(entry),
        title=title,
        title_is_html=title_is_html,
        content=content,
        content_is_html=content_is_html,
        published=_text(entry, f"{ATOM}published") or _text(entry, f"{ATOM}updated"),
    )


def _atom_link(entry: Element) -> str | None:
    """The last alternate HTML link, else the id (feedparser treats an Atom id like a permalink
    guid); matching feedparser's choice keeps both paths' `url` identical."""
    chosen = None
    for link in entry.iterfind(f"{ATOM}link"):
        kind = link.get("type", "text/html").strip().lower()
        if link.get("rel", "alternate") == "alternate" and kind in _HTML_TYPES and link.get("href") is not None:
            chosen = link.get("href")
    if chosen is None:
        return _text(entry, f"{ATOM}id")
    return chosen


def _atom_text(element: Element | None) -> tuple[str, bool]:
    if element is None:
        return "", False
    kind = element.get("type", "text")
    if kind == "xhtml":
        children = list(element)
        if len(children) == 1 and children[0].tag.endswith("}div"):
            return _as_feedparser(_inner_html(children[0])), True
        return _as_feedparser(_inner_html(element)), True
    if kind in ("text", "text/plain"):
        return _as_feedparser(element.text or ""), False
    if kind in _HTML_TYPES:
        return _as_feedparser(element.text or ""), True
    raise FastPathUnsupported(f"atom text construct of type {kind!r}")


def _inner_html(element: Element) -> str:
    parts = [escape(element.text or "", quote=False)]
    for child in element:
        parts.append(_outer_html(child))
    return "".join(parts)


def _outer_html(element: Element) -> str:
    tag = element.tag.rsplit("}", 1)[-1]
    attrs = "".join(f' {name.rsplit("}", 1)[-1]}="{escape(value)}"' for name, value in element.attrib.items())
    inner = _inner_html(element)
    return f"<{tag}{attrs}>{inner}</{tag}>" + escape(element.tail or "", quote=False)

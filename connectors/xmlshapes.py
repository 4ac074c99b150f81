"""What the fast XML path accepts, and feedparser's text post-processing it must mirror.

The fast path (`connectors.fastxml`) reads an item only when every child is a field it reads
exactly as feedparser would, or a leaf that feedparser maps onto none of our fields; anything
else raises `FastPathUnsupported` and the document goes to feedparser.
"""

from __future__ import annotations

import re
from html import escape
from xml.etree.ElementTree import Element

from feedparser.html import _cp1252
from feedparser.mixin import _FeedParserMixin

# feedparser post-processes every element's text; the fast path applies the very same steps
# (taken from feedparser itself, so a feedparser upgrade cannot make the paths drift apart
# unnoticed: tests/test_connectors_xmlpaths.py compares them).
looks_like_html = _FeedParserMixin.looks_like_html
_C1_CONTROLS = re.compile("[\x80-\x9f]")

ATOM = "{http://www.w3.org/2005/Atom}"
RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
RSS1 = "{http://purl.org/rss/1.0/}"
RSS090 = "{http://my.netscape.com/rdf/simple/0.9/}"
DC = "{http://purl.org/dc/elements/1.1/}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
HTML_TYPES = {"text/html", "application/xhtml+xml", "html", "xhtml"}

MEDIA = "{http://search.yahoo.com/mrss/}"
ITUNES = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"
RSSHUB = "{http://rsshub.app/xml/schemas}"

# Leaf children that carry nothing feedparser would turn into id/link/title/content/time (RSSHub
# writes all of these). Anything else, or any of these with child elements (a media:content
# holding a media:title, say), sends the document to feedparser.
RSS_HARMLESS = frozenset({
    "author", "category", "comments", "enclosure", f"{DC}creator", f"{DC}subject", f"{DC}language",
    f"{DC}publisher", f"{DC}rights", f"{MEDIA}content", f"{MEDIA}thumbnail", f"{ITUNES}image",
    f"{ITUNES}duration", f"{ITUNES}explicit", "{http://wellformedweb.org/CommentAPI/}commentRss",
    "{http://purl.org/rss/1.0/modules/slash/}comments",
})
RDF_HARMLESS = frozenset({f"{DC}creator", f"{DC}subject", f"{DC}language", f"{DC}publisher"})
ATOM_HARMLESS = frozenset({
    f"{ATOM}category", f"{ATOM}rights", f"{MEDIA}content", f"{MEDIA}thumbnail",
    f"{RSSHUB}upvotes", f"{RSSHUB}downvotes", f"{RSSHUB}comments",
})
_ATOM_PERSONS = frozenset({f"{ATOM}author", f"{ATOM}contributor"})
_ATOM_PERSON_PARTS = frozenset({f"{ATOM}name", f"{ATOM}uri", f"{ATOM}email"})
RSS_USED = frozenset({"title", "link", "description", "guid", "pubDate", f"{DC}date", f"{CONTENT}encoded"})
RDF_USED = frozenset({f"{RSS1}title", f"{RSS1}link", f"{RSS1}description", f"{DC}date",
                      f"{CONTENT}encoded"})
ATOM_USED = frozenset(f"{ATOM}{name}" for name in
                      ("id", "link", "title", "content", "summary", "published", "updated"))
_ATOM_MARKUP = frozenset({f"{ATOM}title", f"{ATOM}content", f"{ATOM}summary"})  # may be xhtml


class FastPathUnsupported(Exception):
    """The fast path cannot read this document faithfully; use feedparser."""


def check_children(item: Element, used: frozenset[str], harmless: frozenset[str]) -> None:
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
        elif tag in _ATOM_PERSONS and harmless is ATOM_HARMLESS:
            if any(part.tag not in _ATOM_PERSON_PARTS or len(part) for part in child):
                raise FastPathUnsupported(f"unmodelled {tag!r} content")
        elif tag not in harmless or len(child):
            raise FastPathUnsupported(f"unmodelled item child {tag!r}")


def as_feedparser(value: str) -> str:
    """feedparser's repair of UTF-8 read as Latin-1, then its cp1252 (0x80–0x9f) mapping."""
    if value.isascii():
        return value
    try:
        value = value.encode("iso-8859-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        pass
    return value.translate(_cp1252) if _C1_CONTROLS.search(value) else value  # translate is slow


def inner_html(element: Element) -> str:
    parts = [escape(element.text or "", quote=False)]
    for child in element:
        parts.append(outer_html(child))
    return "".join(parts)


def outer_html(element: Element) -> str:
    tag = element.tag.rsplit("}", 1)[-1]
    attrs = "".join(f' {name.rsplit("}", 1)[-1]}="{escape(value)}"' for name, value in element.attrib.items())
    inner = inner_html(element)
    return f"<{tag}{attrs}>{inner}</{tag}>" + escape(element.tail or "", quote=False)

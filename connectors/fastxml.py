"""The fast path for well-formed RSS 2.0, RSS 1.0/RDF and Atom 1.0: ElementTree via defusedxml.

It reads only the shapes it fully understands and raises `FastPathUnsupported` for anything
else (not well-formed, unknown root, an item child that feedparser would map onto a field we
use, xml:base) so that `connectors.rss` can hand the body to feedparser instead. Both paths fill
the same `RawEntry` fields from the same raw strings.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from connectors.feedentry import RawEntry
from connectors.xmlshapes import (
    ATOM,
    ATOM_HARMLESS,
    ATOM_USED,
    CONTENT,
    DC,
    HTML_TYPES,
    RDF,
    RDF_HARMLESS,
    RDF_USED,
    RSS090,
    RSS1,
    RSS_HARMLESS,
    RSS_USED,
    FastPathUnsupported,
    as_feedparser,
    check_children,
    inner_html,
    looks_like_html,
)

__all__ = ["FastPathUnsupported", "parse_entries"]


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
        if root.find(f"{RSS090}item") is not None or root.find(f"{RSS090}channel") is not None:
            raise FastPathUnsupported("RSS 0.90 (the Netscape 0.9 namespace)")
        return "rdf", [_rdf_item(item) for item in root.iterfind(f"{RSS1}item")]
    if root.tag == f"{ATOM}feed":
        return "atom", [_atom_entry(entry) for entry in root.iterfind(f"{ATOM}entry")]
    raise FastPathUnsupported(f"root element {root.tag!r}")


def _text(item: Element, tag: str) -> str | None:
    child = item.find(tag)
    if child is None:
        return None
    return as_feedparser(child.text or "")


def _plain_title(item: Element, tag: str) -> tuple[str, bool]:
    """An RSS/RDF title and whether it is HTML: feedparser guesses, and so must we."""
    title = _text(item, tag) or ""
    return title, looks_like_html(title.strip())


def _rss_item(item: Element) -> RawEntry:
    check_children(item, RSS_USED, RSS_HARMLESS)
    guid_el = item.find("guid")
    guid = as_feedparser(guid_el.text or "").strip() if guid_el is not None else None
    # A <link> element wins even when empty; else a permalink guid stands in (as in feedparser).
    link = _text(item, "link")
    link_is_id = False
    if link is None and guid_el is not None and _is_permalink(guid_el):
        link, link_is_id = guid, True
    encoded = _text(item, f"{CONTENT}encoded")
    title, title_is_html = _plain_title(item, "title")
    return RawEntry(
        entry_id=guid or None,
        link=link,
        title=title,
        title_is_html=title_is_html,
        content=encoded if encoded and encoded.strip() else _text(item, "description") or "",
        published=_text(item, "pubDate") or _text(item, f"{DC}date"),
        link_is_id=link_is_id,
    )


def _is_permalink(guid: Element) -> bool:
    values = [value for name, value in guid.attrib.items() if name.lower() == "ispermalink"]
    return (values[-1] if values else "true") == "true"


def _rdf_item(item: Element) -> RawEntry:
    check_children(item, RDF_USED, RDF_HARMLESS)
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
    check_children(entry, ATOM_USED, ATOM_HARMLESS)
    title, title_is_html = _atom_text(entry.find(f"{ATOM}title"))
    # RSSHub writes <content type="html" src="{link}">description</content>: the text counts,
    # as in feedparser; only an empty content gives way to the summary.
    content, content_is_html = _atom_text(entry.find(f"{ATOM}content"))
    if not content.strip():
        content, content_is_html = _atom_text(entry.find(f"{ATOM}summary"))
    link = _atom_link(entry)
    return RawEntry(
        entry_id=_text(entry, f"{ATOM}id"),
        link=link if link is not None else _text(entry, f"{ATOM}id"),
        link_is_id=link is None,
        title=title,
        title_is_html=title_is_html,
        content=content,
        content_is_html=content_is_html,
        published=_text(entry, f"{ATOM}published") or _text(entry, f"{ATOM}updated"),
    )


def _atom_link(entry: Element) -> str | None:
    """The last alternate HTML link, or None (then the id stands in: feedparser treats an Atom
    id like a permalink guid); matching feedparser's choice keeps both paths' `url` identical."""
    chosen = None
    for link in entry.iterfind(f"{ATOM}link"):
        kind = link.get("type", "text/html").strip().lower()
        # A link without href but with text (malformed, yet seen): feedparser reads the text.
        href = link.get("href") if link.get("href") is not None else (link.text or "").strip() or None
        if link.get("rel", "alternate") == "alternate" and kind in HTML_TYPES and href is not None:
            chosen = href
    return chosen


def _atom_text(element: Element | None) -> tuple[str, bool]:
    if element is None:
        return "", False
    kind = element.get("type", "text")
    if kind == "xhtml":
        children = list(element)
        if len(children) == 1 and children[0].tag.endswith("}div"):
            return as_feedparser(inner_html(children[0])), True
        return as_feedparser(inner_html(element)), True
    if kind in ("text", "text/plain"):
        return as_feedparser(element.text or ""), False
    if kind in HTML_TYPES:
        return as_feedparser(element.text or ""), True
    raise FastPathUnsupported(f"atom text construct of type {kind!r}")

"""Bytes of an XML feed → text, safely: charset detection and the refusal of entity declarations.

Every XML body goes through `decode_xml` and `refuse_entity_declarations` before any parser sees
it, so neither the fast path nor feedparser can expand entities (billion laughs) or read external
ones (XXE), and both parse exactly the same characters.
"""

from __future__ import annotations

import codecs
import re

from connectors.base import Outcome, SourceError

_XML_DECL = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._:-]+)[\"']")
_XML_DECL_TEXT = re.compile(r"^(\s*<\?xml[^>]*?encoding\s*=\s*[\"'])([A-Za-z0-9._:-]+)([\"'])")
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9._:-]+)", re.IGNORECASE)
_DOCTYPE = re.compile(r"<!DOCTYPE", re.IGNORECASE)
_ENTITY_DECL = re.compile(r"<!ENTITY", re.IGNORECASE)
_ROOT = re.compile(r"<([A-Za-z_][\w.\-]*(?::[A-Za-z_][\w.\-]*)?)[\s/>]")
# GB2312- and GBK-declared feeds routinely contain characters outside those sets; GB18030 is a
# superset of both and decodes them all.
_CHINESE_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "cp936": "gb18030", "x-gbk": "gb18030",
                      "gb_2312-80": "gb18030", "euc-cn": "gb18030", "hz-gb-2312": "gb18030"}
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
         (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
         (codecs.BOM_UTF16_BE, "utf-16-be"))
# XML 1.0 Appendix F.1, "without a Byte Order Mark": the first four bytes of `<?xml` (or of any
# `<`) in UTF-32 and UTF-16 tell the encoding family and byte order.
_BOMLESS = ((b"\x00\x00\x00\x3c", "utf-32-be"), (b"\x3c\x00\x00\x00", "utf-32-le"),
            (b"\x00\x3c\x00\x3f", "utf-16-be"), (b"\x3c\x00\x3f\x00", "utf-16-le"),
            (b"\x00\x3c\x00", "utf-16-be"), (b"\x3c\x00", "utf-16-le"))


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    lowered = name.strip().lower()
    lowered = _CHINESE_SUPERSETS.get(lowered, lowered)
    try:
        return codecs.lookup(lowered).name
    except LookupError:
        return None


def charset_of(content_type: str | None) -> str | None:
    match = _CHARSET.search(content_type or "")
    return match.group(1) if match else None


def _utf16_32_without_bom(body: bytes) -> str | None:
    """The UTF-16/32 codec the first bytes of a BOM-less document reveal (Appendix F.1)."""
    for pattern, name in _BOMLESS:
        if body.startswith(pattern):
            return name
    return None


def decode_body(body: bytes, content_type: str | None = None) -> str:
    """Text of a body per XML 1.0 Appendix F: a BOM decides; then the byte pattern of UTF-16/32
    without a BOM; then valid UTF-8 is UTF-8 (Chinese CMSs often declare gb2312 over UTF-8 bytes,
    and GB text is practically never valid UTF-8) unless the document declares some other,
    non-Chinese encoding; then the declaration, the HTTP charset, GB18030."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            return body[len(bom):].decode(name, errors="replace")
    wide = _utf16_32_without_bom(body)
    if wide:
        return body.decode(wide, errors="replace")
    match = _XML_DECL.match(body[:512])
    declared = _codec(match.group(1).decode("ascii")) if match else None
    candidates = [declared, "utf-8"] if declared not in (None, "utf-8", "gb18030") else ["utf-8", declared]
    candidates += [_codec(charset_of(content_type)), "gb18030"]
    for name in dict.fromkeys(c for c in candidates if c):
        try:
            return body.decode(name)
        except UnicodeDecodeError:
            continue
    return body.decode(declared or "gb18030", errors="replace")


def refuse_entity_declarations(text: str) -> None:
    """Raise parse_error for a DOCTYPE that declares entities (billion laughs, XXE)."""
    doctype = _DOCTYPE.search(text)
    if doctype and _ENTITY_DECL.search(text, doctype.end()):
        raise SourceError(
            Outcome.PARSE_ERROR,
            "XML document declares entities in its DOCTYPE; refused (no entity expansion)",
        )


def skip_prolog(text: str) -> int:
    """Index of the root element's `<` (after the declaration, comments, PIs and DOCTYPE)."""
    pos = 0
    length = len(text)
    while pos < length:
        while pos < length and text[pos] in " \t\r\n\ufeff":
            pos += 1
        if text.startswith("<?", pos):
            end = text.find("?>", pos)
            pos = length if end < 0 else end + 2
        elif text.startswith("<!--", pos):
            end = text.find("-->", pos)
            pos = length if end < 0 else end + 3
        elif text[pos:pos + 9].upper() == "<!DOCTYPE":
            bracket = text.find("[", pos)
            close = text.find(">", pos)
            if 0 <= bracket < close:
                close = text.find("]", bracket)
                close = text.find(">", close) if close >= 0 else -1
            pos = length if close < 0 else close + 1
        else:
            return pos
    return pos


def root_tag(text: str) -> str | None:
    """Qualified name of the root element (`rss`, `feed`, `rdf:RDF`, `html`…), or None."""
    match = _ROOT.match(text, skip_prolog(text))
    return match.group(1) if match else None


def as_utf8_xml(text: str) -> bytes:
    """The text as UTF-8 bytes, its XML declaration saying so (what feedparser is given)."""
    return _XML_DECL_TEXT.sub(r"\g<1>utf-8\g<3>", text, count=1).encode("utf-8")

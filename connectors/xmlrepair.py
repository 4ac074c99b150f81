"""Repairs for the everyday faults of Chinese feeds, applied before the liberal fallback.

Bridges and CMSs write WeChat URLs with bare `&` (`?__biz=…&mid=…`), HTML entities such as
`&nbsp;` and control characters copied from post text. A liberal parser guesses at those (it
reads `&mid` as an entity and keeps `&amp;` in a guid), which changes post ids. Repairing them
the way the author meant makes most such feeds well-formed, so the fast path reads them, and
gives feedparser clean input when it still has to step in. CDATA sections are left untouched:
their content is taken literally.
"""

from __future__ import annotations

import re
from html.entities import name2codepoint

_CDATA = re.compile(r"(<!\[CDATA\[.*?(?:\]\]>|\Z))", re.DOTALL)  # an unclosed one runs to the end
_REFERENCE = re.compile(r"&(?:([A-Za-z][A-Za-z0-9]{0,31})|#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6});|&")
_XML_PREDEFINED = frozenset({"amp", "lt", "gt", "quot", "apos"})
# Characters XML 1.0 forbids even as references.
_ILLEGAL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _fix_reference(match: re.Match[str]) -> str:
    whole, name = match.group(0), match.group(1)
    if whole == "&":
        return "&amp;"
    if name is None or name in _XML_PREDEFINED:
        return whole
    codepoint = name2codepoint.get(name)
    return f"&#{codepoint};" if codepoint is not None else f"&amp;{name};"


def repair_liberal_xml(text: str) -> str:
    """Text with bare `&` escaped, HTML named entities as character references and illegal
    control characters removed, outside CDATA sections."""
    text = _ILLEGAL_CHARS.sub("", text)
    parts = _CDATA.split(text)
    for index in range(0, len(parts), 2):  # even indexes are outside CDATA
        parts[index] = _REFERENCE.sub(_fix_reference, parts[index])
    return "".join(parts)

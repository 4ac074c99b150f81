"""Text that leaves the tool: one step for every way out (terminal, JSON, Markdown, spreadsheet,
CSV, document, terminal UI), so that names from registries, feeds and profiles are shown
literally everywhere (docs/contract.md §9).

What is unsafe is one set of characters, `UNSAFE`: C0 controls (ESC starts the terminal's
CSI/OSC sequences: ESC[2J, OSC 52 clipboard writes, OSC 8 links), DEL, C1 controls (U+009B is
an 8-bit CSI on some terminals), the bidirectional embeddings, overrides and isolates (U+202E
turns "gpj.exe" into "exe.jpg"), the line and paragraph separators, BOM, and the code points XML
cannot hold (lone surrogates, U+FFFE, U+FFFF: python-docx and openpyxl refuse them). Each is
shown as its escape (`\\x1b`, `\\u202e`), so a reader sees that it is there and no device acts on
it. The channels add their own rules on top: Markdown escapes its syntax and HTML, CSV neutralises
formula triggers reversibly, JSON keeps every character (as a `\\u` escape).
"""

from __future__ import annotations

import json
import re
from typing import Any

import orjson

_LINE_BREAK = "\n"
_CONTROLS = "\x00-\x09\x0b-\x1f\x7f-\x9f"  # C0 but the newline, DEL, C1
_INVISIBLE = "\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff\ufffe\uffff"
UNSAFE = re.compile(f"[{_CONTROLS}{_LINE_BREAK}{_INVISIBLE}]")
_UNSAFE_BUT_NEWLINE = re.compile(f"[{_CONTROLS}{_INVISIBLE}]")


_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    return _SHORT.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def printable(value: object, *, newlines: bool = False) -> str:
    """`value` as text a terminal, a document or a cell shows as it is: every unsafe character
    replaced by its visible escape. `newlines=True` keeps line breaks (multi-line messages)."""
    text = "" if value is None else value if isinstance(value, str) else str(value)
    pattern = _UNSAFE_BUT_NEWLINE if newlines else UNSAFE
    return pattern.sub(_escape, text) if pattern.search(text) else text


def printable_lines(text: str) -> str:
    return printable(text, newlines=True)


def _json_escape(match: re.Match[str]) -> str:
    return "".join(f"\\u{unit:04x}" for unit in _utf16_units(match.group()))


def _utf16_units(char: str) -> list[int]:
    code = ord(char)
    if code < 0x10000:
        return [code]
    code -= 0x10000
    return [0xD800 + (code >> 10), 0xDC00 + (code & 0x3FF)]


_ORJSON_INDENTED = (orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME
                    | orjson.OPT_PASSTHROUGH_DATACLASS)


def json_text(value: Any, *, indent: int | None = 2) -> str:
    """JSON with every character kept and none of them able to act on a terminal: what
    `json.dumps(ensure_ascii=False)` leaves raw (DEL, C1, bidi marks, separators) becomes a
    `\\u` escape, which any JSON reader turns back into the same character.

    Indented output is orjson's (a check of 100,000 accounts prints 60 MB; the standard library
    indents in pure Python, 15× slower), byte for byte what `json.dumps(indent=2,
    ensure_ascii=False, default=str)` writes; what orjson refuses (integers beyond 64 bits, lone
    surrogates) falls back to the standard library."""
    text = None
    if indent == 2:
        try:
            text = orjson.dumps(value, default=str, option=_ORJSON_INDENTED).decode()
        except (TypeError, ValueError):  # orjson.JSONEncodeError is a TypeError
            text = None
    if text is None:
        text = json.dumps(value, ensure_ascii=False, indent=indent, default=str)
    # json.dumps escapes C0 inside strings itself; the newlines left are those of `indent`
    return _UNSAFE_BUT_NEWLINE.sub(_json_escape, text) if _UNSAFE_BUT_NEWLINE.search(text) else text


# Spreadsheets: a cell whose text starts with one of these is a formula (or a DDE call) to
# Excel and LibreOffice (OWASP, "CSV Injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NEUTRALISED = re.compile(r"'*[=+\-@\t\r]")


def starts_formula(text: str) -> bool:
    return text.startswith(FORMULA_TRIGGERS)


def csv_cell(value: object) -> str:
    """A CSV cell no spreadsheet runs: a leading formula trigger gets a `'` in front (OWASP).
    A value that already starts with quotes before a trigger gets one more, so that
    `csv_value` (the importer) takes exactly one away and export → import changes nothing."""
    text = "" if value is None else str(value)
    return "'" + text if _NEUTRALISED.match(text) else text


def csv_value(cell: str) -> str:
    """The value `csv_cell` wrote: one leading `'` before quotes and a trigger removed."""
    return cell[1:] if cell.startswith("'") and _NEUTRALISED.match(cell) else cell


# Markdown: every character that can start emphasis, code, a link or image, raw HTML, an entity
# or a table cell break; a backslash before ASCII punctuation makes it literal (CommonMark 2.4).
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]()<>!|~&])")


def markdown_text(value: object) -> str:
    """Text Markdown renders as it is: no HTML, no link or image (`[x](javascript:…)`), no
    emphasis, no table cell break; unsafe characters (newlines included) as escapes."""
    text = printable(value)
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)

"""Plain-text tables for people: columns padded by display width, where a CJK character (East
Asian Wide or Fullwidth) takes two cells. The one padder of the CLI tables and the demo summary."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from tracker.domain.text_out import printable


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in ("W", "F") else 1 for char in text)


def pad(text: str, width: int) -> str:
    return text + " " * (width - display_width(text))


def table_lines(headers: Sequence[str], rows: Sequence[Sequence[object]], *, rule: bool = True) -> list[str]:
    """The header, a line of dashes (with `rule`), then the rows; None prints as nothing, and every
    cell is `printable` (control characters and escapes shown, never sent to the terminal)."""
    cells = [[("" if value is None else printable(value)) for value in row] for row in rows]
    headers = [printable(header) for header in headers]
    widths = [display_width(header) for header in headers]
    for row in cells:
        for index, value in enumerate(row):
            widths[index] = max(widths[index], display_width(value))
    lines = ["  ".join(pad(h, widths[i]) for i, h in enumerate(headers)).rstrip()]
    if rule:
        lines.append("  ".join("-" * width for width in widths))
    lines += ["  ".join(pad(v, widths[i]) for i, v in enumerate(row)).rstrip() for row in cells]
    return lines

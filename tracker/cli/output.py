"""Plain-text tables for people (CJK-aware widths). Every cell passes `printable`: a name holding
ESC, a C1 control or a bidi override shows its escape instead of acting on the terminal."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

import typer

from tracker.domain.text_out import printable


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in ("W", "F") else 1 for char in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - display_width(text))


def render_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    cells = [[printable(value) for value in row] for row in rows]
    headers = [printable(header) for header in headers]
    widths = [display_width(header) for header in headers]
    for row in cells:
        for index, value in enumerate(row):
            widths[index] = max(widths[index], display_width(value))
    lines = ["  ".join(_pad(h, widths[i]) for i, h in enumerate(headers)).rstrip()]
    lines.append("  ".join("-" * width for width in widths))
    lines += ["  ".join(_pad(v, widths[i]) for i, v in enumerate(row)).rstrip() for row in cells]
    return "\n".join(lines)


def echo_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    typer.echo(render_table(headers, rows))


def echo_text(text: str, *, err: bool = False) -> None:
    """A line (or lines) that holds data: shown literally, its line breaks kept."""
    typer.echo(printable(text, newlines=True), err=err)

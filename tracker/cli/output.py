"""Plain-text tables for people (CJK-aware widths: `tracker.domain.textwidth`). Every cell passes
`printable`: a name holding ESC, a C1 control or a bidi override shows its escape instead of acting
on the terminal."""

from __future__ import annotations

from collections.abc import Sequence

import typer

from tracker.domain.text_out import printable
from tracker.domain.textwidth import display_width, table_lines

__all__ = ["display_width", "echo_table", "render_table"]


def render_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    return "\n".join(table_lines(headers, rows))


def echo_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    typer.echo(render_table(headers, rows))


def echo_text(text: str, *, err: bool = False) -> None:
    """A line (or lines) that holds data: shown literally, its line breaks kept."""
    typer.echo(printable(text, newlines=True), err=err)

"""Plain-text tables for people (CJK-aware widths: `tracker.domain.textwidth`)."""

from __future__ import annotations

from collections.abc import Sequence

import typer

from tracker.domain.textwidth import display_width, table_lines

__all__ = ["display_width", "echo_table", "render_table"]


def render_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    return "\n".join(table_lines(headers, rows))


def echo_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    typer.echo(render_table(headers, rows))

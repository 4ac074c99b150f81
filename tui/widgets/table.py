"""Textual's DataTable with column widths that repaint when they change.

The DataTable measures the cells of new rows on idle, after `add_row`, but its line caches are
keyed by an update counter that the measuring does not bump. A table painted between `add_row`
and that idle callback (a worker's rows arriving while the app is busy) keeps its columns at
the header's width, cutting "福建省/厦门市" to "福建", until some later change re-keys the caches.
This subclass re-keys them whenever the measured widths change.

It also shows every `str` cell, label and column title literally (`literal`): Textual's own
runs `Text.from_markup` on them, which a name such as `[/x]坏名` crashes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.text import Text
from textual.widgets import DataTable as TextualDataTable
from textual.widgets.data_table import ColumnKey, RowKey

from tui.widgets.format import literal


def _cell(value: Any) -> Any:
    return literal(value) if isinstance(value, str) else value


class DataTable(TextualDataTable):
    def add_column(self, label: str | Text, *, width: int | None = None, key: str | None = None,
                   default: Any = None) -> ColumnKey:
        return super().add_column(_cell(label), width=width, key=key, default=_cell(default))

    def add_row(self, *cells: Any, height: int | None = 1, key: str | None = None,
                label: str | Text | None = None) -> RowKey:
        return super().add_row(*(_cell(cell) for cell in cells), height=height, key=key, label=_cell(label))

    def update_cell(self, row_key: Any, column_key: Any, value: Any, *, update_width: bool = False) -> None:
        super().update_cell(row_key, column_key, _cell(value), update_width=update_width)

    def update_cell_at(self, coordinate: Any, value: Any, *, update_width: bool = False) -> None:
        super().update_cell_at(coordinate, _cell(value), update_width=update_width)

    def _column_widths(self) -> list[int]:
        return [self._label_column.content_width, *(column.content_width for column in self.columns.values())]

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        before = self._column_widths()
        super()._update_dimensions(new_rows)
        if self._column_widths() != before:
            self._update_count += 1  # the caches' key: lines drawn at the old widths are not reused
            self.refresh()

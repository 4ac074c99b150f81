"""Textual's DataTable with column widths that repaint when they change.

The DataTable measures the cells of new rows on idle, after `add_row`, but its line caches are
keyed by an update counter that the measuring does not bump. A table painted between `add_row`
and that idle callback (a worker's rows arriving while the app is busy) keeps its columns at
the header's width, cutting "福建省/厦门市" to "福建", until some later change re-keys the caches.
This subclass re-keys them whenever the measured widths change.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual.widgets import DataTable as TextualDataTable
from textual.widgets.data_table import RowKey


class DataTable(TextualDataTable):
    def _column_widths(self) -> list[int]:
        return [self._label_column.content_width, *(column.content_width for column in self.columns.values())]

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        before = self._column_widths()
        super()._update_dimensions(new_rows)
        if self._column_widths() != before:
            self._update_count += 1  # the caches' key: lines drawn at the old widths are not reused
            self.refresh()

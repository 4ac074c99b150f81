"""A big number with its label, for the dashboard totals."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.reactive import reactive
from textual.widgets import Static


class Stat(Vertical):
    value: reactive[str] = reactive("…")

    def __init__(self, label: str, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="stat")
        self.label = label

    def compose(self) -> ComposeResult:
        yield Static(self.value, classes="stat-value")
        yield Static(self.label, classes="stat-label")

    def watch_value(self, value: str) -> None:
        if self.is_mounted:
            self.query_one(".stat-value", Static).update(value)

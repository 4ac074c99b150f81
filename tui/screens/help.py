"""`?`: the keys of every screen."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.i18n import localise_bindings, t


class HelpScreen(ModalScreen):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "nav.back"),
        Binding("question_mark", "app.pop_screen", "nav.back", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        localise_bindings(self)

    def compose(self) -> ComposeResult:
        with Vertical(id="help"):
            yield Static(t("help.title"), classes="form-title")
            yield Static(t("help.body"))

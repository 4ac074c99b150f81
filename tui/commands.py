"""Every action of the app for the command palette (ctrl+p), labelled from the catalogue.

Each entry is (catalogue key of the title, catalogue key of the help line, what it does)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import TYPE_CHECKING

from textual.app import SystemCommand

from tui.i18n import t

if TYPE_CHECKING:
    from tui.app import TrackerApp

FORM_KINDS = ("open", "rename", "transfer", "suspend", "close", "observe")


def _entries(app: TrackerApp) -> Iterator[tuple[str, str, Callable[[], object]]]:
    for mode in ("dashboard", "accounts", "findings", "reports"):
        yield f"nav.{mode}", f"cmdhelp.{mode}", partial(app.action_goto, mode)
    yield "nav.search", "cmdhelp.search", app.action_search
    yield "cmd.check", "cmdhelp.check", app.action_run_check
    yield "cmd.poll", "cmdhelp.poll", app.action_poll
    yield "cmd.reports", "cmdhelp.reports", lambda: app.action_goto("reports")
    for kind in FORM_KINDS:
        yield f"cmd.{kind}", f"cmdhelp.{'observe' if kind == 'observe' else 'filing'}", partial(app.action_form, kind)
    yield "nav.help", "cmdhelp.help", app.action_help
    yield "nav.quit", "cmdhelp.quit", app.exit


def tracker_commands(app: TrackerApp) -> Iterator[SystemCommand]:
    for title, help_key, callback in _entries(app):
        yield SystemCommand(t(title), t(help_key), callback)

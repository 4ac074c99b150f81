"""Every action of the app for the command palette (ctrl+p), labelled from the catalogue."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from textual.app import SystemCommand

from tui.i18n import t

if TYPE_CHECKING:
    from tui.app import TrackerApp

FORM_KINDS = ("open", "rename", "transfer", "suspend", "close", "observe")


def _screens(app: TrackerApp) -> Iterator[tuple[str, Callable[[], object]]]:
    yield t("nav.dashboard"), lambda: app.action_goto("dashboard")
    yield t("nav.accounts"), lambda: app.action_goto("accounts")
    yield t("nav.findings"), lambda: app.action_goto("findings")
    yield t("nav.reports"), lambda: app.action_goto("reports")
    yield t("nav.search"), app.action_search
    yield t("nav.help"), app.action_help


def _actions(app: TrackerApp) -> Iterator[tuple[str, Callable[[], object]]]:
    yield t("cmd.check"), app.action_run_check
    yield t("cmd.poll"), app.action_poll
    yield t("cmd.reports"), lambda: app.action_goto("reports")
    for kind in FORM_KINDS:
        yield t(f"cmd.{kind}"), (lambda kind=kind: app.action_form(kind))


def tracker_commands(app: TrackerApp) -> Iterator[SystemCommand]:
    for title, callback in _screens(app):
        yield SystemCommand(title, t("cmd.help_text"), callback)
    for title, callback in _actions(app):
        yield SystemCommand(title, t("cmd.action_help"), callback)

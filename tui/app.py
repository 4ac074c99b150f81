"""The Textual app: modes for the four main screens, pushed screens for details, forms and help.

The app holds the database and the settings (attributes down); screens post `AccountChosen`,
`RegionChosen`, `FormRequested` and `DataChanged` (messages up). Every query runs in a thread
worker.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from textual import events, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.notifications import SeverityLevel
from textual.screen import Screen

from tracker.domain.text_out import printable
from tracker.read.accounts import AccountLine
from tracker.settings import Settings
from tracker.storage.db import Database
from tui import operations
from tui.commands import tracker_commands
from tui.i18n import localise_bindings, set_language, t
from tui.messages import AccountChosen, DataChanged, FormRequested, RegionChosen
from tui.screens.accounts import AccountsScreen
from tui.screens.base import TrackerScreen
from tui.screens.dashboard import DashboardScreen
from tui.screens.detail import AccountDetailScreen
from tui.screens.findings import FindingsScreen
from tui.screens.forms import FilingForm, ObservationForm
from tui.screens.help import HelpScreen
from tui.screens.reports import ReportsScreen

MODE_SCREENS: dict[str, type[TrackerScreen]] = {
    "dashboard": DashboardScreen,
    "accounts": AccountsScreen,
    "findings": FindingsScreen,
    "reports": ReportsScreen,
}


class TrackerApp(App):
    CSS_PATH = "app.tcss"
    MODES = {**MODE_SCREENS}

    def __init__(self, db: Database, settings: Settings, *, lang: str = "zh", at: datetime | None = None) -> None:
        set_language(lang)
        self.db = db
        self.settings = settings
        self.at = at  # None: now; tests and snapshots fix it
        self.generation = 0  # bumped by every write; screens reload when theirs is older
        # (generation, first page), read ahead by the dashboard
        self.prefetched_accounts: tuple[int, tuple[list[AccountLine], int]] | None = None
        self.typed_ahead: list[str] | None = None  # keys typed after `/` until the search box has focus
        super().__init__()
        localise_bindings(self)
        self.title = t("app.title")

    # Descriptions are catalogue keys, translated per instance by localise_bindings.
    BINDINGS = [
        Binding("q", "quit", "nav.quit"),
        Binding("question_mark", "help", "nav.help"),
        Binding("slash", "search", "nav.search"),
        Binding("d", "goto('dashboard')", "nav.dashboard"),
        Binding("a", "goto('accounts')", "nav.accounts"),
        Binding("f", "goto('findings')", "nav.findings"),
        Binding("r", "goto('reports')", "nav.reports"),
        Binding("ctrl+p", "command_palette", "nav.palette", show=False, priority=True),  # Textual's own is in English
    ]

    def on_mount(self) -> None:
        self.switch_mode("dashboard")

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information", timeout: float | None = None,
               markup: bool = False) -> None:
        """Notifications quote names and error texts: shown literally unless asked otherwise."""
        super().notify(printable(message, newlines=True), title=title, severity=severity, timeout=timeout, markup=markup)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from tracker_commands(self)  # Textual's own (theme, screenshot …) would be in English only

    # navigation
    def action_goto(self, mode: str) -> None:
        while len(self.screen_stack) > 1 and not isinstance(self.screen, tuple(MODE_SCREENS.values())):
            self.pop_screen()
        self.switch_mode(mode)

    def action_search(self) -> None:
        if self.typed_ahead is None:
            self.typed_ahead = []
        self.action_goto("accounts")
        screen = self.screen
        assert isinstance(screen, AccountsScreen)  # action_goto switched to it
        screen.begin_search()

    async def on_event(self, event: events.Event) -> None:
        # Keys typed right after `/` arrive while the accounts screen mounts (or, already queued,
        # bubble up from the screen they were typed on): kept until the search box has focus.
        if isinstance(event, events.Key) and self.typed_ahead is not None and event.is_printable and event.character:
            self.typed_ahead.append(event.character)
            event.stop()
            return
        await super().on_event(event)

    def take_typed_ahead(self) -> str:
        typed, self.typed_ahead = "".join(self.typed_ahead or ()), None
        return typed

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_form(self, kind: str, account: str | None = None) -> None:
        if account is None and isinstance(self.screen, AccountDetailScreen):
            account = self.screen.account
        form = ObservationForm(account) if kind == "observe" else FilingForm(kind, account)
        self.push_screen(form)

    def on_account_chosen(self, message: AccountChosen) -> None:
        self.push_screen(AccountDetailScreen(message.account))

    def on_region_chosen(self, message: RegionChosen) -> None:
        self.action_goto("accounts")

        def show_region() -> None:
            screen = self.screen
            assert isinstance(screen, AccountsScreen)  # action_goto switched to it
            screen.show_region(message.region)

        self.call_after_refresh(show_region)

    def on_form_requested(self, message: FormRequested) -> None:
        self.action_form(message.kind, message.account)

    def on_data_changed(self, message: DataChanged) -> None:
        self.generation += 1
        reload = getattr(self.screen, "reload_if_stale", None)
        if reload is not None:
            reload()

    # long-running actions, reachable from the palette and the reports screen
    def action_run_check(self) -> None:
        self._run_operation(t("rep.check"), operations.run_check)

    def action_poll(self) -> None:
        self._run_operation(t("rep.poll"), operations.poll_all)

    @work(thread=True, group="operations")
    def _run_operation(self, label: str, operation) -> None:
        self.call_from_thread(self.notify, t("rep.working", what=label))
        try:
            message = operation(self.db, self.settings, self.at)
        except Exception as exc:
            text = str(exc) if isinstance(exc, operations.OperationError) else f"{type(exc).__name__}: {exc}"
            self.call_from_thread(self.notify, text, severity="error", timeout=10)
            return
        self.call_from_thread(self.notify, message, timeout=8)
        self.call_from_thread(self.post_message, DataChanged(label))

"""临期: the accounts that will fall into an update-family finding within the warning days unless
they post (`tracker due`, the same list); those whose feed the tool has not seen are 待核实, never
临期. Enter opens the account."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Header, Static

from tracker.domain.times import now_utc
from tracker.read.due import DueList, due_accounts
from tui.i18n import load_rule_names, rule_name, t
from tui.messages import AccountChosen
from tui.screens.base import TrackerScreen, shows_errors
from tui.widgets.format import literal, when


class DueScreen(TrackerScreen):
    BINDINGS = [Binding("escape", "app.pop_screen", "nav.back")]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(t("due.loading"), id="due-title", classes="section-title")
        yield DataTable(id="due", cursor_type="row", zebra_stripes=True)
        yield Static("", id="due-unverified")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#due", DataTable).add_columns(
            t("due.lapses"), t("due.days_left"), t("col.account"), t("col.name"), t("col.region"), t("col.rule"))
        super().on_mount()

    @work(thread=True, exclusive=True, group="due")
    @shows_errors
    def load(self) -> None:
        listed = due_accounts(self.app.db, self.app.settings, self.app.at or now_utc())
        load_rule_names()
        self.app.call_from_thread(self.show, listed)

    def show(self, listed: DueList) -> None:
        self.query_one("#due-title", Static).update(t("due.title", count=len(listed.due)))
        table = self.query_one("#due", DataTable)
        table.clear()
        for line in listed.due:
            table.add_row(when(line.due.lapses_at), f"{line.days_left:g}", literal(line.due.account),
                          literal(line.account_name), literal(line.region), rule_name(line.due.rule),
                          key=line.due.account)
        held = self.query_one("#due-unverified", Static)
        names = "、".join(line.account_name for line in listed.unverified[:5])
        held.update(literal(t("due.unverified", count=len(listed.unverified), names=names)) if listed.unverified else "")

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value:
            self.post_message(AccountChosen(event.row_key.value))

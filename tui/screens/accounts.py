"""Accounts: filters (region, platform, status, rule), search by name or id, pages of 50."""

from __future__ import annotations

from rich.text import Text
from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.css.query import NoMatches
from textual.timer import Timer
from textual.widgets import Footer, Header, Input, Select, Static

from tracker.read import accounts as views
from tui.i18n import PLATFORM, STATUS, load_rule_names, name_of, rule_name, t
from tui.messages import AccountChosen
from tui.screens.base import TrackerScreen, shows_errors
from tui.widgets.format import literal
from tui.widgets.table import DataTable

PAGE_SIZE = 50  # a screenful or two; a DataTable paints 50 rows much faster than 100
SEARCH_DELAY = 0.25  # seconds of typing pause before the list reloads


def prefetch_first_page(app) -> None:
    """Read the unfiltered first page ahead, while the user looks at the dashboard."""
    generation = app.generation
    app.prefetched_accounts = (generation, views.account_page(app.db, views.AccountFilter(), offset=0, limit=PAGE_SIZE))


class AccountsScreen(TrackerScreen):
    BINDINGS = [
        Binding("right_square_bracket", "page(1)", "nav.next_page"),
        Binding("left_square_bracket", "page(-1)", "nav.prev_page"),
        Binding("ctrl+pagedown", "page(1)", "nav.next_page", show=False),
        Binding("ctrl+pageup", "page(-1)", "nav.prev_page", show=False),
        Binding("escape", "to_list", "nav.back", show=False),  # out of the search box or a filter
        Binding("u", "only_unverified", "nav.unverified"),  # the rule filter on 待核实, or off again
    ]

    def action_only_unverified(self) -> None:
        select = self.query_one("#rule", Select)
        if select.value == views.UNVERIFIED:
            select.clear()
            return
        if not self.choices_loaded:  # the filter choices (which always offer 待核实) are still loading
            select.set_options([(rule_name(views.UNVERIFIED), views.UNVERIFIED)])
        select.value = views.UNVERIFIED

    def action_to_list(self) -> None:
        self.query_one("#accounts", DataTable).focus()

    def __init__(self) -> None:
        super().__init__()
        self.page = 0
        self.total = 0
        self.choices_loaded = False
        self._search_timer: Timer | None = None
        self._request = 0  # the newest page asked for: an older answer arriving late is dropped
        self._search_first = False  # `/` opened this screen: the search box, not the table, takes focus

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="filters"):
            yield Select([], prompt=t("acc.any_region"), id="region")
            yield Select([], prompt=t("acc.any_platform"), id="platform")
            yield Select([], prompt=t("acc.any_status"), id="status")
            yield Select([], prompt=t("acc.any_rule"), id="rule")
            yield Input(placeholder=t("acc.search_hint"), id="search")
        yield DataTable(id="accounts", cursor_type="row", zebra_stripes=True)
        yield Static(t("acc.loading"), id="page-info")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#accounts", DataTable)
        table.add_columns(
            t("col.account"), t("col.name"), t("col.platform"), t("col.org"), t("col.region"), t("col.status"), t("col.rules")
        )
        super().on_mount()  # the first page before the filter choices: it is what the user waits for
        self.load_choices()
        if self._search_first:
            self.begin_search()
        else:
            table.focus()

    def begin_search(self) -> None:
        """Focus the search box (the app keeps the keys typed until it has focus)."""
        try:
            search = self.query_one("#search", Input)
        except NoMatches:  # not composed yet: on_mount comes back here
            self._search_first = True
            return
        self._search_first = False
        search.focus()

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        if isinstance(event.widget, Input) and event.widget.id == "search":
            typed = self.app.take_typed_ahead()
            if typed:
                event.widget.insert_text_at_cursor(typed)

    @work(thread=True, group="choices")
    @shows_errors
    def load_choices(self) -> None:
        choices = views.filter_choices(self.app.db)
        load_rule_names()
        self.app.call_from_thread(self.show_choices, choices)

    def show_choices(self, choices: views.FilterChoices) -> None:
        options: dict[str, list[tuple[Text | str, str]]] = {
            "#region": [(literal(region), region) for region in choices.regions],
            "#platform": [(name_of(PLATFORM, p), p) for p in choices.platforms],
            "#status": [(name_of(STATUS, s), s) for s in choices.statuses],
            "#rule": [(rule_name(r), r) for r in choices.rules],
        }
        for selector, pairs in options.items():
            select = self.query_one(selector, Select)
            chosen = select.value  # set_options clears the choice; keep one made while loading
            with select.prevent(Select.Changed):
                select.set_options(pairs)
                if chosen != Select.NULL and chosen in {value for _, value in pairs}:
                    select.value = chosen
        self.choices_loaded = True

    def show_region(self, region: str) -> None:
        """Only the accounts of one report region (from the dashboard); the other filters clear."""
        for selector in ("#platform", "#status", "#rule"):
            self.query_one(selector, Select).clear()
        self.query_one("#search", Input).value = ""
        select = self.query_one("#region", Select)
        if not self.choices_loaded:
            select.set_options([(literal(region), region)])  # until the choices arrive
        select.value = region
        self.query_one("#accounts", DataTable).focus()

    def current_filter(self) -> views.AccountFilter:
        def chosen(selector: str) -> str | None:
            value = self.query_one(selector, Select).value
            return None if value == Select.NULL else str(value)

        return views.AccountFilter(
            region=chosen("#region"),
            platform=chosen("#platform"),
            status=chosen("#status"),
            rule=chosen("#rule"),
            search=self.query_one("#search", Input).value or None,
        )

    def load(self) -> None:
        flt = self.current_filter()
        first, self.app.prefetched_accounts = self.app.prefetched_accounts, None
        if first is not None and first[0] == self.app.generation and flt == views.AccountFilter() and self.page == 0:
            self.show_page(*first[1], 0)
            return
        self.fetch_page(flt, self.page)

    def fetch_page(self, flt: views.AccountFilter, page: int) -> None:
        self._request += 1
        self._fetch(flt, page, self._request)

    @work(thread=True, exclusive=True, group="accounts")
    @shows_errors
    def _fetch(self, flt: views.AccountFilter, page: int, request: int) -> None:
        lines, total = views.account_page(self.app.db, flt, offset=page * PAGE_SIZE, limit=PAGE_SIZE)
        load_rule_names()
        self.app.call_from_thread(self._answer, request, lines, total, page)

    def _answer(self, request: int, lines: list[views.AccountLine], total: int, page: int) -> None:
        # A thread worker cannot be cancelled mid-query: the unfiltered first page of 100,000
        # accounts may arrive after the search typed meanwhile, and must not replace it.
        if request == self._request:
            self.show_page(lines, total, page)

    def show_page(self, lines: list[views.AccountLine], total: int, page: int) -> None:
        self.total, self.page = total, page
        table = self.query_one("#accounts", DataTable)
        table.clear()
        for line in lines:
            rules = " ".join(rule_name(rule) for rule in line.rules)
            table.add_row(
                line.account, line.account_name, name_of(PLATFORM, line.platform), line.org_name,
                line.region, name_of(STATUS, line.status), rules, key=line.account,
            )
        pages = max(1, -(-total // PAGE_SIZE))
        info = t("acc.page", page=page + 1, pages=pages, total=f"{total:,}") if total else t("acc.none")
        self.query_one("#page-info", Static).update(info)

    def action_page(self, step: int) -> None:
        pages = max(1, -(-self.total // PAGE_SIZE))
        target = min(max(self.page + step, 0), pages - 1)
        if target != self.page:
            self.page = target  # at once, so quick presses add up before the page arrives
            self.fetch_page(self.current_filter(), target)

    def restart(self) -> None:
        self.page = 0
        self.load()

    def on_select_changed(self, event: Select.Changed) -> None:
        self.restart()

    def on_input_changed(self, event: Input.Changed) -> None:
        if self._search_timer is not None:
            self._search_timer.stop()
        self._search_timer = self.set_timer(SEARCH_DELAY, self.restart)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if self._search_timer is not None:
            self._search_timer.stop()
        self.restart()
        self.query_one("#accounts", DataTable).focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value:
            self.post_message(AccountChosen(event.row_key.value))

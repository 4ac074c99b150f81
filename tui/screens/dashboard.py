"""The first screen: totals, one row per region like the report, newest findings, poll health."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Header, Static

from tracker.read import dashboard as queries
from tracker.read.trends import QuarterRate, quarter_rates
from tui.i18n import PLATFORM, load_rule_names, name_of, rule_name, t
from tui.messages import AccountChosen, RegionChosen
from tui.screens.base import TrackerScreen, shows_errors
from tui.widgets.bars import Bar, Bars
from tui.widgets.format import literal, percent, severity_label, when
from tui.widgets.stat import Stat
from tui.widgets.table import DataTable

NEWEST = 15
TREND_QUARTERS = 8
JOB_RUNS = 4  # the newest runs of the scheduled jobs (tracker schedule)


class DashboardScreen(TrackerScreen):
    BINDINGS = [Binding("l", "due", "nav.due")]  # 临期: the accounts about to lapse

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="totals"):
            yield Stat(t("dash.running"), id="running")
            yield Stat(t("dash.checked"), id="checked")
            yield Stat(t("dash.failed"), id="failed")
            yield Stat(t("dash.fail_rate"), id="fail-rate")
            yield Stat(t("dash.unverified"), id="unverified")
            yield Stat(t("dash.due"), id="due")
        yield Static(t("dash.loading"), id="as-of")
        yield Static("", id="websites")
        with Horizontal(id="dash-body"):
            with Vertical(id="regions-box"):
                yield Static(t("dash.regions"), classes="section-title")
                yield DataTable(id="regions", cursor_type="row", zebra_stripes=True)
            with Vertical(id="side-box"):
                with Horizontal(id="charts"):
                    with Vertical(id="trend-box"):
                        yield Static(t("dash.trend"), classes="section-title")
                        yield Bars(width=16, id="trend")
                    with Vertical(id="platform-box"):
                        yield Static(t("dash.by_platform"), classes="section-title")
                        yield Bars(width=16, id="by-platform")
                yield Static(t("dash.newest"), classes="section-title")
                yield DataTable(id="newest", cursor_type="row")
                yield Static(t("dash.poll"), classes="section-title")
                yield Static("…", id="poll")
        yield Footer()

    def on_mount(self) -> None:
        regions = self.query_one("#regions", DataTable)
        regions.add_columns(t("col.region"), t("dash.running"), t("dash.checked"), t("dash.failed"), t("dash.fail_rate"))
        newest = self.query_one("#newest", DataTable)
        newest.add_columns(t("col.first_seen"), t("col.name"), t("col.rule"), t("col.severity"), t("col.region"))
        super().on_mount()

    @work(thread=True, exclusive=True, group="dashboard")
    @shows_errors
    def load(self) -> None:
        db, at = self.app.db, self.app.at
        board = queries.dashboard(db, at)
        self.app.call_from_thread(self.show_counts, board)
        self.app.call_from_thread(self.show_trend, quarter_rates(db, board.at, TREND_QUARTERS), board)
        newest = queries.findings(db, limit=NEWEST)
        load_rule_names()
        self.app.call_from_thread(self.show_findings, newest)
        from tracker.jobs.runs import recent_runs  # deferred: the UI paints before this loads

        self.app.call_from_thread(self.show_poll, queries.poll_health(db), recent_runs(db, limit=JOB_RUNS))
        from tui.screens.accounts import prefetch_first_page

        prefetch_first_page(self.app)  # so that `a` shows the list at once

    @work(thread=True, exclusive=True, group="due")
    @shows_errors
    def count_due(self) -> None:
        """临期 N: its own worker, so that the totals never wait for it."""
        from tracker.domain.times import now_utc  # deferred: the UI paints before this loads
        from tracker.read.due import due_accounts  # deferred: the UI paints before this loads

        listed = due_accounts(self.app.db, self.app.settings, self.app.at or now_utc())
        self.app.call_from_thread(setattr, self.query_one("#due", Stat), "value", f"{len(listed.due):,}")

    def action_due(self) -> None:
        from tui.screens.due import DueScreen  # deferred: the UI paints before this loads

        self.app.push_screen(DueScreen())

    def show_counts(self, board: queries.Dashboard) -> None:
        self.count_due()
        self.query_one("#running", Stat).value = f"{board.total.running:,}"
        self.query_one("#checked", Stat).value = f"{board.total.checked:,}"
        self.query_one("#failed", Stat).value = f"{board.total.failed:,}"
        self.query_one("#fail-rate", Stat).value = percent(board.total.fail_rate)
        self.query_one("#unverified", Stat).value = f"{board.total.unverified:,}"
        sampled = t("dash.sampled") if board.sampled else ""
        as_of = t("dash.as_of", at=when(board.at), quarter=board.quarter, sampled=sampled)
        self.query_one("#as-of", Static).update(as_of if board.rows else f"{as_of}\n{t('dash.empty')}")
        sites = board.websites
        websites = self.query_one("#websites", Static)
        websites.display = bool(sites.running)
        websites.update(t("dash.websites", running=f"{sites.running:,}", checked=f"{sites.checked:,}",
                          failed=f"{sites.failed:,}", rate=percent(sites.fail_rate)) if sites.running else "")
        table = self.query_one("#regions", DataTable)
        table.clear()
        for row in board.rows:
            table.add_row(row.region, f"{row.running:,}", f"{row.checked:,}", f"{row.failed:,}", percent(row.fail_rate), key=row.region)
        total = board.total
        table.add_row(t("dash.total"), f"{total.running:,}", f"{total.checked:,}", f"{total.failed:,}", percent(total.fail_rate))

    def show_trend(self, rates: list[QuarterRate], board: queries.Dashboard) -> None:
        """The last quarters from stored inspections and checks; the running quarter as counted above."""
        bars = []
        for rate in rates:
            if rate.quarter == board.quarter and board.total.checked:
                rate = QuarterRate(rate.quarter, board.total.checked, board.total.failed, "dashboard")
            value = rate.fail_rate
            text = t("dash.no_data") if value is None else t(
                "dash.rate_of", rate=percent(value), failed=f"{rate.failed:,}", checked=f"{rate.checked:,}")
            bars.append(Bar(rate.quarter, value, text))
        self.query_one("#trend", Bars).show(bars)
        platforms = [Bar(name_of(PLATFORM, row.region), row.fail_rate, percent(row.fail_rate))
                     for row in board.platforms if row.checked]
        self.query_one("#by-platform", Bars).show(platforms)

    def show_findings(self, lines: list[queries.FindingLine]) -> None:
        table = self.query_one("#newest", DataTable)
        table.clear()
        for line in lines:  # details are one Enter away, in the account's screen
            table.add_row(
                when(line.first_seen_at)[5:], line.account_name or line.account, rule_name(line.rule),
                severity_label(line.severity), line.region, key=f"{line.account}|{line.rule}",
            )
        if not lines:
            table.add_row("", t("dash.no_findings"), "", "", "")

    def show_poll(self, health: queries.PollHealth, runs: list) -> None:
        outcomes = "  ".join(f"{name} {count:,}" for name, count in sorted(health.outcomes.items()))
        last = when(health.last_polled_at) if health.last_polled_at else t("dash.never")
        line = t("dash.poll_line", last=last, failing=f"{health.failing:,}", never=f"{health.never_polled:,}")
        jobs = "  ".join(t("dash.job_line", job=run.job, when=when(run.started_at)[5:], outcome=run.outcome) for run in runs)
        jobs = t("dash.jobs", runs=jobs) if runs else t("dash.no_jobs")
        self.query_one("#poll", Static).update(literal(f"{line}\n{outcomes}\n{jobs}", newlines=True))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table.id == "newest" and event.row_key.value and "|" in event.row_key.value:
            self.post_message(AccountChosen(event.row_key.value.split("|", 1)[0]))
        elif event.data_table.id == "regions" and event.row_key.value:
            self.post_message(RegionChosen(event.row_key.value))

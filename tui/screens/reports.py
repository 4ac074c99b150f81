"""Inspections and reports: run a check, plan and run the quarter's inspection, export a 通报."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, VerticalScroll
from textual.widgets import Button, Footer, Header, Input, Label, Select, Static

from tracker.domain.times import now_utc, quarter_of
from tracker.read import accounts as views
from tracker.reports import formats
from tui import operations
from tui.i18n import CASE_STATUS, load_rule_names, name_of, rule_name, t
from tui.messages import DataChanged
from tui.screens.base import TrackerScreen, shows_errors
from tui.widgets.format import literal, when
from tui.widgets.table import DataTable


class ReportsScreen(TrackerScreen):
    # Start on the buttons, not in a field, so that the letter keys still move between screens.
    AUTO_FOCUS = "#do-check"
    BINDINGS = [Binding("escape", "leave_field", "nav.back", show=False)]

    def action_leave_field(self) -> None:
        self.query_one("#do-check", Button).focus()

    def compose(self) -> ComposeResult:
        quarter = quarter_of(self.app.at or now_utc())
        ratio = str(self.app.settings.section("inspection")["default_ratio"])
        yield Header()
        with VerticalScroll(id="reports"):
            with Grid(id="report-fields", classes="form-fields"):
                for key, widget in (
                    ("rep.quarter", Input(quarter, id="quarter")),
                    ("rep.at", Input(id="at")),
                    ("rep.ratio", Input(ratio, id="ratio")),
                    ("rep.seed", Input(id="seed")),
                    ("rep.region", Input(id="region")),
                    ("rep.format", Select([(f, f) for f in formats()], value="xlsx", allow_blank=False, id="format")),
                    ("rep.output", Input(f"report-{quarter}.xlsx", id="output")),
                ):
                    yield Label(t(key))
                    yield widget
            with Horizontal(id="report-buttons"):
                for action in ("check", "poll", "plan", "run", "export"):
                    yield Button(t(f"rep.{action}"), id=f"do-{action}")
            yield Static("", id="result")
            yield Static(t("rep.inspections"), classes="section-title")
            yield DataTable(id="inspections", cursor_type="row")
            yield Static(t("rep.cases"), classes="section-title")
            yield DataTable(id="cases", cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#inspections", DataTable).add_columns(
            t("col.quarter"), t("col.ratio"), t("col.sample"), t("col.planned"), t("col.ran")
        )
        self.query_one("#cases", DataTable).add_columns(
            t("col.quarter"), t("col.account"), t("col.name"), t("col.rules"), t("col.due"), t("col.status"), t("col.repeat")
        )
        super().on_mount()

    @work(thread=True, exclusive=True, group="inspections")
    @shows_errors
    def load(self) -> None:
        from tracker.judging.cases import list_cases  # deferred: the UI paints before this loads

        rows = views.inspections(self.app.db)
        cases = list_cases(self.app.db, at=self.app.at)
        load_rule_names()
        self.app.call_from_thread(self.show, rows, cases)

    def show(self, rows: list, cases: list[dict]) -> None:
        self.show_cases(cases)
        table = self.query_one("#inspections", DataTable)
        table.clear()
        for row in rows:
            ran = when(row.run_at) if row.run_at else ""
            table.add_row(row.quarter + ("" if row.current else " ×"), f"{row.ratio:g}", str(row.sample_size), when(row.planned_at), ran)

    def show_cases(self, cases: list[dict]) -> None:
        table = self.query_one("#cases", DataTable)
        table.clear()
        for case in cases:
            table.add_row(
                case["quarter"], case["account"], case.get("account_name") or "",
                " ".join(rule_name(rule) for rule in case["rules"]), str(case["due_on"]),
                name_of(CASE_STATUS, case["status"]), t("yes") if case["repeat_offender"] else "",
            )

    def value(self, selector: str) -> str:
        return self.query_one(selector, Input).value.strip()

    def on_select_changed(self, event: Select.Changed) -> None:
        output = self.query_one("#output", Input)
        stem = output.value.rsplit(".", 1)[0] if "." in output.value else output.value
        output.value = f"{stem or 'report-' + self.value('#quarter')}.{event.value}"

    def on_button_pressed(self, event: Button.Pressed) -> None:
        db, settings = self.app.db, self.app.settings
        assert event.button.id is not None  # every button of this screen has an id
        action = event.button.id.removeprefix("do-")
        calls = {
            "check": lambda: operations.run_check(db, settings, operations.time_option(self.value("#at")) or self.app.at),
            "poll": lambda: operations.poll_all(db, settings),
            "plan": lambda: operations.plan_inspection(db, self.value("#quarter"), self.value("#ratio"), self.value("#seed")),
            "run": lambda: operations.run_inspection(db, settings, self.value("#quarter"), self.value("#at"), self.app.at),
            "export": lambda: operations.export_report(
                db, settings, self.value("#quarter"), self.value("#at"), self.value("#region"),
                str(self.query_one("#format", Select).value), self.value("#output"), self.app.at,
            ),
        }
        self.query_one("#result", Static).update(literal(t("rep.working", what=event.button.label)))
        self.perform(calls[action])

    @work(thread=True, exclusive=True, group="report-action")
    def perform(self, call) -> None:
        try:
            message = call()
        except (operations.OperationError, *operations.USER_ERRORS) as exc:
            self.app.call_from_thread(self.query_one("#result", Static).update, literal(str(exc), newlines=True))
            return
        except Exception as exc:
            self.app.call_from_thread(self.query_one("#result", Static).update, literal(f"{type(exc).__name__}: {exc}", newlines=True))
            return
        self.app.call_from_thread(self.query_one("#result", Static).update, literal(message, newlines=True))
        self.app.call_from_thread(self.app.post_message, DataChanged("reports"))

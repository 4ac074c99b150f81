"""Filing forms (open, rename, transfer, suspend, close) and the observation form.

They validate exactly like the CLI because they call the same functions (through
`tui.operations`) and show the same error text; required fields are those the CLI requires.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import getters, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from tui import operations
from tui.i18n import FACT, localise_bindings, name_of, t
from tui.messages import DataChanged
from tui.widgets.format import literal

if TYPE_CHECKING:
    from tui.app import TrackerApp

COMMON = ("effective", "approver", "doc", "by")
FIELDS = {
    "open": ("account", "region", "org_name", "org_code", "account_name", "opened_on", "feed_url", "profile_url", "filing_no", *COMMON),
    "rename": ("account", "name", *COMMON),
    "transfer": ("account", "org_code", "org_name", "region", *COMMON),
    "suspend": ("account", *COMMON),
    "close": ("account", "notice_from", *COMMON),
}
REQUIRED = {
    "open": ("account", "region", "org_name", "org_code", "account_name"),
    "rename": ("account", "name"),
    "transfer": ("account", "org_code", "org_name"),
    "suspend": ("account",),
    "close": ("account", "notice_from"),
    "observe": ("account",),
}
LABEL = {"effective": "form.effective", "doc": "form.doc"}


class FormScreen(ModalScreen):
    """A modal form: labelled inputs, an error line, submit with Ctrl+S or the button."""

    if TYPE_CHECKING:  # Textual's way to type `self.app` as the tracker's app (for the type checker only)
        app = getters.app(TrackerApp)

    BINDINGS = [Binding("escape", "cancel", "nav.cancel"), Binding("ctrl+s", "submit", "nav.submit")]
    kind = ""

    def __init__(self, account: str | None) -> None:
        super().__init__()
        localise_bindings(self)
        self.account = account

    def fields(self) -> tuple[str, ...]:
        raise NotImplementedError

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="form", classes="form"):
            yield Static(t(f"form.{self.kind}"), classes="form-title")
            with Grid(classes="form-fields"):
                for name in self.fields():
                    yield from self.field(name)
            yield Static("", id="form-error")
            with Horizontal(classes="form-buttons"):
                yield Button(t("nav.submit"), id="submit", variant="primary")
                yield Button(t("nav.cancel"), id="cancel")
            yield Static(t("form.hint"), classes="dim")

    def field(self, name: str) -> ComposeResult:
        yield Label(t(LABEL.get(name, f"form.{name}")))
        value = self.account if name == "account" and self.account else ""
        yield Input(value=value, id=f"f-{name}")

    def on_mount(self) -> None:
        inputs = list(self.query(Input))
        empty = [i for i in inputs if not i.value]
        (empty or inputs)[0].focus()

    def values(self) -> dict[str, str]:
        found: dict[str, str] = {}
        for widget in self.query(Input):
            assert widget.id is not None  # every field is composed with an id
            found[widget.id.removeprefix("f-")] = widget.value.strip()
        return found

    def missing(self, values: dict[str, str]) -> str | None:
        for name in REQUIRED[self.kind]:
            if not values.get(name):
                return t("form.required", field=t(LABEL.get(name, f"form.{name}")))
        return None

    def action_cancel(self) -> None:
        self.dismiss(None)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "submit":
            self.action_submit()
        else:
            self.dismiss(None)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.focus_next()

    def action_submit(self) -> None:
        values = self.values()
        problem = self.missing(values)
        if problem:
            self.show_error(problem)
            return
        self.query_one("#submit", Button).disabled = True
        self.save(values)

    @work(thread=True, exclusive=True, group="form")
    def save(self, values: dict[str, str]) -> None:
        try:
            message = self.operation(values)
        except operations.OperationError as exc:
            self.app.call_from_thread(self.show_error, str(exc))
            return
        except Exception as exc:
            self.app.call_from_thread(self.show_error, f"{type(exc).__name__}: {exc}")
            return
        self.app.call_from_thread(self.done, message)

    def operation(self, values: dict[str, str]) -> str:
        raise NotImplementedError

    def show_error(self, text: str) -> None:
        self.query_one("#form-error", Static).update(literal(text, newlines=True))  # errors quote the values typed
        self.query_one("#submit", Button).disabled = False

    def done(self, message: str) -> None:
        self.app.notify(message)
        self.app.post_message(DataChanged(self.kind))
        self.dismiss(message)


class FilingForm(FormScreen):
    def __init__(self, kind: str, account: str | None = None) -> None:
        self.kind = kind
        super().__init__(account)

    def fields(self) -> tuple[str, ...]:
        return FIELDS[self.kind]

    def operation(self, values: dict[str, str]) -> str:
        account = values.pop("account")
        return operations.file_filing(self.app.db, self.kind, account, values,
                                       self.app.settings.section("poll")["deny_networks"])


class ObservationForm(FormScreen):
    kind = "observe"
    FACTS = ("comments_disabled", "comments_enabled", "app_unavailable", "app_available", "fake_engagement")

    def fields(self) -> tuple[str, ...]:
        return ("account", "fact", "at", "inspector", "note")

    def field(self, name: str) -> ComposeResult:
        if name != "fact":
            yield from super().field(name)
            return
        yield Label(t("form.fact"))
        yield Select([(name_of(FACT, fact), fact) for fact in self.FACTS], value=self.FACTS[0], allow_blank=False, id="f-fact")

    def values(self) -> dict[str, str]:
        values = super().values()
        values["fact"] = str(self.query_one("#f-fact", Select).value)
        return values

    def operation(self, values: dict[str, str]) -> str:
        return operations.observe(self.app.db, values["account"], values["fact"], values["at"], values["inspector"], values["note"])

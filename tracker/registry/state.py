"""Deriving the registry from filing events: the state of each account is the replay of its
events in the order they take effect (effective date, then filing order)."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import date
from typing import Any

from tracker.domain.errors import TrackerError
from tracker.domain.models import AccountRecord, AccountStatus, FilingEvent, FilingKind

RECORD_FIELDS = tuple(field.name for field in fields(AccountRecord))


class FilingRefused(TrackerError):
    """A filing that makes no sense against the account's history; `event` is the one refused."""

    event: FilingEvent | None = None


@dataclass
class AccountState:
    record: AccountRecord
    suspended_on: date | None = None
    closed_on: date | None = None
    notice_from: date | None = None
    last_event_id: int | None = None
    version: int = 0  # of the cached row in table `account`; 0 = no row yet

    @property
    def status(self) -> str:
        return self.record.status


def record_from_payload(payload: dict[str, Any]) -> AccountRecord:
    values: dict[str, Any] = {name: payload.get(name) for name in RECORD_FIELDS}
    values["opened_on"] = _as_date(values["opened_on"])
    values["status"] = AccountStatus.ACTIVE.value
    return AccountRecord(**values)


def record_payload(record: AccountRecord) -> dict[str, Any]:
    payload = {name: getattr(record, name) for name in RECORD_FIELDS if name != "status"}
    payload["opened_on"] = record.opened_on.isoformat()
    return payload


def _as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def apply_event(state: AccountState | None, event: FilingEvent) -> AccountState:
    """The state after `event`, or FilingRefused saying why the event makes no sense."""
    kind, key = event.kind, event.account
    if kind == FilingKind.OPEN:
        if state is not None and state.status != AccountStatus.DEREGISTERED:
            raise FilingRefused(f"cannot open {key}: it is already registered ({state.status})")
        return AccountState(record=record_from_payload(event.payload), last_event_id=event.id)
    if state is None:
        raise FilingRefused(f"cannot {kind} {key}: the account is not registered (no open filing before {event.effective_on})")
    if event.effective_on < state.record.opened_on:
        raise FilingRefused(f"cannot {kind} {key}: effective {event.effective_on} is before the account opened on {state.record.opened_on}")
    if state.status == AccountStatus.DEREGISTERED:
        raise FilingRefused(f"cannot {kind} {key}: the account was closed (注销) on {state.closed_on}")
    new = replace(state, last_event_id=event.id)
    payload = event.payload
    if kind == FilingKind.RENAME:
        name = (payload.get("account_name") or "").strip()
        if not name:
            raise FilingRefused(f"cannot rename {key}: the new name is empty")
        new.record = replace(state.record, account_name=name)
    elif kind == FilingKind.TRANSFER:
        changes = {k: payload[k] for k in ("org_code", "org_name", "region") if payload.get(k)}
        new.record = replace(state.record, **changes)
    elif kind == FilingKind.SUSPEND:
        if state.status == AccountStatus.SUSPENDED:
            raise FilingRefused(f"cannot suspend {key}: it is already suspended (停更) since {state.suspended_on}")
        new.record = replace(state.record, status=AccountStatus.SUSPENDED.value)
        new.suspended_on = event.effective_on
    elif kind == FilingKind.RESUME:
        if state.status != AccountStatus.SUSPENDED:
            raise FilingRefused(f"cannot resume {key}: it is not suspended")
        new.record = replace(state.record, status=AccountStatus.ACTIVE.value)
        new.suspended_on = None
    elif kind == FilingKind.CLOSE:
        new.record = replace(state.record, status=AccountStatus.DEREGISTERED.value)
        new.closed_on = event.effective_on
        new.notice_from = _as_date(payload.get("notice_from"))
    elif kind == FilingKind.UPDATE:
        changes = {k: v for k, v in payload.items() if k in RECORD_FIELDS and k != "status"}
        if "opened_on" in changes:
            changes["opened_on"] = _as_date(changes["opened_on"])
        new.record = replace(state.record, **changes)
    else:
        raise FilingRefused(f"unknown filing kind {kind!r}")
    return new


def sort_key(event: FilingEvent) -> tuple[date, float]:
    return (event.effective_on, event.id if event.id is not None else float("inf"))


def replay(events: list[FilingEvent], *, strict: bool = True) -> dict[str, AccountState]:
    """Account states after `events`. Strict: a senseless event raises; else it is passed over
    (stored events were checked when filed, so only a corrupted history would have one)."""
    states: dict[str, AccountState] = {}
    for event in sorted(events, key=sort_key):
        try:
            states[event.account] = apply_event(states.get(event.account), event)
        except FilingRefused as refused:
            if strict:
                refused.event = event
                raise
    return states

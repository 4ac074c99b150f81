"""The context of a check, loaded: every account as of `at` and the facts the rules read.

The registry as of `at` is the replay of the filing events effective by then
(`tracker.registry.state.replay`). When no event takes effect after `at` — the nightly check —
the replay equals the cached state in table `account`, which is read instead (no JSON to decode).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlmodel import col

from tracker.domain.models import FilingEvent
from tracker.domain.regions import in_region
from tracker.domain.times import as_utc, local_date
from tracker.judging.facts import SqlFacts
from tracker.registry.state import AccountState, replay
from tracker.rules.context import AccountAsOf, CheckContext, is_checked
from tracker.settings import Settings
from tracker.storage.tables import Account, FilingEventRow, table_of


def _cached_states(session: Session) -> dict[str, AccountAsOf]:
    table = table_of(Account)
    columns = [table.c[name] for name in ("account", *_VIEW_FIELDS)]
    return {key: AccountAsOf(*values) for key, *values in session.connection().execute(select(*columns))}


_VIEW_FIELDS = ("region", "org_name", "org_code", "platform", "account_name", "opened_on", "status", "suspended_on")


def _view(state: AccountState) -> AccountAsOf:
    record = state.record
    return AccountAsOf(record.region, record.org_name, record.org_code, record.platform, record.account_name,
                       record.opened_on, record.status, state.suspended_on)


def _replayed_states(session: Session, until: date) -> dict[str, AccountAsOf]:
    table = table_of(FilingEventRow)
    query = select(table).where(table.c.effective_on <= until).order_by(table.c.effective_on, table.c.id)
    events = [FilingEvent(account=r.account, kind=r.kind, effective_on=r.effective_on, recorded_at=r.recorded_at,
                          by=r.by, approver=r.approver, doc_no=r.doc_no, payload=dict(r.payload or {}), id=r.id)
              for r in session.connection().execute(query)]
    return {key: _view(state) for key, state in replay(events, strict=False).items()}


def states_as_of(session: Session, at: datetime) -> dict[str, AccountAsOf]:
    until = local_date(at)
    later = session.connection().execute(select(col(FilingEventRow.id)).where(col(FilingEventRow.effective_on) > until).limit(1))
    return _replayed_states(session, until) if later.first() is not None else _cached_states(session)


def build_context(session: Session, settings: Settings, at: datetime, *, region: str | None = None,
                  accounts: Iterable[str] | None = None) -> CheckContext:
    at = as_utc(at)
    states = states_as_of(session, at)
    wanted = set(accounts) if accounts is not None else None
    at_date = local_date(at)
    checked = {
        key: state for key, state in states.items()
        if is_checked(state, at_date) and in_region(state.region, region) and (wanted is None or key in wanted)
    }
    return CheckContext(facts=SqlFacts(session), settings=settings, at=at, states=states, checked=checked)

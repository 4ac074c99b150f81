"""The rules evaluated as of T, nothing stored: stale post signals brought up to date, the
context loaded (`judging.context`), the rules run (`rules.engine.findings_of`).

`rules_evaluate()` is the evaluation the inspections, cases and reports use (a test replaces it
with canned findings)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from tracker.domain.models import Finding
from tracker.domain.times import as_utc
from tracker.judging.context import build_context
from tracker.judging.signals import refresh_signals
from tracker.rules.engine import CheckResult, findings_of
from tracker.settings import Settings
from tracker.storage.db import Database

Evaluate = Callable[..., list[Finding]]


def _check(db: Database, settings: Settings, at: datetime, region: str | None,
           accounts: Iterable[str] | None) -> CheckResult:
    refresh_signals(db, settings)
    at = as_utc(at)
    with db.session() as session:
        ctx = build_context(session, settings, at, region=region, accounts=accounts)
        found = findings_of(ctx)
    return CheckResult(
        at=at, region=region, findings=found, accounts_checked=len(ctx.checked),
        regions={key: state.region for key, state in ctx.states.items()},
        account_names={key: state.account_name for key, state in ctx.states.items()},
    )


def evaluate(db: Database, settings: Settings, at: datetime, *, region: str | None = None,
             accounts: Iterable[str] | None = None) -> list[Finding]:
    """The findings as of `at`, sorted by account then rule; nothing is stored."""
    return _check(db, settings, at, region, accounts).findings


def rules_evaluate() -> Evaluate:
    return evaluate

"""Evaluating the rules as of a time `at` (CONTRACT §6.1) and storing the findings.

`evaluate` is pure (it stores no finding); `run_check` evaluates and records the findings with
first/last seen and the run in `check_run`. Both first bring stale post signals up to date.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from tracker.domain.models import Finding
from tracker.rules.context import CheckContext, build_context
from tracker.rules.catalogue import rules
from tracker.rules.signals import refresh_signals
from tracker.settings import Settings
from tracker.storage.db import Database
from tracker.domain.times import as_utc

SEVERITY_RANK = {"info": 0, "warning": 1, "veto": 2}


@dataclass
class CheckResult:
    at: datetime
    region: str | None
    findings: list[Finding]
    accounts_checked: int
    regions: dict[str, str] = field(default_factory=dict)        # account → region path
    account_names: dict[str, str] = field(default_factory=dict)  # account → filed name
    run_id: int | None = None

    def count(self, severity: str) -> int:
        return sum(1 for finding in self.findings if finding.severity == severity)

    def worst(self) -> str | None:
        return max((f.severity for f in self.findings), key=SEVERITY_RANK.__getitem__, default=None)


def findings_of(ctx: CheckContext) -> list[Finding]:
    """Every enabled rule over the context; the update family keeps one finding per account, and
    one whose span the tool has not seen becomes `unverified` (rule order: the update family is
    evaluated before `unverified`, which reports `ctx.unverified`)."""
    from tracker.rules.update import is_seen, span_start

    found: list[Finding] = []
    update_taken: set[str] = set()
    for spec in rules():
        cfg = ctx.config(spec.code)
        if not cfg["enabled"]:
            continue
        for account, evidence in spec.func(ctx):
            if spec.family == "update":
                if account in update_taken:
                    continue
                update_taken.add(account)
                if not is_seen(ctx, spec.code, account):
                    ctx.unverified[account] = (spec.code, span_start(ctx, spec.code, account))
                    continue
            found.append(Finding(account, spec.code, cfg["severity"], evidence, spec.source))
    return sorted(found, key=lambda f: (f.account, f.rule))


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


def run_check(db: Database, settings: Settings, at: datetime, *, region: str | None = None) -> CheckResult:
    """Evaluate and store: findings keep when they were first and last seen, and every 不合格
    account gets its quarter's rectification case; re-running the same check changes nothing."""
    from tracker.judging.cases import open_cases_from_check
    from tracker.judging.findings import store_check

    result = _check(db, settings, at, region, None)
    result.run_id = store_check(db, result)
    open_cases_from_check(db, settings, result.at, result.findings)
    return result

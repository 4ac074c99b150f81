"""Stored findings: one row per (account, rule) with when it was first and last seen.

Times are the check times `at`, not the wall clock, so re-running the same check changes
nothing, and checking an earlier time only moves `first_seen_at` back. A finding missing from
a later check of its account is resolved (inactive, `resolved_at`); if it comes back it is seen
anew from that check.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Text, cast, insert, select, update
from sqlalchemy.orm import Session
from sqlmodel import col

from tracker.domain.models import Finding, Severity
from tracker.domain.regions import in_region
from tracker.domain.times import now_utc
from tracker.rules.engine import CheckResult
from tracker.storage.db import Database
from tracker.storage.tables import CheckRun, FindingRow, table_of


def _changes(row: Any, finding: Any, at: datetime) -> dict[str, Any]:
    latest = max(row.last_seen_at, row.resolved_at or row.last_seen_at)
    if at < latest:  # an earlier check than one already stored: it only tells when it was first seen
        return {"first_seen_at": at} if at < row.first_seen_at else {}
    values = {"severity": finding.severity, "source": finding.source,
              "last_seen_at": at, "active": True, "resolved_at": None}
    if not row.active:  # it had been resolved and came back
        values["first_seen_at"] = at
    changes = {k: v for k, v in values.items() if getattr(row, k) != v}
    # Evidence is compared as the stored JSON text: no decoding of every stored finding.
    if row.evidence_json != json.dumps(finding.evidence):
        changes["evidence"] = finding.evidence
    return changes


def _apply_findings(session: Session, result: CheckResult) -> None:
    at = result.at
    table = table_of(FindingRow)
    columns = [c for c in table.c if c.name != "evidence"] + [cast(table.c.evidence, Text).label("evidence_json")]
    rows = {(r.account, r.rule): r for r in session.connection().execute(select(*columns))}
    new_rows, updates = [], []
    current = {(f.account, f.rule): f for f in result.findings}
    for key, finding in current.items():
        row = rows.get(key)
        if row is None:
            new_rows.append({"account": finding.account, "rule": finding.rule, "severity": finding.severity,
                             "evidence": finding.evidence, "source": finding.source, "first_seen_at": at,
                             "last_seen_at": at, "active": True, "resolved_at": None})
        elif changes := _changes(row, finding, at):
            updates.append({"id": row.id, **changes})
    for key, row in rows.items():
        in_scope = in_region(result.regions.get(row.account, ""), result.region) if result.region else True
        if key not in current and row.active and in_scope and row.last_seen_at < at:
            updates.append({"id": row.id, "active": False, "resolved_at": at})
    if new_rows:
        session.execute(insert(table_of(FindingRow)), new_rows)
    # Bulk UPDATE by primary key needs the same columns in every row of one call.
    by_columns: dict[tuple[str, ...], list[dict]] = {}
    for change in updates:
        by_columns.setdefault(tuple(sorted(change)), []).append(change)
    for group in by_columns.values():
        session.execute(update(FindingRow), group)


def store_check(db: Database, result: CheckResult) -> int:
    """Record the findings of a check and the run itself; returns the check_run id."""
    with db.write() as session:
        _apply_findings(session, result)
        run = session.execute(select(CheckRun).where(
            col(CheckRun.at) == result.at,
            col(CheckRun.region).is_(None) if result.region is None else col(CheckRun.region) == result.region)).scalars().first()
        failed = len({f.account for f in result.findings if f.severity == Severity.VETO})
        if run is None:
            run = CheckRun(at=result.at, ran_at=now_utc(), region=result.region)
            session.add(run)
        run.accounts_checked, run.findings, run.failed = result.accounts_checked, len(result.findings), failed
        session.flush()
        assert run.id is not None  # assigned by the flush
        return run.id


def active_findings(session: Session, account: str | None = None) -> list[FindingRow]:
    """Findings standing now (as of the latest check that judged them), by account then rule."""
    query = select(FindingRow).where(col(FindingRow.active).is_(True))
    if account is not None:
        query = query.where(col(FindingRow.account) == account)
    return list(session.execute(query.order_by(col(FindingRow.account), col(FindingRow.rule))).scalars())


def veto_rules(findings: Iterable[Finding]) -> dict[str, list[str]]:
    """Account → sorted veto rule codes (the account is 不合格)."""
    vetoes: dict[str, set[str]] = defaultdict(set)
    for finding in findings:
        if finding.severity == Severity.VETO:
            vetoes[finding.account].add(finding.rule)
    return {account: sorted(rules) for account, rules in sorted(vetoes.items())}

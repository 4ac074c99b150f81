"""Rectification cases (整改).

A case opens for every 不合格 account (a veto finding) of a stored `tracker check` and of a
quarter's inspection run (`inspect run`) — one case per account and quarter of T — due
`[cases].due_days` days after the inspection's T. A later check of the account (复核) that no
longer finds any of the case's veto rules closes it as rectified at that check's T: the next
`inspect run` (its sample, and the accounts of open cases), `tracker cases --review`, and every
stored `tracker check` whose T is after the case opened and whose region covers the account
(read from `check_run` and `finding` whenever cases are listed). Overdue is not stored: an open case is overdue once the local date of
the reading time is past `due_on`. An account with a case in the previous quarter too is a
repeat offender. Re-running a quarter reopens, updates or closes that quarter's cases to match.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import insert, update
from sqlalchemy import select as sa_select
from sqlmodel import col, select

from tracker.domain.errors import TrackerError
from tracker.domain.regions import in_region
from tracker.domain.times import local_date, now_utc, previous_quarter, quarter_of, to_local_iso
from tracker.judging import evaluate as evaluation
from tracker.judging.findings import veto_rules
from tracker.storage.db import Database
from tracker.storage.tables import Account, CheckRun, FindingRow, RectificationCase, table_of

STATUSES = ("open", "overdue", "closed")


def open_quarter_cases(session, quarter: str, at: datetime, failed: dict[str, list[str]],
                       due_days: int, judged: Iterable[str] | None = None) -> tuple[int, int]:
    """Make the quarter's cases of the `judged` accounts (default: all) match its (re-)run;
    returns (opened or updated, closed)."""
    existing = {case.account: case for case in session.exec(
        select(RectificationCase).where(col(RectificationCase.quarter) == quarter)).all()}
    if judged is not None:
        wanted = set(judged) | set(failed)
        existing = {account: case for account, case in existing.items() if account in wanted}
    earlier = {case.account for case in session.exec(
        select(RectificationCase).where(col(RectificationCase.quarter) == previous_quarter(quarter))).all()}
    due_on = local_date(at) + timedelta(days=due_days)
    opened = closed = 0
    for account, rules in failed.items():
        case = existing.get(account) or RectificationCase(account=account, quarter=quarter, due_on=due_on,
                                                          opened_at=at)
        case.rules, case.opened_at, case.due_on = list(rules), at, due_on
        case.status, case.closed_at = "open", None
        case.repeat_offender = account in earlier
        session.add(case)
        opened += 1
    for account, case in existing.items():
        if account not in failed and case.status == "open":
            case.status, case.closed_at = "closed", at
            session.add(case)
            closed += 1
    return opened, closed


def open_cases_from_check(db: Database, settings, at: datetime, findings: Iterable) -> int:
    """A stored check opens (or extends) the case of every account with a veto finding, in the
    quarter of its T; a case closed earlier in that quarter reopens when the account fails again.
    Cases are closed by later checks (`close_by_checks`). Returns the cases opened or reopened."""
    failed = veto_rules(findings)
    if not failed:
        return 0
    quarter = quarter_of(at)
    due_on = local_date(at) + timedelta(days=int(settings.section("cases")["due_days"]))
    table = table_of(RectificationCase)
    inserts: list[dict] = []
    merged_rules: list[dict] = []
    reopened: list[dict] = []
    with db.write() as session:
        # Core rows, not ORM objects: a province's quarter holds tens of thousands of cases.
        connection = session.connection()
        existing = {row.account: row for row in connection.execute(
            sa_select(table.c.id, table.c.account, table.c.rules, table.c.status, table.c.closed_at)
            .where(table.c.quarter == quarter))}
        earlier = set(connection.execute(sa_select(table.c.account).where(
            table.c.quarter == previous_quarter(quarter))).scalars())
        for account, rules in failed.items():
            row = existing.get(account)
            if row is None:
                inserts.append({"account": account, "quarter": quarter, "rules": list(rules), "opened_at": at,
                                "due_on": due_on, "status": "open", "closed_at": None,
                                "repeat_offender": account in earlier})
            elif row.status == "open":
                merged = sorted(set(row.rules or ()) | set(rules))
                if merged != list(row.rules or ()):
                    merged_rules.append({"id": row.id, "rules": merged})
            elif row.closed_at is not None and row.closed_at < at:
                reopened.append({"id": row.id, "status": "open", "closed_at": None, "rules": list(rules),
                                 "opened_at": at, "due_on": due_on})
        if inserts:
            session.execute(insert(table), inserts)
        for group in (merged_rules, reopened):
            if group:  # bulk UPDATE by primary key (executemany)
                session.execute(update(RectificationCase), group)
    return len(inserts) + len(reopened)


def cases_to_review(session, at: datetime, *, skip_quarter: str | None = None) -> list[RectificationCase]:
    """Open cases opened before `at` (those a check at `at` can confirm as rectified)."""
    query = select(RectificationCase).where(col(RectificationCase.status) == "open", col(RectificationCase.opened_at) < at)
    if skip_quarter:
        query = query.where(col(RectificationCase.quarter) != skip_quarter)
    return list(session.exec(query.order_by(col(RectificationCase.id))).all())


def close_rectified(session, cases: Iterable[RectificationCase], vetoes: dict[str, list[str]],
                    at: datetime) -> int:
    """Close every case none of whose rules is still a veto finding of its account at `at`."""
    closed = 0
    for case in cases:
        still = set(case.rules or ()) & set(vetoes.get(case.account, ()))
        if not still:
            case.status, case.closed_at = "closed", at
            session.add(case)
            closed += 1
    return closed


def review_cases(db: Database, settings, at: datetime | None = None, *, evaluate=None) -> int:
    """复核: evaluate the rules for the accounts of open cases at `at` and close the rectified."""
    at = at or now_utc()
    with db.session() as session:
        accounts = sorted({case.account for case in cases_to_review(session, at)})
    if not accounts:
        return 0
    findings = (evaluate or evaluation.rules_evaluate())(db, settings, at, accounts=accounts)
    vetoes = veto_rules(finding for finding in findings if finding.account in set(accounts))
    with db.write() as session:
        return close_rectified(session, cases_to_review(session, at), vetoes, at)


def close_by_checks(db: Database) -> int:
    """Close the open cases that a stored `tracker check` after their opening no longer faults."""
    with db.write() as session:
        cases = session.exec(select(RectificationCase).where(col(RectificationCase.status) == "open")).all()
        if not cases:
            return 0
        first_opened = min(case.opened_at for case in cases)
        runs = session.exec(select(CheckRun).where(col(CheckRun.at) > first_opened).order_by(col(CheckRun.at))).all()
        if not runs:
            return 0
        # whole-table reads: an IN list of every case's account outgrows SQLite's parameter limit
        regions = dict(session.exec(select(col(Account.account), col(Account.region))).all())
        seen = {(row.account, row.rule): row for row in session.exec(
            select(FindingRow).where(col(FindingRow.active), col(FindingRow.severity) == "veto"))}
        closed = 0
        for case in cases:
            covering = [run for run in runs if run.at > case.opened_at
                        and in_region(regions.get(case.account, ""), run.region)]
            if not covering:
                continue
            latest = covering[-1].at
            still = [rule for rule in case.rules or () if (row := seen.get((case.account, rule))) is not None
                     and row.last_seen_at >= latest]
            if not still:
                case.status, case.closed_at = "closed", latest
                session.add(case)
                closed += 1
        return closed


def case_status(case: RectificationCase, at: datetime) -> str:
    if case.status == "open" and local_date(at) > case.due_on:
        return "overdue"
    return case.status


def list_cases(db: Database, status: str | None = None, *, at: datetime | None = None) -> list[dict]:
    """Cases as of `at` (default now), newest quarter first; `status` open|overdue|closed.

    `open` lists every case not yet closed (overdue ones included, marked so)."""
    if status is not None and status not in STATUSES:

        raise TrackerError(f"--status must be one of {', '.join(STATUSES)}, got {status!r}")
    at = at or now_utc()
    close_by_checks(db)
    with db.session() as session:
        cases = session.exec(select(RectificationCase)).all()
        names: dict[str, tuple[str | None, str | None, str | None]] = {
            account: (org_name, account_name, region) for account, org_name, account_name, region in session.exec(
                select(col(Account.account), col(Account.org_name), col(Account.account_name), col(Account.region))).all()
        } if cases else {}
    result = []
    for case in sorted(cases, key=lambda c: (-int(c.quarter.replace("Q", "")), c.account)):
        shown = case_status(case, at)
        if (status == "open" and case.status != "open") or (status in ("overdue", "closed") and shown != status):
            continue
        org_name, account_name, region = names.get(case.account, (None, None, None))
        result.append({
            "id": case.id, "account": case.account, "quarter": case.quarter,
            "org_name": org_name,
            "account_name": account_name,
            "region": region,
            "rules": list(case.rules or []), "opened_at": to_local_iso(case.opened_at),
            "due_on": case.due_on.isoformat(), "status": shown,
            "closed_at": to_local_iso(case.closed_at) if case.closed_at else None,
            "repeat_offender": case.repeat_offender,
        })
    return result

"""The 不合格率 of past quarters, from what the tool stored (never re-evaluated for a picture).

A quarter's rate comes from its current inspection when one was run (its sample and veto
findings, as the report uses them), otherwise from the newest full check whose T lies inside
the quarter (`check_run.failed` of `check_run.accounts_checked`). A quarter with neither has no
rate: the dashboard shows it as having no data rather than as 0 %.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlmodel import col

from tracker.domain.times import previous_quarter, quarter_bounds, quarter_of, start_of_day
from tracker.storage.db import Database
from tracker.storage.tables import CheckRun, Inspection, InspectionFinding, InspectionSample


@dataclass(frozen=True)
class QuarterRate:
    quarter: str
    checked: int = 0
    failed: int = 0
    source: str = ""  # "inspection", "check", or "" when the tool stored nothing for the quarter

    @property
    def fail_rate(self) -> float | None:
        if not self.source:
            return None
        return round(100.0 * self.failed / self.checked, 2) if self.checked else 0.0


def last_quarters(at: datetime, count: int) -> list[str]:
    """The `count` quarters ending with the one of `at`, oldest first."""
    quarters = [quarter_of(at)]
    while len(quarters) < count:
        quarters.append(previous_quarter(quarters[-1]))
    return quarters[::-1]


def quarter_rates(db: Database, at: datetime, count: int = 8) -> list[QuarterRate]:
    """One rate per quarter for the `count` quarters up to the one of `at`, oldest first."""
    quarters = last_quarters(at, count)
    start = start_of_day(quarter_bounds(quarters[0])[0])
    rates: dict[str, QuarterRate] = {}
    with db.session() as session:
        runs = session.execute(
            select(col(CheckRun.at), col(CheckRun.accounts_checked), col(CheckRun.failed))
            .where(col(CheckRun.region).is_(None), col(CheckRun.failed).is_not(None), col(CheckRun.at) >= start, col(CheckRun.at) <= at)
            .order_by(col(CheckRun.at))
        ).all()
        for run_at, checked, failed in runs:  # ascending: the newest run of a quarter wins
            rates[quarter_of(run_at)] = QuarterRate(quarter_of(run_at), checked, failed, "check")
        inspections = session.execute(
            select(col(Inspection.id), col(Inspection.quarter))
            .where(col(Inspection.quarter).in_(quarters), col(Inspection.current).is_(True), col(Inspection.run_at).is_not(None))
            .order_by(col(Inspection.id))
        ).all()
        for inspection_id, quarter in inspections:
            sample = select(col(InspectionSample.account)).where(col(InspectionSample.inspection_id) == inspection_id)
            checked = session.execute(select(func.count()).select_from(sample.subquery())).scalar_one()
            failed = session.execute(
                select(func.count(func.distinct(col(InspectionFinding.account)))).where(
                    col(InspectionFinding.inspection_id) == inspection_id, col(InspectionFinding.severity) == "veto",
                    col(InspectionFinding.account).in_(sample))
            ).scalar_one()
            rates[quarter] = QuarterRate(quarter, checked, failed, "inspection")
    return [rates.get(quarter, QuarterRate(quarter)) for quarter in quarters]

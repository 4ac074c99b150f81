"""Quarterly inspections (季度检查/抽查): a reproducible stratified sample, then a stored run.

The sample itself is drawn by `tracker.judging.sampling` (reproducible, stratified).
Re-planning or re-running a quarter marks the earlier inspection `current=False` (history).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import col, select

from tracker.domain.errors import TrackerError
from tracker.domain.models import Finding
from tracker.domain.times import end_of_day, now_utc, quarter_bounds, quarter_of_day, to_local_iso
from tracker.judging import cases
from tracker.judging import evaluate as evaluation
from tracker.judging.evaluate import Evaluate
from tracker.judging.findings import veto_rules
from tracker.judging.population import running_accounts, stratum_of
from tracker.judging.sampling import default_seed, draw_sample, parse_ratio
from tracker.registry.store import region_order
from tracker.settings import Settings
from tracker.storage.db import Database
from tracker.storage.tables import Inspection, InspectionFinding, InspectionSample


def quarter_end(quarter: str) -> datetime:
    return end_of_day(quarter_bounds(quarter)[1])


def default_at(quarter: str, now: datetime | None = None) -> datetime:
    """The end of the quarter, or now while the quarter is still running."""
    return min(quarter_end(quarter), now or now_utc())


def normalise_quarter(quarter: str) -> str:
    first, _ = quarter_bounds(quarter)
    return quarter_of_day(first)


@dataclass
class Plan:
    inspection_id: int
    quarter: str
    ratio: float
    seed: int
    registry_at: datetime
    strata: dict[str, list[str]]
    population: dict[str, int]

    @property
    def sample_size(self) -> int:
        return sum(len(keys) for keys in self.strata.values())

    def as_json(self) -> dict:
        return {
            "inspection": self.inspection_id, "quarter": self.quarter, "ratio": self.ratio,
            "seed": self.seed, "registry_at": to_local_iso(self.registry_at),
            "sample_size": self.sample_size, "population": sum(self.population.values()),
            "strata": [
                {"stratum": name, "region": name.split("|")[0], "platform": name.split("|")[1],
                 "population": self.population[name], "sampled": len(keys), "accounts": keys}
                for name, keys in self.strata.items()
            ],
        }


def plan_inspection(db: Database, quarter: str, ratio: float, seed: int | None = None, *,
                    at: datetime | None = None, now: datetime | None = None,
                    website_ratio: float | None = None) -> Plan:
    """Draw and store the quarter's sample from the registry as of `at` (default: quarter end);
    websites draw at `website_ratio` (default: `ratio`), accounts at `ratio`."""
    quarter = normalise_quarter(quarter)
    ratio = parse_ratio(ratio)
    seed = default_seed(quarter) if seed is None else seed
    registry_at = at or quarter_end(quarter)
    records = running_accounts(db, registry_at)
    if not records:
        raise TrackerError(f"no running accounts as of {to_local_iso(registry_at)}: nothing to sample for {quarter}")
    with db.session() as session:
        order = region_order(session)
    # each stratum draws on its own: listing order changes no sample
    drawn = draw_sample(records, ratio, seed, parse_ratio(website_ratio) if website_ratio is not None else None)
    strata = dict(sorted(drawn.items(), key=lambda item: (order.key(item[0].split("|")[0]), item[0])))
    population: dict[str, int] = defaultdict(int)
    for record in records:
        population[stratum_of(record)] += 1
    with db.write() as session:
        _retire_current(session, quarter)
        row = Inspection(quarter=quarter, ratio=ratio, seed=seed, planned_at=now or now_utc(),
                         registry_at=registry_at, sample_size=sum(map(len, strata.values())))
        session.add(row)
        session.flush()
        assert row.id is not None  # assigned by the flush
        session.add_all(InspectionSample(inspection_id=row.id, account=key, stratum=name)
                        for name, keys in strata.items() for key in keys)
    return Plan(row.id, quarter, ratio, seed, registry_at, strata, dict(population))


def _retire_current(session, quarter: str) -> None:
    for old in session.exec(select(Inspection).where(col(Inspection.quarter) == quarter, col(Inspection.current))).all():
        old.current = False
        session.add(old)


def current_inspection(session, quarter: str) -> Inspection | None:
    return session.exec(
        select(Inspection).where(col(Inspection.quarter) == quarter, col(Inspection.current)).order_by(col(Inspection.id).desc())
    ).first()


def sample_of(session, inspection_id: int) -> dict[str, str]:
    """Account key → stratum of one inspection."""
    rows = session.exec(select(InspectionSample).where(col(InspectionSample.inspection_id) == inspection_id)).all()
    return {row.account: row.stratum for row in rows}


def findings_of(session, inspection_id: int) -> list[Finding]:
    rows = session.exec(
        select(InspectionFinding).where(col(InspectionFinding.inspection_id) == inspection_id)
        .order_by(col(InspectionFinding.account), col(InspectionFinding.rule))
    ).all()
    return [Finding(row.account, row.rule, row.severity, row.evidence or {}, "") for row in rows]




@dataclass
class RunResult:
    inspection_id: int
    quarter: str
    at: datetime
    checked: int
    failed: dict[str, list[str]]
    findings: list[Finding] = field(default_factory=list)
    cases_opened: int = 0
    cases_closed: int = 0

    def as_json(self) -> dict:
        return {
            "inspection": self.inspection_id, "quarter": self.quarter, "at": to_local_iso(self.at),
            "checked": self.checked, "failed": len(self.failed),
            "failed_accounts": [{"account": key, "rules": rules} for key, rules in self.failed.items()],
            "findings": len(self.findings), "cases_opened": self.cases_opened, "cases_closed": self.cases_closed,
        }


def run_inspection(db: Database, settings: Settings, quarter: str, at: datetime | None = None, *,
                   evaluate: Evaluate | None = None, now: datetime | None = None) -> RunResult:
    """Evaluate the rules on the current sample at T, store them as the quarter's inspection,
    open its rectification cases and review (复核) the open cases of earlier quarters."""
    quarter = normalise_quarter(quarter)
    at = at or default_at(quarter, now)
    evaluate = evaluate or evaluation.rules_evaluate()
    with db.session() as session:
        plan = current_inspection(session, quarter)
        if plan is None:
            raise TrackerError(f"no inspection planned for {quarter}: run `tracker inspect plan --quarter {quarter} --ratio R` first")
        assert plan.id is not None  # a stored row
        sample = sample_of(session, plan.id)
        reviewed = {case.account for case in cases.cases_to_review(session, at, skip_quarter=quarter)}
    findings = [f for f in evaluate(db, settings, at, accounts=sorted(sample)) if f.account in sample]
    extra = sorted(reviewed - set(sample))
    review_findings = [f for f in evaluate(db, settings, at, accounts=extra) if f.account in reviewed] if extra else []
    failed = veto_rules(findings)
    with db.write() as session:
        row = _run_row(session, plan, sample, at, now)
        assert row.id is not None  # flushed by _run_row
        session.add_all(InspectionFinding(inspection_id=row.id, account=f.account, rule=f.rule,
                                          severity=f.severity, evidence=f.evidence) for f in findings)
        closed = cases.close_rectified(session, cases.cases_to_review(session, at, skip_quarter=quarter),
                                       veto_rules([*findings, *review_findings]), at)
        opened, closed_here = cases.open_quarter_cases(session, quarter, at, failed,
                                                       int(settings.section("cases")["due_days"]), judged=sample)
    return RunResult(row.id, quarter, at, len(sample), failed, findings, opened, closed + closed_here)


def _run_row(session, plan: Inspection, sample: dict[str, str], at: datetime, now: datetime | None) -> Inspection:
    """The plan row itself on its first run; a copy of the plan for a re-run (history kept)."""
    plan = session.get(Inspection, plan.id)
    if plan.run_at is None:
        row = plan
    else:
        plan.current = False
        session.add(plan)
        row = Inspection(quarter=plan.quarter, ratio=plan.ratio, seed=plan.seed, planned_at=plan.planned_at,
                         registry_at=plan.registry_at, sample_size=plan.sample_size)
    row.run_at, row.at, row.current = now or now_utc(), at, True
    session.add(row)
    session.flush()
    assert row.id is not None  # assigned by the flush
    if row is not plan:
        session.add_all(InspectionSample(inspection_id=row.id, account=key, stratum=stratum)
                        for key, stratum in sample.items())
    return row


def inspection_history(db: Database, quarter: str | None = None) -> list[dict]:
    """Every plan and run, newest first (the current one flagged)."""
    with db.session() as session:
        query = select(Inspection).order_by(col(Inspection.id).desc())
        if quarter:
            query = query.where(col(Inspection.quarter) == normalise_quarter(quarter))
        rows = session.exec(query).all()
    return [{"inspection": row.id, "quarter": row.quarter, "ratio": row.ratio, "seed": row.seed,
             "sample_size": row.sample_size, "current": row.current,
             "planned_at": to_local_iso(row.planned_at),
             "at": to_local_iso(row.at) if row.at else None} for row in rows]

"""The nightly jobs and the record of their runs (table `job_run`).

Each scheduled occurrence of a job runs once, however many schedulers run on however many
machines: a scheduler claims the occurrence by inserting its `job_run` row, unique on (job,
occurrence), in a transaction of its own; whoever loses the insert skips the occurrence. The
occurrence is the scheduled time, not the clock of the machine, so every scheduler names it alike.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from platformdirs import user_data_dir
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from tracker.domain.errors import ConfigError
from tracker.domain.times import as_utc, local_date, now_utc, quarter_of_day
from tracker.settings import Settings
from tracker.storage.db import Database
from tracker.storage.tables import JobRun

JOB_NAMES = ("poll", "check", "report", "probe", "alerts")  # the jobs with a time of their own in [schedule]
AFTER_CHECK = "notify"  # the alerts made after each check: a job run of its own, claimed like the others

# A job: (db, settings, occurrence) -> counts worth keeping (JSON-able).
JobFunction = Callable[[Database, Settings, datetime], dict[str, Any]]


@dataclass(frozen=True)
class JobRunInfo:
    """One run of a job, as the TUI dashboard and `tracker schedule --runs` show it."""

    job: str
    occurrence: datetime
    started_at: datetime
    finished_at: datetime | None
    outcome: str  # running | ok | failed
    counts: dict[str, Any]
    host: str | None

    @property
    def seconds(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


def host_name() -> str:
    return socket.gethostname()


def claim_occurrence(db: Database, job: str, occurrence: datetime, *, host: str | None = None) -> int | None:
    """The id of the new `job_run` row, or None when another scheduler already claimed it."""
    row = JobRun(job=job, occurrence=as_utc(occurrence), started_at=now_utc(), outcome="running",
                 counts={}, host=host or host_name())
    try:
        with db.write() as session:
            session.add(row)
            session.flush()
            return row.id
    except IntegrityError:
        return None


def finish_run(db: Database, run_id: int, outcome: str, counts: dict[str, Any]) -> None:
    with db.write() as session:
        session.execute(update(JobRun).where(col(JobRun.id) == run_id)
                        .values(finished_at=now_utc(), outcome=outcome, counts=counts))


def run_claimed(db: Database, settings: Settings, job: str, occurrence: datetime, function: JobFunction,
                *, host: str | None = None) -> JobRunInfo | None:
    """Run `function` for this occurrence unless someone else has; record how it went.

    Returns the run, or None when the occurrence belonged to another scheduler. A failing job
    is recorded as failed (the error in counts) and does not raise: the scheduler goes on.
    """
    run_id = claim_occurrence(db, job, occurrence, host=host)
    if run_id is None:
        return None
    try:
        counts = dict(function(db, settings, as_utc(occurrence)) or {})
        outcome = "ok"
    except Exception as exc:
        counts = {"error": f"{type(exc).__name__}: {exc}"}
        outcome = "failed"
    finish_run(db, run_id, outcome, counts)
    return _run_info(db, run_id)


def _run_info(db: Database, run_id: int) -> JobRunInfo:
    with db.session() as session:
        return _info(session.get_one(JobRun, run_id))


def _info(row: JobRun) -> JobRunInfo:
    return JobRunInfo(job=row.job, occurrence=row.occurrence, started_at=row.started_at,
                      finished_at=row.finished_at, outcome=row.outcome, counts=dict(row.counts or {}),
                      host=row.host)


def recent_runs(db: Database, limit: int = 20, *, job: str | None = None) -> list[JobRunInfo]:
    """The newest runs first (by start), for the dashboard."""
    query = select(JobRun).order_by(col(JobRun.started_at).desc(), col(JobRun.id).desc()).limit(limit)
    if job is not None:
        query = query.where(col(JobRun.job) == job)
    with db.session() as session:
        return [_info(row) for row in session.execute(query).scalars()]


# --- the jobs of [schedule] -------------------------------------------------------------------

def poll_job(db: Database, settings: Settings, occurrence: datetime) -> dict[str, Any]:
    """Poll every due account; other machines may join with `tracker poll --worker`."""
    from tracker.polling.workers import work  # deferred: start-up time of every command

    return work(db, settings, run_start=occurrence).as_counts()


def probe_job(db: Database, settings: Settings, occurrence: datetime) -> dict[str, Any]:
    """One availability probe of every 政府网站 (docs/contract.md §10)."""
    from tracker.polling.probes import probe  # deferred: start-up time of every command

    return probe(db, settings).summary()


def probe_cron(settings: Settings) -> str:
    """`[schedule] probes_per_day` as a cron expression spreading the probes evenly over the day
    ("" when 0): 24 → every hour on the hour, 48 → every 30 minutes."""
    per_day = settings.section("schedule")["probes_per_day"]
    if per_day <= 0:
        return ""
    if 24 % per_day == 0:
        return f"0 */{24 // per_day} * * *" if per_day < 24 else "0 * * * *"
    if per_day % 24 == 0 and 60 % (per_day // 24) == 0:
        return f"*/{60 // (per_day // 24)} * * * *"
    raise ConfigError(f"[schedule] probes_per_day = {per_day}: use a divisor of 24 or 24 × a divisor of 60 "
                      "(e.g. 12, 24, 48, 72) so that the probes spread evenly over the day")


def job_cron(settings: Settings, name: str) -> str:
    """The cron expression of a job of JOB_NAMES ("" when disabled)."""
    if name == "probe":
        return probe_cron(settings)
    if name == "alerts" and not alerts_wanted(settings):
        return ""   # no robot: nothing to retry
    return settings.section("schedule")[name]


def alerts_wanted(settings: Settings) -> bool:
    from tracker.alerts.config import webhooks  # deferred: start-up time of every command

    return bool(settings.section("alerts")["enabled"] and webhooks(settings))


def alerts_waiting(db: Database, settings: Settings) -> bool:
    """Whether a robot has alerts due for sending now (the retry job skips its run, unrecorded, if not)."""
    from tracker.alerts import outbox  # deferred: start-up time of every command
    from tracker.alerts.config import webhooks  # deferred: start-up time of every command

    return any(outbox.queued(db, hook.name) for hook in webhooks(settings))


def check_job(db: Database, settings: Settings, occurrence: datetime) -> dict[str, Any]:
    from tracker.judging.run import run_check  # deferred: start-up time of every command

    result = run_check(db, settings, occurrence)
    return {"accounts_checked": result.accounts_checked, "findings": len(result.findings),
            "veto": result.count("veto"), "warning": result.count("warning"), "check_run": result.run_id}


def report_job(db: Database, settings: Settings, occurrence: datetime) -> dict[str, Any]:
    """The 通报 of the running quarter as of now, written in each configured format."""
    from tracker.judging.inspections import default_at  # deferred: start-up time of every command
    from tracker.reports import report_format  # deferred: start-up time of every command
    from tracker.reports.builder import build_report  # deferred: start-up time of every command
    from tracker.reports.files import write_report  # deferred: start-up time of every command

    day = local_date(occurrence)
    quarter = quarter_of_day(day)

    report = build_report(db, settings, quarter, default_at(quarter, occurrence))  # never past the quarter
    directory = report_directory(settings)
    written = []
    for name in settings.section("schedule")["report_formats"]:
        fmt = report_format(name)
        path = directory / f"report-{quarter}-{day:%Y%m%d}{fmt.suffix}"
        written.append(str(write_report(report, fmt, path)))  # atomic: a failed run keeps last week's file
    return {"quarter": quarter, "files": written}


def report_directory(settings: Settings) -> Path:
    configured = settings.section("schedule")["report_dir"]
    directory = Path(configured).expanduser() if configured else Path(user_data_dir("govmedia-tracker", appauthor=False)) / "reports"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def notify_job(db: Database, settings: Settings, occurrence: datetime) -> dict[str, Any]:
    """After a check: make the alerts of that moment, write the new ones, send (docs/contract.md §8).
    A robot's failure is counted, never raised: the check has been stored already."""
    from tracker.alerts.deliver import send_alerts  # deferred: start-up time of every command

    return send_alerts(db, settings, occurrence).counts()


def alerts_job(db: Database, settings: Settings, occurrence: datetime) -> dict[str, Any]:
    """Every `[schedule] alerts`: send what waits in the outbox (failed sends whose retry time came)."""
    from tracker.alerts.config import webhooks  # deferred: start-up time of every command
    from tracker.alerts.deliver import deliver  # deferred: start-up time of every command

    return deliver(db, settings, webhooks(settings)).counts()


def after_check(db: Database, settings: Settings, check: JobRunInfo | None, *, host: str | None = None) -> JobRunInfo | None:
    """The alerts job of a check run that went well, when `[alerts] enabled` and robots are
    configured; claimed on the check's occurrence, so it runs once across schedulers."""
    if check is None or check.outcome != "ok" or not alerts_wanted(settings):
        return None
    return run_claimed(db, settings, AFTER_CHECK, check.occurrence, DEFAULT_JOBS[AFTER_CHECK], host=host)


DEFAULT_JOBS: dict[str, JobFunction] = {"poll": poll_job, "check": check_job, "report": report_job, "probe": probe_job,
                                        "alerts": alerts_job, AFTER_CHECK: notify_job}

"""`tracker schedule`: APScheduler 3 running the jobs of `[schedule]` until SIGTERM or SIGINT.

Every scheduler fires every job; `tracker.jobs.runs.run_claimed` lets only the first one per
occurrence do the work, so schedulers on several machines may run side by side. APScheduler
does not hand the scheduled time to the job function, which we need as the occurrence's name,
so a small executor passes it in.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.executors.base import run_job
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger

from tracker.domain.cron import cron_trigger, previous_fire_time
from tracker.domain.times import now_utc
from tracker.jobs.runs import DEFAULT_JOBS, JOB_NAMES, JobFunction, after_check, alerts_waiting, check_job, job_cron, poll_job, run_claimed
from tracker.polling.workers import work
from tracker.settings import Settings
from tracker.storage.db import Database

log = logging.getLogger("tracker.jobs.scheduler")


def schedule_triggers(settings: Settings) -> dict[str, CronTrigger]:
    """The enabled jobs and their triggers (an empty expression disables a job)."""
    section = settings.section("schedule")
    expressions = {name: job_cron(settings, name) for name in JOB_NAMES}
    return {name: cron_trigger(text, section["timezone"], name) for name, text in expressions.items() if text.strip()}


class _OccurrenceJob:
    """What `run_job` needs of a job, with the scheduled time added as `occurrence`."""

    def __init__(self, job: Any, run_time: datetime) -> None:
        self.id = job.id
        self.misfire_grace_time = job.misfire_grace_time
        self.func = job.func
        self.args = job.args
        self.kwargs = {**job.kwargs, "occurrence": run_time}
        self._name = str(job)

    def __str__(self) -> str:
        return self._name


class OccurrenceExecutor(ThreadPoolExecutor):
    def _do_submit_job(self, job: Any, run_times: list[datetime]) -> None:
        def run_each() -> list:
            events: list = []
            for run_time in run_times:
                events += run_job(_OccurrenceJob(job, run_time), job._jobstore_alias, [run_time], self._logger.name)
            return events

        def done(future: Any) -> None:
            exc = future.exception()
            if exc is not None:
                self._run_job_error(job.id, exc, exc.__traceback__)
            else:
                self._run_job_success(job.id, future.result())

        self._pool.submit(run_each).add_done_callback(done)


def build_scheduler(db: Database, settings: Settings, jobs: Mapping[str, JobFunction] | None = None,
                    *, triggers: Mapping[str, CronTrigger] | None = None, host: str | None = None) -> BackgroundScheduler:
    """A scheduler (not started) with one APScheduler job per enabled `[schedule]` job."""
    functions = {**DEFAULT_JOBS, **(jobs or {})}
    triggers = schedule_triggers(settings) if triggers is None else triggers
    section = settings.section("schedule")
    grace = section["misfire_grace_seconds"]
    scheduler = BackgroundScheduler(executors={"default": OccurrenceExecutor(max_workers=max(1, len(triggers)))},
                                    timezone=ZoneInfo(section["timezone"]))
    now = now_utc()
    for name, trigger in triggers.items():
        # A scheduler (re)started shortly after an occurrence still runs it, within the grace
        # time; job_run remembers whether it ran already, so this never runs it twice.
        missed = previous_fire_time(trigger, now)
        catch_up = {"next_run_time": missed} if missed is not None and (now - missed).total_seconds() <= grace else {}
        # coalesce: after downtime, one run for all missed occurrences
        scheduler.add_job(_fire, trigger, id=name, name=name, args=(db, settings, name, functions[name], host),
                          coalesce=True, max_instances=1, misfire_grace_time=grace, **catch_up)
    return scheduler


def _fire(db: Database, settings: Settings, name: str, function: JobFunction, host: str | None,
          occurrence: datetime | None = None) -> None:
    """One firing of a job: `occurrence` comes from OccurrenceExecutor."""
    if name == "alerts" and not alerts_waiting(db, settings):
        return   # every 10 minutes by default: recorded only when there was something to send
    run = run_claimed(db, settings, name, occurrence or now_utc(), function, host=host)
    if run is None and function is poll_job and db.dialect == "postgresql":
        # The poll run belongs to another scheduler, but its accounts are shared: lend a hand.
        helped = work(db, settings, run_start=occurrence)
        log.info("poll of %s: run by another scheduler; polled %d account(s) as a worker", occurrence, helped.accounts)
    elif run is None:
        log.info("%s of %s: run by another scheduler", name, occurrence)
    else:
        log.info("%s of %s: %s %s", name, occurrence, run.outcome, run.counts)
    if function is check_job:
        # The alerts come after the check is stored, as a run of their own: a robot's failure
        # shows there and never in the check's run.
        alerts = after_check(db, settings, run, host=host)
        if alerts is not None:
            log.info("alerts of %s: %s %s", occurrence, alerts.outcome, alerts.counts)


def run_until_stopped(scheduler: BackgroundScheduler, *, stop: threading.Event | None = None) -> None:
    """Start, then wait for SIGTERM/SIGINT (or `stop`); running jobs finish before returning."""
    stop = stop or threading.Event()
    previous = {}
    if threading.current_thread() is threading.main_thread():
        for number in (signal.SIGTERM, signal.SIGINT):
            previous[number] = signal.signal(number, lambda *_: stop.set())
    scheduler.start()
    log.info("scheduler started at %s", now_utc().isoformat())
    try:
        while not stop.wait(1.0):
            pass
    finally:
        scheduler.shutdown(wait=True)
        for number, handler in previous.items():
            signal.signal(number, handler)


def next_runs(scheduler: BackgroundScheduler, now: datetime | None = None) -> dict[str, datetime | None]:
    """When each job fires next (for `tracker schedule --list`)."""
    now = now or now_utc()
    return {job.id: job.trigger.get_next_fire_time(None, now) for job in scheduler.get_jobs()}

"""`tracker schedule`: cron triggers in Asia/Shanghai, occurrences run once across schedulers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from tracker.domain.times import parse_at
from tracker.jobs.runs import recent_runs
from tracker.jobs.scheduler import build_scheduler, cron_trigger, next_runs, previous_fire_time, run_until_stopped
from tracker.settings import ConfigError, load_settings
from tracker.storage.db import Database, open_database
from tracker.storage.tables import JobRun

ROOT = Path(__file__).resolve().parents[2]


def test_default_schedule_fires_at_shanghai_times(sqlite_db: Database) -> None:
    scheduler = build_scheduler(sqlite_db, load_settings())
    runs = next_runs(scheduler, parse_at("2026-11-23T09:00:00+08:00"))  # a Monday
    assert runs == {
        "poll": parse_at("2026-11-24T02:00:00+08:00"),
        "check": parse_at("2026-11-24T06:00:00+08:00"),
        "report": parse_at("2026-11-30T08:00:00+08:00"),
        "probe": parse_at("2026-11-23T09:00:00+08:00"),  # hourly (probes_per_day = 24), from the hour given
    }
    job = scheduler.get_job("poll")
    assert job.coalesce is True and job.misfire_grace_time == 3600 and job.max_instances == 1


def test_an_empty_expression_disables_a_job(sqlite_db: Database, tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[schedule]\nreport = ""\npoll = "30 1 * * *"\n', encoding="utf-8")
    scheduler = build_scheduler(sqlite_db, load_settings(config))
    assert sorted(job.id for job in scheduler.get_jobs()) == ["check", "poll", "probe"]


@pytest.mark.parametrize("expression, message", [
    ("0 2 * *", "5 fields"),
    ("0 25 * * *", "not a cron expression"),
    ("0 2 * * funday", "not a cron expression"),
])
def test_bad_cron_expressions_name_the_key(expression: str, message: str) -> None:
    with pytest.raises(ConfigError, match=rf"\[schedule\] poll: .*{message}"):
        cron_trigger(expression, "Asia/Shanghai", "poll")


def test_previous_fire_time_looks_back_as_far_as_needed() -> None:
    weekly = cron_trigger("0 8 * * mon", "Asia/Shanghai")
    assert previous_fire_time(weekly, parse_at("2026-11-29T12:00:00+08:00")) == parse_at("2026-11-23T08:00:00+08:00")
    every_second = cron_trigger("* * * * * *", "Asia/Shanghai")
    assert previous_fire_time(every_second, parse_at("2026-11-29T12:00:00.5+08:00")) == parse_at("2026-11-29T12:00:00+08:00")


def test_scheduler_runs_and_records_jobs_until_stopped(sqlite_db: Database) -> None:
    calls: list[str] = []

    def job(_db, _settings, occurrence):
        calls.append(occurrence.isoformat())
        return {"accounts": 7}

    every_second = {"check": cron_trigger("* * * * * *", "Asia/Shanghai")}
    scheduler = build_scheduler(sqlite_db, load_settings(), {"check": job}, triggers=every_second)
    stop = threading.Event()
    threading.Timer(2.5, stop.set).start()
    run_until_stopped(scheduler, stop=stop)
    runs = recent_runs(sqlite_db, 10)
    assert len(runs) == len(calls) >= 2
    assert all(run.job == "check" and run.outcome == "ok" and run.counts == {"accounts": 7} for run in runs)
    assert sorted(run.occurrence.isoformat() for run in runs) == sorted(calls)
    assert not scheduler.running


_SCHEDULER = """
import os, sys, time
from tracker.jobs.scheduler import build_scheduler, cron_trigger, run_until_stopped
from tracker.settings import load_settings
from tracker.storage.db import open_database
url, log = sys.argv[1], sys.argv[2]
db = open_database(url)

def fake(name):
    def job(db, settings, occurrence):
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(f"{name} {occurrence.isoformat()} {os.getpid()}\\n")
        time.sleep(0.2)  # still running when SIGTERM comes: it must finish and be recorded
        return {"pid": os.getpid()}
    return job

triggers = {name: cron_trigger("* * * * * *", "Asia/Shanghai") for name in ("poll", "check")}
scheduler = build_scheduler(db, load_settings(), {"poll": fake("poll"), "check": fake("check")}, triggers=triggers)
print("ready", flush=True)
run_until_stopped(scheduler)
"""


@pytest.mark.parametrize("processes", [2, 4])
def test_several_schedulers_run_each_occurrence_once(pg_schema_url: str, tmp_path: Path, processes: int) -> None:
    open_database(pg_schema_url).dispose()  # migrate once, before the schedulers race
    log = tmp_path / "executions.log"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    schedulers = [subprocess.Popen([sys.executable, "-c", _SCHEDULER, pg_schema_url, str(log)], cwd=ROOT, env=env,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(processes)]
    for scheduler in schedulers:
        assert scheduler.stdout.readline().strip() == "ready", scheduler.stderr.read()
    time.sleep(2.6)
    for scheduler in schedulers:
        scheduler.send_signal(signal.SIGTERM)
    for scheduler in schedulers:
        assert scheduler.wait(timeout=20) == 0, scheduler.stderr.read()

    executions = [tuple(line.split()[:2]) for line in log.read_text(encoding="utf-8").splitlines()]
    assert Counter(executions).most_common(1)[0][1] == 1  # no occurrence ran twice
    db = open_database(pg_schema_url)
    with db.session() as session:
        rows = session.execute(select(JobRun)).scalars().all()
    db.dispose()
    assert {(row.job, row.occurrence.isoformat()) for row in rows} == set(executions)
    assert all(row.outcome == "ok" and row.finished_at is not None for row in rows)
    for job in ("poll", "check"):
        assert sum(1 for name, _ in executions if name == job) >= 2


def test_schedulers_that_lose_the_poll_claim_join_its_run_as_workers(pg_schema_url: str, tmp_path: Path) -> None:
    from tests.polling.feedserver import FeedServer, Route
    from tests.polling.test_workers import _RSS, add_accounts, poll_counts
    from tracker.jobs.runs import poll_job
    from tracker.jobs.scheduler import _fire

    config = tmp_path / "c.toml"
    config.write_text("[schedule]\nworker_batch = 2\n", encoding="utf-8")
    settings = load_settings(config)
    occurrence = parse_at("2026-11-23T02:00:00+08:00")
    with FeedServer() as server:
        databases = [open_database(pg_schema_url) for _ in range(2)]
        keys = add_accounts(databases[0], 12, feed_url=lambda key: server.add(
            f"/{key}.xml", Route(kind="slow", delay=0.1, body=_RSS.format(key=key).encode())))
        threads = [threading.Thread(target=_fire, args=(database, settings, "poll", poll_job, f"host{index}", occurrence))
                   for index, database in enumerate(databases)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        (run,) = recent_runs(databases[0])
        assert run.outcome == "ok" and 0 < run.counts["accounts"] < 12  # the other scheduler took a share
        assert poll_counts(databases[0]) == Counter({key: 1 for key in keys})
        for database in databases:
            database.dispose()


@pytest.mark.parametrize("grace, caught_up", [(3600, True), (30, False)])
def test_a_restarted_scheduler_runs_a_missed_occurrence_within_the_grace_time(
        sqlite_db: Database, tmp_path: Path, grace: int, caught_up: bool) -> None:
    from datetime import timedelta

    from tracker.domain.times import now_utc

    config = tmp_path / "c.toml"
    config.write_text(f"[schedule]\nmisfire_grace_seconds = {grace}\n", encoding="utf-8")
    missed = (now_utc() - timedelta(minutes=2)).replace(second=0, microsecond=0)
    hourly = {"check": cron_trigger(f"{missed.minute} * * * *", "UTC")}  # last fired two minutes ago
    calls: list = []
    scheduler = build_scheduler(sqlite_db, load_settings(config), {"check": lambda _d, _s, at: calls.append(at) or {}},
                                triggers=hourly)
    stop = threading.Event()
    threading.Timer(1.5, stop.set).start()
    run_until_stopped(scheduler, stop=stop)
    assert calls == ([missed] if caught_up else [])
    if caught_up:  # and a second scheduler starting now does not run it again
        again = build_scheduler(sqlite_db, load_settings(config), {"check": lambda *_: calls.append("again") or {}},
                                triggers=hourly)
        stop = threading.Event()
        threading.Timer(1.5, stop.set).start()
        run_until_stopped(again, stop=stop)
        assert calls == [missed] and [run.occurrence for run in recent_runs(sqlite_db)] == [missed]


def test_tracker_schedule_runs_until_sigterm(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[schedule]\npoll = ""\nreport = ""\nprobes_per_day = 0\ncheck = "* * * * * *"\n', encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    tracker = str(Path(sys.executable).with_name("tracker"))
    database = open_database(url)  # created before, so that nobody races to migrate it
    process = subprocess.Popen([tracker, "--db", url, "--config", str(config), "schedule"], cwd=tmp_path,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # until the first check has run
        time.sleep(0.3)
        if any(run.outcome == "ok" for run in recent_runs(database)):
            break
    process.send_signal(signal.SIGTERM)
    _out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert "check" in err and "Traceback" not in err
    runs = recent_runs(database)
    assert runs and all(run.job == "check" and run.outcome == "ok" for run in runs)
    database.dispose()

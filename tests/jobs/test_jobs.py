"""Job runs: claimed once per occurrence, recorded with outcome and counts, shown newest first."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from pathlib import Path

from typer.testing import CliRunner

from tracker.cli.main import app
from tracker.domain.times import now_utc, parse_at
from tracker.jobs.runs import check_job, claim_occurrence, recent_runs, report_job, run_claimed
from tracker.settings import load_settings
from tracker.storage.db import Database, open_database

runner = CliRunner()
OCCURRENCE = parse_at("2026-11-23T02:00:00+08:00")


def test_an_occurrence_is_claimed_once(db: Database) -> None:
    assert claim_occurrence(db, "poll", OCCURRENCE, host="a") is not None
    assert claim_occurrence(db, "poll", OCCURRENCE, host="b") is None
    assert claim_occurrence(db, "check", OCCURRENCE) is not None  # another job, same time
    assert claim_occurrence(db, "poll", OCCURRENCE + timedelta(days=1)) is not None


def test_racing_schedulers_run_an_occurrence_once(db_url: str) -> None:
    """Eight schedulers, each with its own connection pool, fire the same occurrence at once."""
    calls: list[str] = []
    barrier = threading.Barrier(8)
    databases = [open_database(db_url) for _ in range(8)]

    def job(_db, _settings, _occurrence):
        calls.append("ran")
        return {}

    def fire(database: Database) -> None:
        barrier.wait()
        run_claimed(database, load_settings(), "check", OCCURRENCE, job)

    threads = [threading.Thread(target=fire, args=(database,)) for database in databases]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert calls == ["ran"]
    assert [run.outcome for run in recent_runs(databases[0])] == ["ok"]
    for database in databases:
        database.dispose()


def test_runs_are_recorded_with_outcome_and_counts(db: Database) -> None:
    settings = load_settings()
    ok = run_claimed(db, settings, "poll", OCCURRENCE, lambda *_: {"accounts": 12}, host="node1")
    assert ok.outcome == "ok" and ok.counts == {"accounts": 12} and ok.host == "node1"
    assert ok.occurrence == OCCURRENCE and ok.finished_at >= ok.started_at and ok.seconds >= 0

    def broken(*_):
        raise RuntimeError("feed server down")

    failed = run_claimed(db, settings, "check", OCCURRENCE, broken)
    assert failed.outcome == "failed" and failed.counts == {"error": "RuntimeError: feed server down"}
    assert run_claimed(db, settings, "check", OCCURRENCE, lambda *_: {}) is None  # failed is still run
    runs = recent_runs(db, 10)
    assert [(run.job, run.outcome) for run in runs] == [("check", "failed"), ("poll", "ok")]
    assert [run.job for run in recent_runs(db, 1)] == ["check"]
    assert [run.job for run in recent_runs(db, 10, job="poll")] == ["poll"]


def test_check_job_counts_findings(sqlite_db: Database) -> None:
    counts = check_job(sqlite_db, load_settings(), now_utc())
    assert counts["accounts_checked"] == 0 and counts["findings"] == 0 and counts["check_run"] is not None


def test_report_job_writes_the_configured_formats(sqlite_db: Database, tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text(f'[schedule]\nreport_dir = "{tmp_path / "out"}"\nreport_formats = ["json"]\n', encoding="utf-8")
    counts = report_job(sqlite_db, load_settings(config), parse_at("2026-11-23T08:00:00+08:00"))
    written = tmp_path / "out" / "report-2026Q4-20261123.json"
    assert counts == {"quarter": "2026Q4", "files": [str(written)]}
    assert isinstance(json.loads(written.read_text(encoding="utf-8")), dict)


def test_cli_lists_jobs_runs_one_and_shows_runs(sqlite_url: str) -> None:
    listed = runner.invoke(app, ["--db", sqlite_url, "schedule", "--list", "--format", "json"])
    assert listed.exit_code == 0
    assert set(json.loads(listed.stdout)) == {"poll", "check", "report", "probe"}  # probe: 政府网站 (CONTRACT §10)
    table = runner.invoke(app, ["--db", sqlite_url, "schedule", "--list"])   # the table once failed on probe's cron
    assert table.exit_code == 0 and "probe   0 * * * *" in table.stdout, table.output
    ran = runner.invoke(app, ["--db", sqlite_url, "schedule", "--run-now", "check", "--format", "json"])
    assert ran.exit_code == 0, ran.output
    assert json.loads(ran.stdout)[0]["outcome"] == "ok"
    shown = runner.invoke(app, ["--db", sqlite_url, "schedule", "--runs", "5"])
    assert shown.exit_code == 0 and "check" in shown.stdout and "ok" in shown.stdout
    bad = runner.invoke(app, ["--db", sqlite_url, "schedule", "--run-now", "dance"])
    assert bad.exit_code == 2 and "--run-now must be one of" in bad.stderr


def test_cli_users_on_sqlite_does_not_apply(sqlite_url: str) -> None:
    result = runner.invoke(app, ["--db", sqlite_url, "users", "add", "reg_a", "--role", "registrar", "--region", "安徽省"])
    assert result.exit_code == 2
    assert "PostgreSQL only" in result.stderr and "Traceback" not in result.output

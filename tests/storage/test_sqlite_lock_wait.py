"""Issue 13 item 10: while another process holds SQLite's write lock, every writing command
waits with a message on stderr, up to `[database] lock_timeout_seconds`, then stops with a
one-line error (exit 2) — and a write that gets the lock in time keeps the command's work."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.polling.feedserver import FeedServer, Route, feed_server  # noqa: F401 - the fixture
from tests.registry.registry_helpers import row, write_registry
from tracker.cli.main import app

FEEDS = Path(__file__).resolve().parents[1] / "data" / "feeds"
HOLDER = """
import sqlite3, sys, time
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
connection.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
connection.execute("ROLLBACK")
"""


@contextmanager
def write_locked(path: Path, seconds: float) -> Iterator[subprocess.Popen]:
    """Another process holding the write lock (as a 1M-row import does) for `seconds`."""
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(path), str(seconds)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        yield holder
    finally:
        holder.kill()
        holder.wait()


def invoke(*args: str):
    return CliRunner().invoke(app, list(args))


@pytest.fixture
def tracker_db(tmp_path: Path, feed_server: FeedServer) -> tuple[Path, list[str]]:
    """A database with two accounts (one with a feed), a stored check and its cases."""
    path = tmp_path / "tracker.db"
    url = feed_server.add("/a.xml", Route(body=(FEEDS / "gov_cms_rss_times.xml").read_bytes()))
    registry = write_registry(tmp_path / "r.csv", [row("1", opened_on="2026-01-01", feed_url=url),
                                                   row("2", opened_on="2026-01-01")])
    base = ["--db", f"sqlite:///{path}"]
    assert invoke(*base, "registry", "import", str(registry)).exit_code == 0
    assert invoke(*base, "check", "--at", "2026-08-31").exit_code == 0
    posts = tmp_path / "posts.jsonl"
    posts.write_text(json.dumps({"account": "weibo:2", "id": "p1", "published_at": "2026-09-01T09:00:00+08:00",
                                 "title": "动态", "text": "工作动态"}, ensure_ascii=False) + "\n", encoding="utf-8")
    return path, base


def _config(tmp_path: Path, seconds: float) -> str:
    config = tmp_path / "lock.toml"
    config.write_text(f"[database]\nlock_timeout_seconds = {seconds}\n", encoding="utf-8")
    return str(config)


COMMANDS = {
    "observe": ["observe", "weibo:1", "comments_disabled"],
    "check": ["check", "--at", "2026-09-30"],
    "ingest": ["ingest", "{posts}"],
    "poll": ["poll"],
    "cases --review": ["cases", "--review", "--at", "2026-09-30"],
    "inspect plan": ["inspect", "plan", "--quarter", "2026Q3", "--ratio", "100%", "--seed", "1"],
}


@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_writing_command_waits_then_stops_with_one_line(command: str, tracker_db: tuple[Path, list[str]],
                                                          tmp_path: Path) -> None:
    path, base = tracker_db
    args = [arg.replace("{posts}", str(tmp_path / "posts.jsonl")) for arg in COMMANDS[command]]
    with write_locked(path, 60):
        started = time.monotonic()
        result = invoke(*base, "--config", _config(tmp_path, 1.5), *args)
        waited = time.monotonic() - started
    assert result.exit_code == 2, (result.output, result.exception)
    assert "数据库被其他进程占用，等待中" in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "1.5 秒" in errors[0], result.stderr
    assert "Traceback" not in result.output and "database is locked" not in result.output
    assert 1.4 <= waited < 20


def test_the_wait_and_the_error_speak_english_too(tracker_db: tuple[Path, list[str]], tmp_path: Path) -> None:
    path, base = tracker_db
    with write_locked(path, 60):
        result = invoke(*base, "--lang", "en", "--config", _config(tmp_path, 0.5), "observe", "weibo:1", "comments_disabled")
    assert result.exit_code == 2
    assert "locked by another process, waiting" in result.stderr
    assert "error: the database stayed locked by another process for over 0.5 s" in result.stderr


def test_a_check_that_gets_the_lock_in_time_keeps_its_work(tracker_db: tuple[Path, list[str]], tmp_path: Path) -> None:
    path, base = tracker_db
    with sqlite3.connect(path) as connection:
        runs_before = connection.execute("SELECT count(*) FROM check_run").fetchone()[0]
    with write_locked(path, 2.0):
        began = time.monotonic()
        result = invoke(*base, "--config", _config(tmp_path, 60), "check", "--at", "2026-09-30")
        waited = time.monotonic() - began
    assert waited >= 1.5  # the check finished only after the other writer let go (its exit may come later)
    assert result.exit_code == 0, (result.output, result.exception)
    assert "数据库被其他进程占用，等待中" in result.stderr
    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT count(*) FROM check_run").fetchone()[0] == runs_before + 1


def test_the_lock_timeout_is_validated(tmp_path: Path, sqlite_url: str) -> None:
    result = invoke("--db", sqlite_url, "--config", _config(tmp_path, -1), "observe", "weibo:1", "comments_disabled")
    assert result.exit_code == 2 and "lock_timeout_seconds" in result.stderr

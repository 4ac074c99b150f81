"""`tracker poll --worker`: batches of due accounts claimed with leases, each polled once per run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import func, select, update

from tracker.domain.times import now_utc
from tracker.polling.workers import claim_batch, default_run_start, ensure_feed_states, work
from tracker.settings import load_settings
from tracker.storage.db import Database, open_database
from tracker.storage.tables import Account, FeedState, PollOutcome

ROOT = Path(__file__).resolve().parents[2]


def add_accounts(db: Database, count: int, *, status: str = "active", prefix: str = "weibo:",
                 feed_url=None) -> list[str]:
    keys = [f"{prefix}{index:05d}" for index in range(count)]
    with db.write() as session:
        for key in keys:
            platform, account_id = key.split(":")
            session.add(Account(account=key, platform=platform, account_id=account_id, account_name=f"账号{account_id}",
                                org_code="11340000002986061N", org_name="某单位", region="安徽省/合肥市",
                                status=status, opened_on=date(2024, 1, 1), feed_url=feed_url(key) if feed_url else None))
    return keys


def recording_poll(db: Database, _settings, accounts: list[str], *, delay: float = 0.0, owner: str = "test") -> None:
    """Like the poller: each account's result and its last_polled_at in one transaction."""
    for account in accounts:
        time.sleep(delay)
        with db.write() as session:
            session.add(PollOutcome(account=account, run_id=owner, started_at=now_utc(), outcome="ok"))
            session.execute(update(FeedState).where(FeedState.account == account).values(last_polled_at=now_utc()))


def poll_counts(db: Database) -> Counter:
    with db.session() as session:
        rows = session.execute(select(PollOutcome.account, func.count()).group_by(PollOutcome.account)).all()
    return Counter(dict(rows))


def test_one_worker_polls_every_due_account_once_per_run(db: Database) -> None:
    settings = load_settings()
    keys = add_accounts(db, 23)
    add_accounts(db, 2, status="deregistered", prefix="douyin:")
    start = now_utc() - timedelta(minutes=5)
    report = work(db, settings, run_start=start, batch=5, poll_fn=recording_poll)
    assert report.accounts == 23 and report.batches == 5
    assert poll_counts(db) == Counter({key: 1 for key in keys})
    # the same run again: nothing left; a later run: everything again
    assert work(db, settings, run_start=start, batch=5, poll_fn=recording_poll).accounts == 0
    assert work(db, settings, run_start=now_utc(), batch=50, poll_fn=recording_poll).accounts == 23
    with db.session() as session:
        assert session.execute(select(func.count()).where(FeedState.lease_owner.is_not(None))).scalar() == 0


def test_backed_off_and_skipped_accounts_are_not_claimed_again(db: Database) -> None:
    settings = load_settings()
    keys = add_accounts(db, 4)
    work(db, settings, run_start=now_utc(), poll_fn=lambda *_: None)  # creates feed_state rows
    with db.write() as session:
        session.execute(update(FeedState).where(FeedState.account == keys[0]).values(next_poll_at=now_utc() + timedelta(hours=1)))
    start = now_utc()
    # a poll function that skips everything (say, no feed URL): handled once, not claimed forever
    seen: list[str] = []
    report = work(db, settings, run_start=start, poll_fn=lambda _db, _s, accounts: seen.extend(accounts))
    assert sorted(seen) == keys[1:] and report.accounts == 3


def test_an_expired_lease_is_taken_over_and_a_live_one_waited_for(db: Database) -> None:
    settings = load_settings()
    keys = add_accounts(db, 3)
    start = now_utc() - timedelta(seconds=1)
    ensure_feed_states(db)
    assert claim_batch(db, "dead-worker", start, 1, lease_seconds=0.8) == [keys[0]]
    began = time.monotonic()
    report = work(db, settings, run_start=start, poll_fn=recording_poll, wait_step=0.1)
    assert time.monotonic() - began >= 0.5  # waited for the dead worker's lease to run out
    assert sorted(report.polled) == keys
    assert poll_counts(db) == Counter({key: 1 for key in keys})


def test_default_run_start_is_the_latest_scheduled_poll() -> None:
    settings = load_settings()
    from tracker.domain.times import parse_at

    assert default_run_start(settings, parse_at("2026-11-23T01:00:00+08:00")) == parse_at("2026-11-22T02:00:00+08:00")
    assert default_run_start(settings, parse_at("2026-11-23T09:30:00+08:00")) == parse_at("2026-11-23T02:00:00+08:00")


_WORKER = """
import sys, time
from tracker.settings import load_settings
from tracker.storage.db import open_database
from tracker.domain.times import parse_at
from tests.polling.test_workers import recording_poll
url, owner, start = sys.argv[1], sys.argv[2], parse_at(sys.argv[3])
db = open_database(url)
from tracker.polling.workers import work
print("ready", flush=True)
work(db, load_settings(), run_start=start, owner=owner, batch=4, lease_seconds=1.5, wait_step=0.2,
     poll_fn=lambda d, s, accounts: recording_poll(d, s, accounts, delay=0.02, owner=owner))
"""


def test_three_worker_processes_one_killed_poll_each_account_exactly_once(pg_schema_url: str) -> None:
    db = open_database(pg_schema_url)
    keys = add_accounts(db, 90)
    start = now_utc().isoformat()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    workers = [subprocess.Popen([sys.executable, "-c", _WORKER, pg_schema_url, f"w{index}", start], cwd=ROOT, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for index in range(3)]
    for worker in workers:
        assert worker.stdout.readline().strip() == "ready"
    # kill one worker once it has polled something, while it still holds a batch
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with db.session() as session:
            done = session.execute(select(func.count()).where(PollOutcome.run_id == "w1")).scalar()
            held = session.execute(select(func.count()).where(FeedState.lease_owner == "w1")).scalar()
        if done >= 3 and held:
            break
        time.sleep(0.01)
    os.kill(workers[1].pid, signal.SIGKILL)
    workers[1].wait(timeout=10)
    with db.session() as session:
        orphaned = set(session.execute(select(FeedState.account).where(FeedState.lease_owner == "w1")).scalars())
    assert orphaned  # it died holding a lease
    for worker in workers:
        worker.wait(timeout=30)
    assert [worker.returncode for worker in workers] == [0, -signal.SIGKILL, 0], workers[0].stderr.read()
    assert poll_counts(db) == Counter({key: 1 for key in keys})
    with db.session() as session:
        assert not session.execute(select(FeedState.account).where(FeedState.lease_owner.is_not(None))).all()
        by_worker = Counter(session.execute(select(PollOutcome.run_id)).scalars())
    assert by_worker["w0"] > 0 and by_worker["w2"] > 0 and by_worker["w1"] >= 3
    db.dispose()


_REAL_WORKER = """
import sys
from tracker.settings import load_settings
from tracker.storage.db import open_database
from tracker.domain.times import parse_at
from tracker.polling.workers import work
url, owner, start = sys.argv[1], sys.argv[2], parse_at(sys.argv[3])
db = open_database(url)
print("ready", flush=True)
report = work(db, load_settings(), run_start=start, owner=owner, batch=3, lease_seconds=1.5, wait_step=0.2)
print(report.accounts, flush=True)
"""

_RSS = """<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>{key}</title>
<item><title>通知 {key}</title><guid>{key}-1</guid><pubDate>Mon, 23 Nov 2026 08:00:00 GMT</pubDate>
<description>本周工作安排</description></item></channel></rss>"""


def test_worker_processes_share_a_real_poll_of_a_loopback_feed_server(pg_schema_url: str) -> None:
    from tests.polling.feedserver import FeedServer, Route
    from tracker.storage.tables import PostRow

    with FeedServer() as server:
        def feed(key: str) -> str:
            return server.add(f"/{key}.xml", Route(kind="slow", delay=0.15, body=_RSS.format(key=key).encode()))

        db = open_database(pg_schema_url)
        keys = add_accounts(db, 18, feed_url=feed)
        start = now_utc().isoformat()
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        workers = [subprocess.Popen([sys.executable, "-c", _REAL_WORKER, pg_schema_url, f"w{index}", start], cwd=ROOT,
                                    env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for index in range(3)]
        for worker in workers:
            assert worker.stdout.readline().strip() == "ready", worker.stderr.read()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:  # kill w1 while it holds a batch, once polling is under way
            with db.session() as session:
                stored = session.execute(select(func.count()).select_from(PollOutcome)).scalar()
                held = session.execute(select(func.count()).where(FeedState.lease_owner == "w1")).scalar()
            if stored >= 3 and held:
                break
            time.sleep(0.01)
        os.kill(workers[1].pid, signal.SIGKILL)
        for worker in workers:
            worker.wait(timeout=30)
        assert [worker.returncode for worker in workers] == [0, -signal.SIGKILL, 0], workers[0].stderr.read()
        assert poll_counts(db) == Counter({key: 1 for key in keys})  # one stored poll per account
        with db.session() as session:
            posts = Counter(session.execute(select(PostRow.account)).scalars())
            outcomes = set(session.execute(select(PollOutcome.outcome)).scalars())
        assert posts == Counter({key: 1 for key in keys}) and outcomes == {"ok"}
        assert all(server.hits[f"/{key}.xml"] >= 1 for key in keys)
        db.dispose()


def test_poll_worker_from_the_cli_and_the_scheduled_poll_job(sqlite_url: str) -> None:
    import json

    from typer.testing import CliRunner

    from tests.polling.feedserver import FeedServer, Route
    from tracker.cli.main import app

    runner = CliRunner()
    with FeedServer() as server:
        db = open_database(sqlite_url)
        keys = add_accounts(db, 3, feed_url=lambda key: server.add(f"/{key}.xml", Route(body=_RSS.format(key=key).encode())))
        db.dispose()
        first = runner.invoke(app, ["--db", sqlite_url, "poll", "--worker", "--format", "json"])
        assert first.exit_code == 0, first.output
        assert json.loads(first.stdout)["accounts"] == 3
        again = runner.invoke(app, ["--db", sqlite_url, "poll", "--worker", "--format", "json"])
        assert json.loads(again.stdout)["accounts"] == 0  # this run is done
        # the scheduled job is a worker of a run of its own (its occurrence)
        ran = runner.invoke(app, ["--db", sqlite_url, "schedule", "--run-now", "poll", "--format", "json"])
        assert ran.exit_code == 0, ran.output
        counts = json.loads(ran.stdout)[0]["counts"]
        assert counts["accounts"] == 3 and counts.get("ok", 0) + counts.get("not_modified", 0) == 3, counts
    assert all(server.hits[f"/{key}.xml"] == 2 for key in keys)

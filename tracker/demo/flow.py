"""`tracker demo`: generate the province, serve its feeds on 127.0.0.1, then do what an
administrator does: import the registry, file a few changes, record observations, poll, check,
and open the UI (or print the report summary). Everything lands in a throw-away SQLite file."""

from __future__ import annotations

import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TextIO

from tracker.demo import site, websites
from tracker.demo.province import DemoAccount, generate
from tracker.demo.server import FeedServer
from tracker.demo.summary import print_summary
from tracker.domain.times import local_date, now_utc
from tracker.settings import Settings
from tracker.storage.db import Database, open_database

INSPECTOR = "演示检查员"
REGISTRAR = "演示备案员"


@dataclass
class DemoSite:
    db: Database
    directory: Path
    accounts: list[DemoAccount]
    server: FeedServer
    now: datetime


def _step(out: TextIO, label: str, started: float) -> float:
    now = time.perf_counter()
    out.write(f"  {label} ({now - started:.1f} s)\n")
    out.flush()
    return now


def file_changes(db: Database, accounts: list[DemoAccount], now: datetime) -> None:
    """Filings after the import: a suspension never followed by a closure, a late rename, closures."""
    from tracker.registry.service import file_event  # deferred: start-up time of every command

    today = local_date(now)
    for account in accounts:
        if account.case == "suspended_not_closed":
            file_event(db, "suspend", account.key, effective_on=today - timedelta(days=40), by=REGISTRAR,
                       approver="办公室主任", doc_no="闽政办〔2026〕12号")
        elif account.case == "late_filing":
            file_event(db, "rename", account.key, effective_on=today - timedelta(days=30), by=REGISTRAR,
                       account_name=site.filed_name(account))
        elif account.case == "closed":
            file_event(db, "close", account.key, effective_on=today - timedelta(days=20), by=REGISTRAR,
                       notice_from=today - timedelta(days=50), doc_no="闽政办〔2026〕8号")


def record_observations(db: Database, accounts: list[DemoAccount], now: datetime) -> None:
    from tracker.judging.observations import record_observation  # deferred: start-up time of every command

    kinds = {"comments_observed": "comments_disabled", "fake_engagement": "fake_engagement"}
    for account in accounts:
        if account.case in kinds:
            record_observation(db, account.key, kinds[account.case], at=now - timedelta(days=3), inspector=INSPECTOR,
                               note="人工检查发现" if account.case == "comments_observed" else "粉丝数一日内增长异常")


def record_probes(db: Database, settings: Settings, sites: list, now: datetime) -> None:
    from sqlalchemy import insert  # deferred: start-up time of every command

    from tracker.polling.probes import probe  # deferred: start-up time of every command
    from tracker.storage.tables import WebsiteProbe, table_of  # deferred: start-up time of every command

    with db.write() as session:
        session.execute(insert(table_of(WebsiteProbe)), websites.probe_history(sites, now))
    probe(db, settings)


def build(count: int, settings: Settings, directory: Path, *, out: TextIO | None = None, seed: int = 2026) -> DemoSite:
    """Set up the whole demo and leave the feed server running (the caller stops it)."""
    out = out or sys.stdout  # looked up per call: a default bound at import time outlives a redirected stdout
    from tracker.judging.run import run_check  # deferred: start-up time of every command
    from tracker.polling.poller import poll  # deferred: start-up time of every command
    from tracker.registry.service import import_registry  # deferred: start-up time of every command

    started = time.perf_counter()
    now = now_utc()
    accounts = generate(count, local_date(now), seed)
    sites = websites.generate(local_date(now), seed)
    server = FeedServer({**site.routes(accounts, now, seed), **websites.routes(sites, now)}).start()
    db = open_database(f"sqlite:///{directory / 'demo.db'}")
    registry_file = site.write_registry(directory / "registry.csv", accounts, server.base_url,
                                        websites.registry_rows(sites, server.base_url))
    started = _step(out, f"generated {len(accounts)} accounts and {len(sites)} websites, served on {server.base_url}", started)
    import_registry(db, registry_file, by=REGISTRAR)
    file_changes(db, accounts, now)
    record_observations(db, accounts, now)
    started = _step(out, f"imported {registry_file}", started)
    poll(db, settings)
    failing = [a.key for a in accounts if a.case.startswith("feed_")]
    for _ in range(2):  # as the next nights' polls would: three failures in a row
        poll(db, settings, failing)
    started = _step(out, "polled every feed and website", started)
    record_probes(db, settings, sites, now)
    started = _step(out, "probed every website (a week of probes before today, and one now)", started)
    checked_at = now_utc()  # after the poll: a check sees only what existed at its time
    run_check(db, settings, checked_at)
    _step(out, "checked the rules", started)
    return DemoSite(db, directory, accounts, server, checked_at)


def run_demo(*, accounts: int, settings: Settings, lang: str = "zh", summary: bool = True,
             out: TextIO | None = None, directory: Path | None = None) -> DemoSite:
    """Build the demo; with `summary`, print the report summary and stop the feed server.
    Otherwise the caller (the CLI, which opens the UI) stops it with `demo.server.stop()`."""
    out = out or sys.stdout
    directory = directory or Path(tempfile.mkdtemp(prefix="govmedia-demo-"))
    out.write(f"govmedia tracker demo — {directory / 'demo.db'}\n")
    demo = build(accounts, settings, directory, out=out)
    if summary:
        try:
            print_summary(demo.db, settings, demo.now, lang, out)
        finally:
            demo.server.stop()
    return demo

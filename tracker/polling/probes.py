"""`tracker probe`: one availability probe of each 政府网站's homepage (docs/contract.md §10).

Each run makes exactly one GET of each website's homepage, no retry, within `[websites]
probe_timeout_seconds` in all; a site that hangs costs its own timeout and nothing else. Probes
run concurrently under the poll's limits (`[poll] concurrency` at once, `per_host` per host),
and every probe is stored in `website_probe` (time, ok / timeout / error, status, seconds).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlmodel import col

from connectors.http import make_client, ssl_context
from connectors.website import probe_site
from tracker.domain.errors import TrackerError
from tracker.domain.times import now_utc
from tracker.polling.poller import _Limits, refuse_unknown
from tracker.settings import Settings
from tracker.storage.db import Database
from tracker.storage.tables import Account, WebsiteProbe, table_of


@dataclass
class ProbeReport:
    run_id: str
    started_at: datetime
    seconds: float = 0.0
    results: list[dict[str, Any]] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return dict(sorted(Counter(r["outcome"] for r in self.results).items()))

    def summary(self) -> dict[str, Any]:
        return {"run_id": self.run_id, "websites": len(self.results), "outcomes": self.counts(),
                "seconds": round(self.seconds, 3)}


def _targets(db: Database, accounts: list[str] | None) -> list[tuple[str, str]]:
    query = select(col(Account.account), col(Account.feed_url), col(Account.platform)).order_by(col(Account.account))
    query = (query.where(col(Account.platform) == "website", col(Account.status) != "deregistered") if accounts is None
             else query.where(col(Account.account).in_(accounts)))
    with db.session() as session:
        rows = session.execute(query).all()
    refuse_unknown(accounts, rows)
    if accounts is not None:
        others = [row.account for row in rows if row.platform != "website"]
        if others:
            raise TrackerError(f"not a website (platform website): {', '.join(others)}")
    return [(row.account, row.feed_url) for row in rows if row.feed_url]


async def _run(settings: Settings, targets: list[tuple[str, str]], report: ProbeReport, concurrency: int) -> None:
    poll = settings.section("poll")
    timeout = float(settings.section("websites")["probe_timeout_seconds"])
    clients = [make_client(poll, connections=1, ssl_context=ssl_context()) for _ in range(min(concurrency, len(targets)))]
    limits = _Limits(clients, max(1, poll["per_host"]))

    async def one(account: str, url: str) -> None:
        probed_at = now_utc()
        try:
            outcome, status, seconds, detail = await probe_site(limits.slot, url, timeout)
        except Exception as exc:
            outcome, status, seconds, detail = "error", None, 0.0, f"unexpected {type(exc).__name__}: {exc}"[:300]
        report.results.append({"account": account, "run_id": report.run_id, "probed_at": probed_at,
                               "outcome": outcome, "http_status": status, "seconds": round(seconds, 3),
                               "detail": detail})

    async with AsyncExitStack() as stack:
        for client in clients:
            await stack.enter_async_context(client)
        await asyncio.gather(*(one(account, url) for account, url in targets))


def probe(db: Database, settings: Settings, accounts: list[str] | None = None, *,
          concurrency: int | None = None) -> ProbeReport:
    """Probe `accounts` (every website not deregistered when None) once and store every probe."""
    report = ProbeReport(run_id=uuid.uuid4().hex[:12], started_at=now_utc())
    concurrency = concurrency or settings.section("poll")["concurrency"]
    if concurrency < 1:
        raise TrackerError(f"--concurrency must be at least 1, got {concurrency}")
    targets = _targets(db, list(dict.fromkeys(accounts)) if accounts is not None else None)
    clock = time.perf_counter()
    if targets:
        asyncio.run(_run(settings, targets, report, concurrency))
        with db.write() as session:
            session.execute(insert(table_of(WebsiteProbe)), report.results)
    report.seconds = time.perf_counter() - clock
    return report

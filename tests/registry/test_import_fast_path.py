"""Issue 15 (100,000 rows in seconds): the fast import path stores exactly what the plain one did.

The fast path on SQLite: rows go to the driver's executemany, regions and organisations are
upserted in two statements, the secondary indexes of an empty registry are built once after the
load, and each URL origin is judged once. The reference: SQLAlchemy's own insert statements, the
select-then-insert of regions and organisations, indexes kept up to date row by row. Both import
the same files — new accounts in every status, renames, transfers, closures, re-openings,
organisations renamed, bad rows, rows already registered — and must leave the same database and
say the same."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from connectors.netguard import deny_list
from connectors.netguard import url_problem as netguard_url_problem
from tests.registry.registry_helpers import dump, row, write_registry
from tracker.domain.errors import FileProblems
from tracker.domain.orgcode import make_org_code
from tracker.registry import rows as registry_rows
from tracker.registry import service, store
from tracker.registry.rows import denying, import_url_problem
from tracker.registry.service import import_registry
from tracker.storage.db import Database, open_database

NOW = datetime(2026, 3, 2, 4, 0, tzinfo=UTC)
PLATFORMS = ["weibo", "wechat", "douyin", "微信", "B站"]
STATUSES = ["active", "active", "suspended", "deregistered", "停更", "正常", "已注销", ""]
REGIONS = ["福建省/福州市/鼓楼区", "福建省/福州市/台江区", "福建省/厦门市", "福建省/厦门市/思明区", "福建省/泉州市/丰泽区/东海街道"]
HOSTS = ["http://127.0.0.1:8080/feed/", "https://rsshub.example.org/weibo/user/", "http://[::1]:1200/", "https://例子.中国/rss?id="]


def _org(index: int) -> str:
    return make_org_code(f"113501000035{index:05d}")


def _first_file() -> list[dict[str, str]]:
    rows = []
    for i in range(4_100):
        rows.append(row(
            f"acct{i:05d}", platform=PLATFORMS[i % len(PLATFORMS)], status=STATUSES[i % len(STATUSES)],
            region=REGIONS[i % len(REGIONS)], org_code=_org(i % 300), org_name=f"单位{i % 300}" if i % 13 else f"单位{i % 300}（新名）",
            feed_url=f"{HOSTS[i % len(HOSTS)]}{i}" if i % 3 else "", profile_url=f"https://weibo.com/u/{i}#top" if i % 5 == 0 else "",
            opened_on=f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}", filing_no=f"闽备{i}" if i % 4 == 0 else "",
        ))
    return rows


def _update_file(first: list[dict[str, str]]) -> list[dict[str, str]]:
    rows = []
    for i, values in enumerate(first):
        changed = dict(values)
        if values["status"] in ("deregistered", "已注销") and i % 10 != 4:  # a closed account only re-opens
            rows.append(changed)
            continue
        if i % 10 == 1:
            changed["account_name"] = f"新名{i}"
        if i % 10 == 2:
            changed.update(org_code=_org((i + 1) % 300), org_name=f"接收单位{i}", region=REGIONS[(i + 2) % len(REGIONS)])
        if i % 10 == 3:
            changed["status"] = "deregistered"
        if i % 10 == 4:
            changed["status"] = "active"  # resumes the suspended, re-opens the closed
        if i % 10 == 5:
            changed["feed_url"] = f"https://rsshub.example.org/douyin/{i}"
        if i % 10 == 6:
            changed["org_name"] = f"单位{i % 300}更名"
        rows.append(changed)
    rows += [row(f"late{i:04d}", region="福建省/南平市/建阳区", org_code=_org(1_000 + i)) for i in range(150)]
    return rows


def _bad_file(first: list[dict[str, str]]) -> list[dict[str, str]]:
    rows = [dict(values) for values in first[:2_500]] + [row(f"more{i:05d}") for i in range(2_000)]
    rows[7]["opened_on"] = "2025-13-40"
    rows[2_100]["feed_url"] = "http://169.254.169.254/latest/meta-data"
    rows[2_200]["feed_url"] = "http://127.0.0.1:8080/a path"
    rows[2_300]["feed_url"] = "http://127.0.0.1:99999/feed"
    rows[2_400]["org_code"] = "91350100M000100Y4X"
    rows.append(dict(rows[-1]))  # a duplicate account
    rows[3_000]["platform"] = "myspace"
    return rows


def _run(tmp_path: Path, name: str) -> tuple[dict[str, list[tuple]], list[object], set[str]]:
    db = open_database(f"sqlite:///{tmp_path / f'{name}.db'}")
    first = _first_file()
    outcomes: list[object] = []

    def attempt(file_rows: list[dict[str, str]], stem: str, **options: bool) -> None:
        try:
            result = import_registry(db, write_registry(tmp_path / f"{name}-{stem}.csv", file_rows), by="tester", **options)
            outcomes.append((result.rows, result.created, result.updated, result.unchanged, result.events, result.changes))
        except FileProblems as problems:
            outcomes.append(str(problems).replace(f"{name}-", ""))

    attempt(first, "first")
    attempt(first, "again")
    attempt(_update_file(first), "changed")  # without --update: "already registered"
    attempt(_update_file(first), "dry", update=True, dry_run=True)
    attempt(_update_file(first), "update", update=True)
    attempt(_bad_file(first), "bad", update=True)
    with db.engine.connect() as connection:
        indexes = {sql for (sql,) in connection.execute(text("SELECT sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"))}
        assert connection.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"
    stored = dump(db)
    db.dispose()
    return stored, outcomes, indexes


def test_the_fast_path_stores_and_says_what_the_plain_path_does(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(service, "now_utc", lambda: NOW)
    fast = _run(tmp_path, "fast")
    with monkeypatch.context() as plain:
        plain.setattr(store, "_driver_level", lambda session: False)
        plain.setattr(service, "defer_indexes", lambda session, tables, below: lambda: None)
        plain.setattr(registry_rows, "import_url_problem", registry_rows.url_problem)
        plain.setitem(registry_rows._CHECKS, "feed_url", lambda v: registry_rows.url_problem(v) if v else None)
        plain.setitem(registry_rows._CHECKS, "profile_url", lambda v: registry_rows.url_problem(v) if v else None)
        reference = _run(tmp_path, "plain")
    assert fast[1] == reference[1]
    assert fast[0] == reference[0]
    assert fast[2] == reference[2]
    stored, outcomes, _ = fast
    assert len(stored["account"]) == 4_250 and len(stored["organisation"]) > 300
    assert outcomes[0][:2] == (4_100, 4_100) and outcomes[1][3] == 4_100  # type: ignore[index]
    assert "already registered" in str(outcomes[2]) and isinstance(outcomes[4], tuple) and "denied network" in str(outcomes[5])


def test_a_failed_or_dry_bulk_load_keeps_every_index(tmp_path: Path) -> None:
    db: Database = open_database(f"sqlite:///{tmp_path / 't.db'}")

    def indexes() -> list[str]:
        with db.engine.connect() as connection:
            return sorted(connection.execute(text("SELECT name FROM sqlite_master WHERE type = 'index'")).scalars())

    before = indexes()
    assert "ix_account_region_status_opened" in before and "ix_filing_event_account_id" in before
    rows = [row(f"{i:05d}") for i in range(4_100)]
    import_registry(db, write_registry(tmp_path / "r.csv", rows), by="tester", dry_run=True)
    assert indexes() == before
    rows[4_000]["opened_on"] = "not a date"
    with pytest.raises(FileProblems):
        import_registry(db, write_registry(tmp_path / "r.csv", rows), by="tester")
    assert indexes() == before
    rows[4_000]["opened_on"] = "2025-01-01"
    assert import_registry(db, write_registry(tmp_path / "r.csv", rows), by="tester").created == 4_100
    assert indexes() == before
    with db.engine.connect() as connection:
        plan = " ".join(str(step) for step in connection.execute(
            text("EXPLAIN QUERY PLAN SELECT account FROM account WHERE region = '福建省/福州市' AND status = 'active'")).all())
    assert "ix_account_region" in plan
    db.dispose()


URLS = [
    "http://127.0.0.1:8080/feed/1", "http://127.0.0.1:8080/feed/2?x=1#y", "http://127.0.0.1:8080", "HTTP://127.0.0.1:8080/",
    "https://rsshub.example.org/a b", "https://rsshub.example.org/a\tb", "https://rsshub.example.org/\u3000", "https://host/\u00a0x",
    "ftp://example.org/file", "http:/example.org", "http://", "http:///path", "http://169.254.169.254/latest", "http://[fe80::1]/",
    "http://2852039166/", "http://0xa9.254.169.254/", "http://[::ffff:169.254.169.254]:80/", "http://[::1/", "http://::1]/x",
    "http://host:0/", "http://host:65536/x", "http://host:abc/x", "http://user:pw@169.254.1.1/x", "http://例子.中国/rss",
    "http://" + "a" * 64 + ".org/x", "http://exa mple.org/", "http://example.org?q=1", "http://example.org#frag", "javascript:alert(1)",
    "http://100.100.100.200/x", "http://[fd00:ec2::254]/", "http://192.0.0.192:8080/x", "1http://example.org/", "http://exa\u200bmple.org/",
]


@pytest.mark.parametrize("entries", [None, ("10.0.0.0/8",)])
def test_a_url_fares_as_its_origin(entries: tuple[str, ...] | None) -> None:
    deny = deny_list(entries) if entries else None
    with denying(entries):
        for url in URLS:
            assert import_url_problem(url) == netguard_url_problem(url, deny), url
            assert import_url_problem(url.replace("127.0.0.1", "10.1.2.3")) == netguard_url_problem(url.replace("127.0.0.1", "10.1.2.3"), deny), url

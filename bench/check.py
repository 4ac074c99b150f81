"""Time `tracker check` at national scale (goal: 100,000 accounts, 2,000,000 posts, check
≤ 10 s and ≤ 1 GB on SQLite and on PostgreSQL).

The registry goes through `registry import`; posts, profile snapshots and poll outcomes are
bulk-inserted directly (with their signals computed by `post_signals`, as the poller and ingest
store them). `check` then runs as the real command in a child process, so its time and peak
memory are its own. Baseline in the same run: one bare GROUP BY over the post table, the
floor any per-account evaluation pays.

    .venv/bin/python bench/check.py [--accounts 100000] [--posts 2000000] [--backend sqlite|postgresql|both]
        [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.import_registry import CITIES, generate  # noqa: E402
from tracker.domain.models import Post  # noqa: E402
from tracker.registry.service import import_registry  # noqa: E402
from tracker.rules.signals import post_signals  # noqa: E402
from tracker.settings import load_settings  # noqa: E402
from tracker.storage.db import open_database  # noqa: E402
from tracker.domain.times import parse_at  # noqa: E402

AT = "2026-09-30"
T = parse_at(AT)
TEXTS = ["今日发布:办事指南更新", "转发:全省天气预报", "本账号即日起停止更新", "咨询电话13912345678",
         "限时抢购 https://item.jd.com/1.html", "坚持中国特色社会主意", "政策解读", "便民服务"]
COLUMNS = ("account", "post_id", "published_at", "title", "text", "url", "links", "is_repost", "is_pinned", "is_ad",
           "comments_enabled", "first_seen_at", "source", "sig_ad_domain", "sig_privacy", "sig_lexicon",
           "sig_stop_notice", "signals_version")


def post_rows(accounts: int, posts: int, seed: int = 7):  # noqa: ANN201
    """A province as it looks: 10 % of accounts post nothing, 70 % post regularly (85 % of the
    posts, over the 5 weeks before T), 20 % now and then over the year."""
    rng = random.Random(seed)
    settings = load_settings()
    templates = [(text, post_signals(Post("x", T, text=text), settings)) for text in TEXTS]
    weights = [0.6, 0.15, 0.002, 0.002, 0.002, 0.002, 0.2, 0.042]
    regular = [i for i in range(accounts) if 1 <= i % 10 <= 7]
    sporadic = [i for i in range(accounts) if i % 10 >= 8]
    now = T.astimezone(UTC).replace(tzinfo=None)
    for n in range(posts):
        if rng.random() < 0.85:
            account, span = regular[rng.randrange(len(regular))], 35 * 86400
        else:
            account, span = sporadic[rng.randrange(len(sporadic))], 365 * 86400
        text, sig = rng.choices(templates, weights)[0]
        published = now - timedelta(seconds=rng.randrange(span))
        yield (f"{_platform(account)}:id{account:08d}", f"p{n}", published, "", text, f"https://example.org/{n}", None,
               text.startswith("转发"), False, False, None if account % 5 else n % 50 != 0, now, "ingest",
               sig["sig_ad_domain"], sig["sig_privacy"], sig["sig_lexicon"], sig["sig_stop_notice"], sig["signals_version"])


def _platform(index: int) -> str:
    return ["wechat", "weibo", "douyin", "toutiao", "kuaishou", "bilibili", "xiaohongshu", "app"][index % 8]


def side_rows(accounts: int):  # noqa: ANN201
    """Profile snapshots (a third of the accounts, two a day apart; 1 % jump, 5 % badly verified)
    and three polls per account (every 13th account failing)."""
    now = T.astimezone(UTC).replace(tzinfo=None)
    profiles, polls = [], []
    for index in range(0, accounts, 3):
        key = f"{_platform(index)}:id{index:08d}"
        city = CITIES[index % len(CITIES)]
        reason = f"{city}第{index % 5000}单位官方账号" if index % 20 else "某某文化传媒有限公司"
        later = 3000 if index % 100 == 0 else 1000 + index % 20
        profiles.append((key, now - timedelta(days=2), f"政务账号{index}", True, reason, 1000))
        profiles.append((key, now - timedelta(days=1), f"政务账号{index}", True, reason, later))
    for index in range(accounts):
        key = f"{_platform(index)}:id{index:08d}"
        for hours in (3, 2, 1):
            polls.append((key, now - timedelta(hours=hours), 0.1, "timeout" if index % 13 == 0 else "ok", 0))
    return profiles, polls


def bulk_insert(url: str, accounts: int, posts: int) -> None:
    profiles, polls = side_rows(accounts)
    if url.startswith("sqlite"):
        import sqlite3

        connection = sqlite3.connect(url.removeprefix("sqlite:///"))
        fmt = "%Y-%m-%d %H:%M:%S.%f"
        rows = ((*r[:2], r[2].strftime(fmt), *r[3:11], r[11].strftime(fmt), *r[12:]) for r in post_rows(accounts, posts))
        connection.executemany(f"INSERT INTO post ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})", rows)
        connection.executemany("INSERT INTO profile_snapshot (account, taken_at, display_name, verified, verified_reason, "
                               "followers) VALUES (?,?,?,?,?,?)", [(*p[:1], p[1].strftime(fmt), *p[2:]) for p in profiles])
        connection.executemany("INSERT INTO poll_outcome (account, started_at, seconds, outcome, new_posts) VALUES (?,?,?,?,?)",
                               [(*p[:1], p[1].strftime(fmt), *p[2:]) for p in polls])
        connection.commit()
        connection.execute("ANALYZE")
        connection.close()
        return
    import psycopg

    conninfo, schema = _pg_conninfo(url)
    with psycopg.connect(conninfo, options=f"-csearch_path={schema}") as connection:
        with connection.cursor().copy(f"COPY post ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            for row in post_rows(accounts, posts):
                copy.write_row(row)
        with connection.cursor().copy("COPY profile_snapshot (account, taken_at, display_name, verified, "
                                      "verified_reason, followers) FROM STDIN") as copy:
            for row in profiles:
                copy.write_row(row)
        with connection.cursor().copy("COPY poll_outcome (account, started_at, seconds, outcome, new_posts) FROM STDIN") as copy:
            for row in polls:
                copy.write_row(row)
    # A settled database, as autovacuum leaves it: statistics and the visibility map that lets
    # the per-account index scans answer from the index alone.
    with psycopg.connect(conninfo, options=f"-csearch_path={schema}", autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")


def _pg_conninfo(url: str) -> tuple[str, str]:
    base, _, schema = url.partition("?options=-csearch_path%3D")
    return base.replace("postgresql+psycopg://", "postgresql://", 1), schema


def baseline(url: str) -> float:
    db = open_database(url)
    started = time.perf_counter()
    with db.engine.connect() as connection:
        connection.exec_driver_sql("SELECT account, MAX(published_at), COUNT(*) FROM post GROUP BY account").fetchall()
    db.dispose()
    return time.perf_counter() - started


def run_check(url: str) -> tuple[float, float, float, int]:
    """Wall seconds, CPU seconds, peak RSS (MiB) and finding count of
    `tracker check --at T --format json` in a child process."""
    tracker = Path(sys.executable).with_name("tracker")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([str(tracker), "--db", url, "check", "--at", AT, "--format", "json"], check=True,
                          stdout=subprocess.PIPE)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    findings = done.stdout.count(b'"rule":')
    return seconds, cpu, after.ru_maxrss / 1024, findings


def bench(backend: str, url: str, accounts: int, posts: int, workdir: Path) -> None:
    started = time.perf_counter()
    registry = workdir / f"registry-{backend}.csv"
    generate(registry, accounts)
    db = open_database(url)
    import_registry(db, registry, by="bench")
    db.dispose()
    bulk_insert(url, accounts, posts)
    setup = time.perf_counter() - started
    floor = baseline(url)
    first, first_cpu, _memory, findings = run_check(url)
    again, again_cpu, memory, _ = run_check(url)
    load = os.getloadavg()[0]
    print(f"[{backend}] accounts {accounts:,}, posts {posts:,}; setup {setup:.1f} s; load average {load:.1f}")
    print(f"[{backend}] baseline GROUP BY over posts: {floor:.2f} s")
    print(f"[{backend}] check, first run (stores {findings:,} findings): {first:.2f} s wall, {first_cpu:.2f} s CPU")
    print(f"[{backend}] check, re-run (nothing changes): {again:.2f} s wall, {again_cpu:.2f} s CPU; "
          f"peak RSS {memory:.0f} MiB; ratio re-run/baseline {again / floor:.1f}x")
    scale = 100_000 / accounts
    print(f"[{backend}] linear estimate at 100,000 accounts: {again * scale:.1f} s wall (goal ≤ 10 s)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--posts", type=int, default=2_000_000)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--pg-url", default=os.environ.get("TRACKER_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        if args.backend in ("sqlite", "both"):
            bench("sqlite", f"sqlite:///{workdir / 'tracker.db'}", args.accounts, args.posts, workdir)
        if args.backend in ("postgresql", "both"):
            import psycopg

            schema = f"bench_{uuid.uuid4().hex[:8]}"
            conninfo = args.pg_url.replace("postgresql+psycopg://", "postgresql://", 1)
            with psycopg.connect(conninfo, autocommit=True) as connection:
                connection.execute(f'CREATE SCHEMA "{schema}"')
            try:
                bench("postgresql", f"{args.pg_url}?options=-csearch_path%3D{schema}", args.accounts, args.posts, workdir)
            finally:
                with psycopg.connect(conninfo, autocommit=True) as connection:
                    connection.execute(f'DROP SCHEMA "{schema}" CASCADE')


if __name__ == "__main__":
    main()

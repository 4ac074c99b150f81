"""Time `tracker ingest` and `tracker check` at scale, against a baseline checkout in the same run
(goal, issue 15: ingest ≥ 50,000 posts/s with signals, first check ≤ 10 s, re-check ≤ 5 s at
100,000 accounts / 2,000,000 posts, on SQLite and PostgreSQL).

For each code tree — the baseline (`--baseline`, default /work/main) and this one — and each
backend: a fresh database, the registry through that tree's `tracker registry import`, profile snapshots and poll
outcomes bulk-inserted, then as real commands in child processes (their own time and peak RSS):
`tracker ingest` of one generated JSONL file of realistic posts (`bench/realistic.py`: hotline
and mobile numbers, links, stop notices, reposts), the first `tracker check`, and a re-check of
the same data. Both trees must store the same number of findings.

    .venv/bin/python bench/check.py [--accounts 20000] [--posts 400000] [--backend sqlite|postgresql|both]
        [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/test] [--baseline /work/main]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
import uuid
from datetime import UTC, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.import_registry import CITIES, generate  # noqa: E402
from bench.realistic import post_text  # noqa: E402
from tracker.domain.times import parse_at  # noqa: E402

AT = "2026-09-30"
T = parse_at(AT)


def _platform(index: int) -> str:
    return ["wechat", "weibo", "douyin", "toutiao", "kuaishou", "bilibili", "xiaohongshu", "app"][index % 8]


def write_posts(path: Path, accounts: int, posts: int, seed: int = 7) -> None:
    """A province as it looks: 10 % of accounts post nothing, 70 % post regularly (85 % of the
    posts, over the 5 weeks before T), 20 % now and then over the year."""
    rng = random.Random(seed)
    regular = [i for i in range(accounts) if 1 <= i % 10 <= 7]
    sporadic = [i for i in range(accounts) if i % 10 >= 8]
    now = T.astimezone(UTC)
    with path.open("w", encoding="utf-8") as out:
        for n in range(posts):
            if rng.random() < 0.85:
                account, span = regular[rng.randrange(len(regular))], 35 * 86400
            else:
                account, span = sporadic[rng.randrange(len(sporadic))], 365 * 86400
            text, repost = post_text(rng, n)
            key = f"{_platform(account)}:id{account:08d}"
            out.write(json.dumps({
                "account": key, "id": f"p{n}", "published_at": (now - timedelta(seconds=rng.randrange(span))).isoformat(),
                "title": "", "text": text, "url": f"https://weibo.com/{account}/{n}", "is_repost": repost,
                "is_pinned": False, "is_ad": False, "comments_enabled": None if account % 5 else n % 50 != 0,
            }, ensure_ascii=False) + "\n")


def side_rows(accounts: int):
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


def insert_side_rows(url: str, accounts: int) -> None:
    profiles, polls = side_rows(accounts)
    if url.startswith("sqlite"):
        import sqlite3

        connection = sqlite3.connect(url.removeprefix("sqlite:///"))
        fmt = "%Y-%m-%d %H:%M:%S.%f"
        connection.executemany("INSERT INTO profile_snapshot (account, taken_at, display_name, verified, verified_reason, "
                               "followers) VALUES (?,?,?,?,?,?)", [(*p[:1], p[1].strftime(fmt), *p[2:]) for p in profiles])
        connection.executemany("INSERT INTO poll_outcome (account, started_at, seconds, outcome, new_posts) VALUES (?,?,?,?,?)",
                               [(*p[:1], p[1].strftime(fmt), *p[2:]) for p in polls])
        connection.commit()
        connection.close()
        return
    import psycopg

    conninfo, schema = _pg_conninfo(url)
    with psycopg.connect(conninfo, options=f"-csearch_path={schema}") as connection:
        with connection.cursor().copy("COPY profile_snapshot (account, taken_at, display_name, verified, "
                                      "verified_reason, followers) FROM STDIN") as copy:
            for row in profiles:
                copy.write_row(row)
        with connection.cursor().copy("COPY poll_outcome (account, started_at, seconds, outcome, new_posts) FROM STDIN") as copy:
            for row in polls:
                copy.write_row(row)


def settle(url: str) -> None:
    """Statistics, as a settled database has them (ANALYZE; on PostgreSQL VACUUM ANALYZE, as
    autovacuum leaves it)."""
    if url.startswith("sqlite"):
        import sqlite3

        connection = sqlite3.connect(url.removeprefix("sqlite:///"))
        connection.execute("ANALYZE")
        connection.close()
        return
    import psycopg

    conninfo, schema = _pg_conninfo(url)
    with psycopg.connect(conninfo, options=f"-csearch_path={schema}", autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")


def _pg_conninfo(url: str) -> tuple[str, str]:
    base, _, schema = url.partition("?options=-csearch_path%3D")
    return base.replace("postgresql+psycopg://", "postgresql://", 1), schema


def run_measured(tree: Path, url: str, *args: str) -> tuple[float, float, bytes]:
    """Wall seconds, peak RSS (MiB, from wait4: the child's own) and output of `tracker --db URL ARGS…`
    run from the code tree `tree`."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        pid = os.posix_spawn(sys.executable, [sys.executable, "-m", "tracker.cli.main", "--db", url, *args], env,
                             file_actions=[(os.POSIX_SPAWN_DUP2, out.fileno(), 1), (os.POSIX_SPAWN_DUP2, err.fileno(), 2)])
        _pid, status, usage = os.wait4(pid, 0)
        seconds = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        if os.waitstatus_to_exitcode(status):
            raise SystemExit(f"{tree}: tracker {' '.join(args)} failed:\n{err.read().decode()[-2000:]}")
        return seconds, usage.ru_maxrss / 1024, out.read()


def one_tree(label: str, tree: Path, url: str, registry: Path, posts_file: Path, accounts: int,
             posts: int) -> dict[str, float]:
    os.chdir(tree)
    # Each tree creates its own schema (its migrations) through its own `registry import`.
    run_measured(tree, url, "registry", "import", str(registry), "--by", "bench")
    insert_side_rows(url, accounts)
    ingest, ingest_rss, _ = run_measured(tree, url, "ingest", str(posts_file))
    settle(url)
    first, first_rss, out = run_measured(tree, url, "check", "--at", AT, "--format", "json")
    again, again_rss, out2 = run_measured(tree, url, "check", "--at", AT, "--format", "json")
    os.chdir(ROOT)
    return {"ingest": ingest, "ingest_rss": ingest_rss, "posts_per_s": posts / ingest, "first": first,
            "first_rss": first_rss, "again": again, "again_rss": again_rss,
            "findings": out.count(b'"rule":'), "findings_again": out2.count(b'"rule":')}


def bench(backend: str, make_url, trees: dict[str, Path], accounts: int, posts: int, workdir: Path,
          posts_file: Path) -> None:
    registry = workdir / "registry.csv"
    if not registry.exists():
        generate(registry, accounts)
    results = {}
    for label, tree in trees.items():
        with make_url() as url:
            results[label] = one_tree(label, tree, url, registry, posts_file, accounts, posts)
    load = os.getloadavg()[0]
    print(f"\n[{backend}] {accounts:,} accounts, {posts:,} posts; load average {load:.1f}")
    print(f"{'':<10}{'ingest posts/s':>16}{'ingest s':>10}{'RSS MiB':>9}{'1st check s':>13}{'RSS MiB':>9}"
          f"{'re-check s':>12}{'RSS MiB':>9}{'findings':>10}")
    for label, r in results.items():
        print(f"{label:<10}{r['posts_per_s']:>16,.0f}{r['ingest']:>10.1f}{r['ingest_rss']:>9.0f}{r['first']:>13.2f}"
              f"{r['first_rss']:>9.0f}{r['again']:>12.2f}{r['again_rss']:>9.0f}{r['findings']:>10,}")
    base, ours = results["baseline"], results["this"]
    same = base["findings"] == ours["findings"] == ours["findings_again"]
    print(f"ratios this/baseline: ingest {ours['posts_per_s'] / base['posts_per_s']:.2f}x posts/s; first check "
          f"{base['first'] / ours['first']:.2f}x faster; re-check {base['again'] / ours['again']:.2f}x faster; "
          f"same findings: {same}")
    # Ingest plus first check: the time from the archive to the first answer.
    print(f"archive to first answer: baseline {base['ingest'] + base['first']:.1f} s, this "
          f"{ours['ingest'] + ours['first']:.1f} s")


class _Sqlite:
    def __init__(self, workdir: Path) -> None:
        self.path = workdir / f"tracker-{uuid.uuid4().hex[:6]}.db"

    def __enter__(self) -> str:
        return f"sqlite:///{self.path}"

    def __exit__(self, *exc: object) -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)


class _PgSchema:
    def __init__(self, pg_url: str) -> None:
        self.pg_url = pg_url
        self.schema = f"bench_{uuid.uuid4().hex[:8]}"
        self.conninfo = pg_url.replace("postgresql+psycopg://", "postgresql://", 1)

    def __enter__(self) -> str:
        import psycopg

        with psycopg.connect(self.conninfo, autocommit=True) as connection:
            connection.execute(f'CREATE SCHEMA "{self.schema}"')
        return f"{self.pg_url}?options=-csearch_path%3D{self.schema}"

    def __exit__(self, *exc: object) -> None:
        import psycopg

        with psycopg.connect(self.conninfo, autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA "{self.schema}" CASCADE')


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=20_000)
    parser.add_argument("--posts", type=int, default=400_000)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--pg-url", default=os.environ.get("TRACKER_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--baseline", type=Path, default=Path("/work/main"),
                        help="the code tree to compare with: a checkout of the code before the change, e.g. "
                             "`git worktree add --detach /tmp/base COMMIT` (default /work/main)")
    args = parser.parse_args()
    trees = {"baseline": args.baseline.resolve(), "this": ROOT}
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        posts_file = workdir / "posts.jsonl"
        started = time.perf_counter()
        write_posts(posts_file, args.accounts, args.posts)
        print(f"generated {args.posts:,} posts ({posts_file.stat().st_size / 1e6:.0f} MB) in "
              f"{time.perf_counter() - started:.1f} s")
        if args.backend in ("sqlite", "both"):
            bench("sqlite", lambda: _Sqlite(workdir), trees, args.accounts, args.posts, workdir, posts_file)
        if args.backend in ("postgresql", "both"):
            bench("postgresql", lambda: _PgSchema(args.pg_url), trees, args.accounts, args.posts, workdir, posts_file)


if __name__ == "__main__":
    main()

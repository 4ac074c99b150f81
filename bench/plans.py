"""The query plans of a check: every statement `tracker check` runs to load its facts
(`tracker.judging.facts`), captured while a real evaluation runs over a generated province, with
its plan — `EXPLAIN QUERY PLAN` on SQLite, `EXPLAIN (ANALYZE, BUFFERS)` on PostgreSQL — and the
time it took. Each fact should be one pass: index searches per account (SEARCH … USING INDEX /
Index Only Scan), no full scan of `post` beyond the partial signal indexes.

    .venv/bin/python bench/plans.py [--accounts 2000] [--posts 40000] [--backend sqlite|postgresql|both]
        [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event

from bench.check import AT, T, _PgSchema, _Sqlite, generate, insert_side_rows, settle, write_posts
from tracker.judging.evaluate import evaluate
from tracker.polling.ingest import ingest_file
from tracker.registry.service import import_registry
from tracker.settings import load_settings
from tracker.storage.db import open_database


def plans(backend: str, url: str, accounts: int, posts: int, workdir: Path) -> None:
    settings = load_settings()
    registry, posts_file = workdir / "registry.csv", workdir / "posts.jsonl"
    if not registry.exists():
        generate(registry, accounts)
        write_posts(posts_file, accounts, posts)
    db = open_database(url)
    import_registry(db, registry, by="bench")
    insert_side_rows(url, accounts)
    ingest_file(db, settings, posts_file)
    settle(url)
    captured: list[tuple[str, object, float]] = []
    started: dict[int, float] = {}

    def before(conn, cursor, statement, parameters, context, executemany):
        started[id(cursor)] = time.perf_counter()

    def after(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT") and not executemany:
            captured.append((statement, parameters, time.perf_counter() - started.pop(id(cursor), time.perf_counter())))

    event.listen(db.engine, "before_cursor_execute", before)
    event.listen(db.engine, "after_cursor_execute", after)
    clock = time.perf_counter()
    findings = evaluate(db, settings, T)
    total = time.perf_counter() - clock
    event.remove(db.engine, "before_cursor_execute", before)
    event.remove(db.engine, "after_cursor_execute", after)
    print(f"\n===== [{backend}] {accounts:,} accounts, {posts:,} posts: evaluation as of {AT} in {total:.2f} s, "
          f"{len(findings):,} findings, {len(captured)} SELECT statements =====")
    seen: set[str] = set()
    with db.engine.connect() as connection:
        for number, (statement, parameters, seconds) in enumerate(captured, start=1):
            if statement in seen:
                continue
            seen.add(statement)
            shown = " ".join(statement.split())
            print(f"\n--- query {number} (execute {seconds * 1000:.1f} ms): {shown[:600]}{' …' if len(shown) > 600 else ''}")
            prefix = "EXPLAIN QUERY PLAN " if backend == "sqlite" else "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) "
            for row in connection.exec_driver_sql(prefix + statement, parameters):
                print("    " + (f"{'  ' * 0}{row[-1]}" if backend == "sqlite" else row[0]))
    db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=2000)
    parser.add_argument("--posts", type=int, default=40_000)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--pg-url", default=os.environ.get("TRACKER_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        if args.backend in ("sqlite", "both"):
            with _Sqlite(workdir) as url:
                plans("sqlite", url, args.accounts, args.posts, workdir)
        if args.backend in ("postgresql", "both"):
            with _PgSchema(args.pg_url) as url:
                plans("postgresql", url, args.accounts, args.posts, workdir)


if __name__ == "__main__":
    main()

"""Benchmark of `tracker ingest` on SQLite: posts per second (goal ≥ 50,000), and memory.

    .venv/bin/python bench/ingest.py [--posts 200000] [--accounts 1000] [--db URL]

Generates a JSONL file of CJK posts for registered accounts in a temporary directory, loads it
into a fresh SQLite database, then loads it again (every line a duplicate: idempotence).

    .venv/bin/python bench/ingest.py --baseline /tmp/base --registry REGISTRY.csv --jsonl POSTS.jsonl
                                     [--rounds 1] [--backend sqlite|postgresql|both] [--pg-url URL]

Runs `tracker ingest POSTS.jsonl` as a command from a baseline tree and from this one, in turns,
each into a fresh database holding the registry (imported by that tree): wall seconds, posts/s,
CPU seconds (the command and its worker processes), peak RSS of the command alone and of the
command with its workers together (sampled), and the load average of the machine.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tracker.polling.ingest import ingest_file
from tracker.settings import load_settings
from tracker.storage.db import open_database
from tracker.storage.tables import Account

WORDS = ["政务", "公开", "通知", "公告", "会议", "召开", "推进", "发展", "建设", "服务", "群众", "工作", "安全", "生产", "防汛", "疫苗", "接种", "文明", "城市", "乡村", "振兴"]


def write_accounts(db, count: int) -> list[str]:
    keys = [f"weibo:{1000000 + i}" for i in range(count)]
    with db.write() as session:
        for key in keys:
            session.add(Account(account=key, platform="weibo", account_id=key[6:], account_name="账号" + key[6:],
                                org_code="9" * 18, org_name="单位", region="福建省/福州市", status="active",
                                opened_on=date(2020, 1, 1)))
    return keys


def write_jsonl(path: Path, keys: list[str], posts: int) -> None:
    rng = random.Random(7)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    with path.open("w", encoding="utf-8") as out:
        for number in range(posts):
            text = "".join(rng.choice(WORDS) for _ in range(rng.randint(20, 60)))
            record = {"account": keys[number % len(keys)], "id": f"p{number}",
                      "published_at": (start + timedelta(minutes=number)).isoformat(),
                      "title": text[:20], "text": text, "url": f"https://weibo.com/{number}",
                      "is_repost": number % 7 == 0, "is_pinned": False, "is_ad": False, "comments_enabled": None}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


def _tree_rss_kib(pid: int) -> int:
    """RSS of a process and its descendants, from /proc (0 once gone)."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += int(status.split("VmRSS:")[1].split()[0]) if "VmRSS:" in status else 0
            for task in Path(f"/proc/{current}/task").iterdir():
                todo.extend(int(child) for child in (task / "children").read_text().split())
        except (OSError, ValueError, IndexError):
            continue
    return total


def run_command(tree: Path, url: str, *args: str) -> dict:
    """`tracker --db URL ARGS…` from the code tree `tree`: wall and CPU seconds, peak RSS (MiB) of
    the command (wait4) and of the command with its children (sampled every 0.1 s)."""
    import os
    import threading

    env = {**os.environ, "PYTHONPATH": str(tree)}
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        pid = os.posix_spawn(sys.executable, [sys.executable, "-m", "tracker.cli.main", "--db", url, *args], env,
                             file_actions=[(os.POSIX_SPAWN_DUP2, out.fileno(), 1), (os.POSIX_SPAWN_DUP2, err.fileno(), 2)])
        peak = [0]
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.1):
                peak[0] = max(peak[0], _tree_rss_kib(pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _pid, status, usage = os.wait4(pid, 0)
        seconds = time.perf_counter() - started
        done.set()
        sampler.join()
        if os.waitstatus_to_exitcode(status):
            err.seek(0)
            raise SystemExit(f"{tree}: tracker {' '.join(args)} failed:\n{err.read().decode()[-2000:]}")
        out.seek(0)
        return {"seconds": seconds, "cpu": usage.ru_utime + usage.ru_stime, "rss": usage.ru_maxrss / 1024,
                "tree_rss": peak[0] / 1024, "out": out.read().decode()}


def compare_trees(args: argparse.Namespace) -> None:
    import os
    import shutil
    import uuid

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from check import _PgSchema

    trees = {"baseline": args.baseline.resolve(), "this": Path(__file__).resolve().parent.parent}
    lines = sum(1 for _ in args.jsonl.open("rb"))
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    with tempfile.TemporaryDirectory(prefix="bench-ingest-", dir=args.workdir) as tmp:
        for backend in backends:
            results: dict[str, list[dict]] = {label: [] for label in trees}
            templates: dict[str, Path] = {}
            for _round in range(args.rounds):
                for label, tree in trees.items():
                    if backend == "sqlite":
                        if label not in templates:  # the registry, imported once by each tree
                            templates[label] = Path(tmp) / f"template-{label}.db"
                            run_command(tree, f"sqlite:///{templates[label]}", "registry", "import", str(args.registry),
                                        "--by", "bench")
                        target = Path(tmp) / f"run-{uuid.uuid4().hex[:6]}.db"
                        shutil.copy(templates[label], target)
                        try:
                            results[label].append(run_command(tree, f"sqlite:///{target}", "ingest", str(args.jsonl)))
                        finally:
                            for suffix in ("", "-wal", "-shm"):
                                Path(f"{target}{suffix}").unlink(missing_ok=True)
                    else:
                        with _PgSchema(args.pg_url) as url:
                            run_command(tree, url, "registry", "import", str(args.registry), "--by", "bench")
                            results[label].append(run_command(tree, url, "ingest", str(args.jsonl)))
                    last = results[label][-1]
                    print(f"  [{backend}] {label}: {lines / last['seconds']:,.0f} posts/s in {last['seconds']:.1f} s; "
                          f"load average {os.getloadavg()[0]:.1f}", flush=True)
            print(f"\n[{backend}] tracker ingest of {lines:,} posts ({args.jsonl.stat().st_size / 1e6:,.0f} MB), "
                  f"{args.rounds} round(s), best shown; load average {os.getloadavg()[0]:.1f} "
                  f"(1/5/15 min: {', '.join(f'{v:.1f}' for v in os.getloadavg())}) on {os.cpu_count()} cores")
            print(f"{'':<10}{'posts/s':>10}{'wall s':>9}{'CPU s':>8}{'posts/CPU s':>13}{'RSS MiB':>9}"
                  f"{'RSS+workers':>13}")
            best = {}
            for label, runs in results.items():
                r = best[label] = min(runs, key=lambda run: run["seconds"])
                print(f"{label:<10}{lines / r['seconds']:>10,.0f}{r['seconds']:>9.1f}{r['cpu']:>8.1f}"
                      f"{lines / r['cpu']:>13,.0f}{r['rss']:>9.0f}{r['tree_rss']:>13.0f}")
            ratio = best["baseline"]["seconds"] / best["this"]["seconds"]
            print(f"ratio this/baseline: {ratio:.2f}x posts/s; goal ≥ 50,000 posts/s, ≤ 1 GB RSS\n", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=200_000)
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--db", help="database URL (default: a fresh SQLite file); PostgreSQL: an empty schema")
    parser.add_argument("--baseline", type=Path, help="compare `tracker ingest` with this code tree (see above)")
    parser.add_argument("--registry", type=Path, help="with --baseline: the registry CSV to import first")
    parser.add_argument("--jsonl", type=Path, help="with --baseline: the posts to load")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="sqlite")
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--workdir", help="where the SQLite databases go (default: the temporary directory)")
    args = parser.parse_args()
    if args.baseline:
        if not (args.registry and args.jsonl):
            parser.error("--baseline needs --registry and --jsonl")
        compare_trees(args)
        return
    settings = load_settings()
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        db = open_database(args.db or f"sqlite:///{tmp}/bench.db")
        keys = write_accounts(db, args.accounts)
        path = Path(tmp) / "posts.jsonl"
        write_jsonl(path, keys, args.posts)
        size = path.stat().st_size / 1e6
        for label in ("first load", "second load (all duplicates)"):
            clock, cpu = time.perf_counter(), time.process_time()
            report = ingest_file(db, settings, path)
            seconds, cpu = time.perf_counter() - clock, time.process_time() - cpu
            print(f"{label}: {report.lines} lines ({size:.0f} MB), {report.loaded} new, {report.duplicates} duplicate "
                  f"in {seconds:.2f} s = {report.lines / seconds:,.0f} posts/s "
                  f"({report.lines / cpu:,.0f} per CPU second; the difference is other load on the machine)")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak memory (max RSS): {peak:.0f} MB; goal: ≥ 50,000 posts/s")


if __name__ == "__main__":
    main()

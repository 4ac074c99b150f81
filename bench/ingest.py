"""Benchmark of `tracker ingest` on SQLite: posts per second (goal ≥ 50,000), and memory.

    .venv/bin/python bench/ingest.py [--posts 200000] [--accounts 1000] [--db URL]

Generates a JSONL file of CJK posts for registered accounts in a temporary directory, loads it
into a fresh SQLite database, then loads it again (every line a duplicate: idempotence).
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=200_000)
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--db", help="database URL (default: a fresh SQLite file); PostgreSQL: an empty schema")
    args = parser.parse_args()
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

"""Time `registry import` of a generated registry CSV on SQLite (goal: 100,000 rows ≤ 10 s).

Baseline in the same run: a plain csv.reader pass over the same file plus executemany of the raw
rows into one SQLite table — the floor any importer pays — so the ratio shows our overhead.

    .venv/bin/python bench/import_registry.py [--rows 100000]
"""

from __future__ import annotations

import argparse
import csv
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tracker.domain.orgcode import make_org_code
from tracker.registry.columns import COLUMNS
from tracker.registry.service import import_registry
from tracker.storage.db import open_database

PLATFORMS = ["wechat", "weibo", "douyin", "toutiao", "kuaishou", "bilibili", "xiaohongshu", "app"]
CITIES = ["福州市", "厦门市", "漳州市", "泉州市", "三明市", "莆田市", "南平市", "龙岩市", "宁德市"]


def generate(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for index in range(rows):
            city = CITIES[index % len(CITIES)]
            org = make_org_code(f"1135{index % 10000:04d}MB{index // 10000:07d}"[:17])
            writer.writerow([
                f"福建省/{city}/第{index % 97}区", f"{city}第{index % 5000}单位", org, PLATFORMS[index % 8],
                f"id{index:08d}", f"政务账号{index}", f"http://127.0.0.1:8080/feed/{index}", "",
                "active", "2021-03-04", "",
            ])


def baseline(path: Path, workdir: Path) -> float:
    started = time.perf_counter()
    connection = sqlite3.connect(workdir / "baseline.db")
    connection.execute(f"CREATE TABLE raw ({', '.join(COLUMNS)})")
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        connection.executemany(f"INSERT INTO raw VALUES ({', '.join('?' * len(COLUMNS))})", reader)
    connection.commit()
    connection.close()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        path = workdir / "registry.csv"
        generate(path, args.rows)
        floor = baseline(path, workdir)
        db = open_database(f"sqlite:///{workdir / 'tracker.db'}")
        started = time.perf_counter()
        result = import_registry(db, path, by="bench")
        ours = time.perf_counter() - started
        started = time.perf_counter()
        again = import_registry(db, path, by="bench")
        reimport = time.perf_counter() - started
        db.dispose()
    assert result.created == args.rows and again.unchanged == args.rows
    print(f"rows: {args.rows}")
    print(f"baseline csv+executemany: {floor:.2f} s")
    print(f"registry import (validate, events, accounts, regions, orgs): {ours:.2f} s ({args.rows / ours:,.0f} rows/s)")
    print(f"re-import, nothing changed: {reimport:.2f} s")
    print(f"ratio import/baseline: {ours / floor:.1f}x; goal 100k rows <= 10 s: {'met' if ours * 100_000 / args.rows <= 10 else 'NOT met'}")


if __name__ == "__main__":
    main()

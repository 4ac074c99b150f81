"""`registry import` speed and peak memory (issue 15: 100,000 rows ≤ 5 s; 1M rows within 600 MB).

Generates N rows (bench/import_registry.py's generator), then imports them in a fresh child
process per checkout, so that each peak RSS (resource.getrusage ru_maxrss) is the import's alone:
the baseline checkout (default /work/main) and this one, in the same run.

    .venv/bin/python bench/import.py [--rows 100000] [--baseline /work/main]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(HERE))

CHILD = """
import json, resource, sys, time
from tracker.registry.service import import_registry
from tracker.storage.db import open_database
db = open_database(sys.argv[2])
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
result = import_registry(db, sys.argv[1], by="bench")
seconds = time.perf_counter() - started
print(json.dumps({"seconds": seconds, "created": result.created,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "start_mb": before / 1024}))
"""


def measure(checkout: Path, csv_path: Path, db_path: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    out = subprocess.run([sys.executable, "-c", CHILD, str(csv_path), f"sqlite:///{db_path}"], env=env, cwd=checkout,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    from bench.import_registry import generate

    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--baseline", default="/work/main", help="checkout to compare with ('' to skip)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        path = workdir / "registry.csv"
        generate(path, args.rows)
        print(f"rows: {args.rows}, file {path.stat().st_size / 2**20:.1f} MiB")
        runs = [("baseline " + args.baseline, Path(args.baseline))] if args.baseline else []
        runs.append(("this checkout", HERE))
        for index, (name, checkout) in enumerate(runs):
            got = measure(checkout, path, workdir / f"t{index}.db")
            assert got["created"] == args.rows, got
            print(f"{name}: {got['seconds']:.2f} s, {args.rows / got['seconds']:,.0f} rows/s, "
                  f"peak RSS {got['peak_mb']:.0f} MB (at start {got['start_mb']:.0f} MB)")


if __name__ == "__main__":
    main()

"""Benchmark of the 政府网站 checks (CONTRACT §10; not a test).

    .venv/bin/python bench/websites.py [--sites 500] [--rounds 24] [--concurrency 64]

Serves N demo-shaped portals (tracker.demo.websites: a homepage, nine columns, the pages their
items link to; one site in ten with broken links) from a separate process on 127.0.0.1, imports
them as platform `website`, then times `rounds` probe rounds (`tracker probe`: one GET of every
homepage each) and one website poll (homepage, columns, every link checked, marks, tags, IPv6).
Prints probes/s, seconds per probe round, poll sites/s and the peak memory (max RSS) of this
process. Goals: a probe round of 500 sites under 20 s, the poll under 60 s, ≤ 300 MB.
"""

from __future__ import annotations

import argparse
import csv
import multiprocessing
import resource
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tracker.demo.province import units  # noqa: E402
from tracker.demo.websites import CASES, DemoWebsite, registry_rows, routes  # noqa: E402
from tracker.domain.times import now_utc  # noqa: E402


def fleet(count: int) -> list[DemoWebsite]:
    import random

    pool = [u for u in units(random.Random(2026)) if u.region.count("/") >= 1]
    cases = [c for c in CASES if c not in ("unreachable", "new_site")]
    return [DemoWebsite(pool[i % len(pool)].region, pool[i % len(pool)].org_name, pool[i % len(pool)].org_code,
                        f"{3500000000 + i:010d}", f"网站{i}", cases[i % len(cases)], date(2015, 1, 1))
            for i in range(count)]


def serve(count: int, ready, port) -> None:
    from tracker.demo.server import FeedServer

    server = FeedServer(routes(fleet(count), now_utc()))
    server.start()
    port.value = server._server.server_address[1]
    ready.set()
    while True:
        time.sleep(3600)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sites", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=24)
    parser.add_argument("--concurrency", type=int, default=64)
    args = parser.parse_args()
    ready, port = multiprocessing.Event(), multiprocessing.Value("i", 0)
    child = multiprocessing.Process(target=serve, args=(args.sites, ready, port), daemon=True)
    child.start()
    ready.wait(60)
    base = f"http://127.0.0.1:{port.value}"
    from tracker.polling.poller import poll
    from tracker.polling.probes import probe
    from tracker.registry.service import import_registry
    from tracker.settings import load_settings
    from tracker.storage.db import open_database

    settings = load_settings()
    settings.data["poll"]["per_host"] = args.concurrency  # every site shares the one loopback host
    with tempfile.TemporaryDirectory() as tmp:
        registry = Path(tmp) / "sites.csv"
        with registry.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(("地区", "主办单位", "统一社会信用代码", "平台", "账号ID", "账号名称", "订阅地址", "主页数据地址",
                             "状态", "开设日期", "备案编号"))
            writer.writerows(registry_rows(fleet(args.sites), base))
        db = open_database(f"sqlite:///{Path(tmp) / 'bench.db'}")
        import_registry(db, registry, by="bench")
        rounds = []
        for _ in range(args.rounds):
            clock = time.perf_counter()
            report = probe(db, settings, concurrency=args.concurrency)
            rounds.append(time.perf_counter() - clock)
            if report.counts().get("ok") != args.sites:
                print(f"round {len(rounds)}: {report.counts()}")
        clock = time.perf_counter()
        polled = poll(db, settings, concurrency=args.concurrency)
        poll_seconds = time.perf_counter() - clock
        db.dispose()
    child.terminate()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    total = sum(rounds)
    print(f"sites {args.sites}, concurrency {args.concurrency}")
    print(f"probe: {args.rounds} rounds, {args.sites * args.rounds / total:,.0f} probes/s, "
          f"round mean {total / len(rounds):.2f} s, slowest {max(rounds):.2f} s (goal < 20 s)")
    print(f"poll: {len(polled.results)} sites in {poll_seconds:.1f} s, {len(polled.results) / poll_seconds:.1f} sites/s "
          f"(goal < 60 s), outcomes {polled.counts()}")
    print(f"peak memory (max RSS of this process): {peak_mb:.0f} MB (goal ≤ 300 MB)")


if __name__ == "__main__":
    main()

"""Benchmark of `tracker poll` against newsboat on the same loopback feeds (not a test).

    apt-get install -y newsboat        # the baseline; skipped with a note when absent
    .venv/bin/python bench/poll.py [--feeds 1000] [--concurrency 64] [--memory-feeds 2000]

Serves N generated 20-item CJK feeds (RSSHub-shaped RSS 2.0 with ETag and Last-Modified) from
a separate process on 127.0.0.1, then times, each in a fresh process: our cold poll (empty
database) and warm re-poll (conditional GET → 304), and newsboat's cold and warm reload with
`reload-threads` equal to our concurrency. All feeds share one host, so our per-host limit is
set to the concurrency unless `--per-host` says otherwise (a self-hosted RSSHub). Prints feeds/s of both, the ratios, and the peak
memory (max RSS) of a poll of `--memory-feeds` feeds. Goals: ≥ 2× newsboat cold and warm,
≥ 1,000 feeds/s warm, ≤ 300 MB for 2,000 feeds.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import multiprocessing
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PHRASES = ("福州市召开防汛防台风工作会议", "鼓楼区开展文明城市创建志愿服务活动", "全省高考成绩查询渠道公布",
           "市场监管局提醒消费者理性消费", "乡村振兴项目建设现场推进会召开", "12345热线受理群众诉求情况通报")


def feed_body(index: int) -> bytes:
    now = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    items = []
    for n in range(20):
        text = "".join(PHRASES[(index + n + k) % len(PHRASES)] + "。" for k in range(6))
        items.append(
            f"<item><title><![CDATA[{PHRASES[(index + n) % len(PHRASES)]}（{n}）]]></title>"
            f"<description><![CDATA[<p>{text}</p><a href=\"https://fz.gov.cn/a/{index}/{n}\">详情</a>]]></description>"
            f"<pubDate>{format_datetime(now - timedelta(hours=n * 7 + index % 5))}</pubDate>"
            f"<guid isPermaLink=\"false\">https://weibo.com/{index}/{n}</guid>"
            f"<link>https://weibo.com/{index}/{n}</link></item>")
    return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>账号{index}的微博</title>'
            f"<link>https://weibo.com/{index}</link><description>账号{index}的微博 - Powered by RSSHub</description>"
            + "".join(items) + "</channel></rss>").encode()


# --- a fast loopback feed server (asyncio, keep-alive, 304 on matching validators) -------------

LAST_MODIFIED = b"Mon, 23 Nov 2026 08:00:00 GMT"


class _FeedProtocol(asyncio.Protocol):
    feeds: dict[bytes, tuple[bytes, bytes]] = {}

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self.transport, self.buffer = transport, b""

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while b"\r\n\r\n" in self.buffer:
            head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
            lines = head.split(b"\r\n")
            path = lines[0].split(b" ")[1] if b" " in lines[0] else b""
            headers = {}
            for line in lines[1:]:
                name, _, value = line.partition(b":")
                headers[name.strip().lower()] = value.strip()
            self.answer(path, headers)

    def answer(self, path: bytes, headers: dict[bytes, bytes]) -> None:
        found = self.feeds.get(path)
        if found is None:
            self.transport.write(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
            return
        body, etag = found
        if headers.get(b"if-none-match") == etag or headers.get(b"if-modified-since") == LAST_MODIFIED:
            self.transport.write(b"HTTP/1.1 304 Not Modified\r\nETag: " + etag + b"\r\nContent-Length: 0\r\n\r\n")
            return
        self.transport.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml; charset=utf-8\r\nETag: " + etag
                             + b"\r\nLast-Modified: " + LAST_MODIFIED + b"\r\nContent-Length: "
                             + str(len(body)).encode() + b"\r\n\r\n" + body)


def serve(count: int, ready: multiprocessing.Queue) -> None:
    for index in range(count):
        body = feed_body(index)
        _FeedProtocol.feeds[f"/feed/{index}.xml".encode()] = (body, b'"' + hashlib.sha1(body).hexdigest()[:16].encode() + b'"')

    async def main() -> None:
        server = await asyncio.get_running_loop().create_server(_FeedProtocol, "127.0.0.1", 0, backlog=4096)
        ready.put(server.sockets[0].getsockname()[1])
        await asyncio.Event().wait()

    asyncio.run(main())


# --- the two pollers, each run in its own process ---------------------------------------------

def ours(base: str, count: int, concurrency: int, directory: str, per_host: int = 0) -> None:
    """Child process: cold and warm poll; prints one JSON line."""
    from datetime import date

    from tracker.polling.poller import poll
    from tracker.settings import load_settings
    from tracker.storage.db import open_database
    from tracker.storage.tables import Account

    db = open_database(f"sqlite:///{directory}/bench.db")
    with db.write() as session:
        for index in range(count):
            session.add(Account(account=f"weibo:{index}", platform="weibo", account_id=str(index), account_name=f"账号{index}",
                                org_code="9" * 18, org_name="单位", region="福建省", status="active",
                                opened_on=date(2020, 1, 1), feed_url=f"{base}/feed/{index}.xml"))
    settings = load_settings()
    settings.data["poll"].update(concurrency=concurrency, per_host=per_host or concurrency)
    figures = {}
    for phase in ("cold", "warm"):
        clock, cpu = time.perf_counter(), time.process_time()
        report = poll(db, settings)
        figures[phase] = time.perf_counter() - clock
        figures[phase + "_cpu"] = time.process_time() - cpu
        figures[phase + "_outcomes"] = report.counts()
        figures[phase + "_new_posts"] = report.new_posts
    figures["max_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(figures))


def run_ours(base: str, count: int, concurrency: int, per_host: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-poll-") as directory:
        out = subprocess.run([sys.executable, __file__, "--child", base, "--feeds", str(count),
                              "--concurrency", str(concurrency), "--per-host", str(per_host), "--dir", directory],
                             check=True, capture_output=True, text=True, cwd=ROOT).stdout
    return json.loads(out.strip().splitlines()[-1])


def run_newsboat(base: str, count: int, concurrency: int) -> dict | None:
    if shutil.which("newsboat") is None:
        return None
    with tempfile.TemporaryDirectory(prefix="bench-newsboat-") as directory:
        home = Path(directory)
        (home / "urls").write_text("".join(f"{base}/feed/{i}.xml\n" for i in range(count)), encoding="utf-8")
        (home / "config").write_text(f"reload-threads {concurrency}\n", encoding="utf-8")
        command = ["newsboat", "-u", "urls", "-c", "cache.db", "-C", "config", "-x", "reload"]
        figures = {}
        for phase in ("cold", "warm"):
            clock = time.perf_counter()
            subprocess.run(command, cwd=home, check=True, capture_output=True, env={**os.environ, "HOME": str(home)})
            figures[phase] = time.perf_counter() - clock
        return figures


def main() -> None:
    parser = argparse.ArgumentParser(description="tracker poll vs newsboat on loopback feeds")
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--per-host", type=int, default=0, help="per-host limit (default: = concurrency)")
    parser.add_argument("--memory-feeds", type=int, default=2000)
    parser.add_argument("--child")
    parser.add_argument("--dir")
    args = parser.parse_args()
    if args.child:
        ours(args.child, args.feeds, args.concurrency, args.dir, args.per_host)
        return
    ready: multiprocessing.Queue = multiprocessing.Queue()
    server = multiprocessing.Process(target=serve, args=(max(args.feeds, args.memory_feeds), ready), daemon=True)
    server.start()
    base = f"http://127.0.0.1:{ready.get(timeout=120)}"
    try:
        mine = run_ours(base, args.feeds, args.concurrency, args.per_host)
        theirs = run_newsboat(base, args.feeds, args.concurrency)
        memory = (run_ours(base, args.memory_feeds, args.concurrency, args.per_host)
                  if args.memory_feeds != args.feeds else mine)
    finally:
        server.terminate()
    n = args.feeds
    print(f"{n} feeds of 20 CJK items on loopback, concurrency {args.concurrency} "
          f"(per host {args.per_host or args.concurrency}; all feeds on one host)")
    for phase in ("cold", "warm"):
        print(f"tracker poll   {phase} {n / mine[phase]:8.0f} feeds/s ({mine[phase]:.2f} s, CPU {mine[phase + '_cpu']:.2f} s, "
              f"{mine[phase + '_new_posts']} new posts, {mine[phase + '_outcomes']})")
    if theirs is None:
        print("newsboat not installed (apt-get install -y newsboat): no baseline")
    else:
        for phase in ("cold", "warm"):
            print(f"newsboat       {phase} {n / theirs[phase]:8.0f} feeds/s ({theirs[phase]:.2f} s)"
                  f"   ratio {theirs[phase] / mine[phase]:.2f}× (goal ≥ 2×)")
    print(f"peak memory (max RSS) of a poll of {args.memory_feeds} feeds: {memory['max_rss_mb']:.0f} MB (goal ≤ 300 MB); "
          f"warm goal ≥ 1,000 feeds/s")


if __name__ == "__main__":
    main()

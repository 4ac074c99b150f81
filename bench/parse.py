"""Parse benchmark: feedparser against the fast XML path, per feed, in one run.

    .venv/bin/python bench/parse.py [--repeat N] [--items 20]

For 20-item CJK feeds in the shapes RSSHub and the WeChat bridges serve (RSS 2.0, Atom, RDF)
and for every XML file in tests/data/feeds, prints the milliseconds per feed of
- `feedparser`: plain `feedparser.parse(body)`, the baseline the product card names;
- `fp path`: our feedparser path (`connectors.rss.parse_with_feedparser`, same normalization);
- `fast`: the whole `connectors.detect.parse_body` (decode, guard, fast path, normalization);
and the ratios feedparser/fast and fp path/fast. Times are the median of N runs.
"""

from __future__ import annotations

import argparse
import io
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import feedparser

from connectors.detect import parse_body
from connectors.rss import parse_with_feedparser
from connectors.xmlprep import decode_body

FEEDS = Path(__file__).resolve().parents[1] / "tests" / "data" / "feeds"
_WORDS = ("福州", "发布", "政务", "公开", "通知", "市民", "防汛", "预警", "高温", "服务", "热线", "社保",
          "公积金", "交通", "管制", "地铁", "医保", "教育", "招聘", "会议", "部署", "落实", "检查", "整改")
_LINKS = ("https://www.gov.cn/yaowen/liebiao/202606/content_7000001.htm", "http://t.cn/A6abcdEf",
          "https://item.taobao.com/item.htm?id=680000000001", "https://www.fuzhou.gov.cn/zwgk/")


def _sentence(rng: random.Random, words: int) -> str:
    return "".join(rng.choice(_WORDS) for _ in range(words)) + "。"


def _item_html(rng: random.Random) -> str:
    parts = [f"<p>{_sentence(rng, rng.randint(20, 60))}</p>" for _ in range(rng.randint(2, 4))]
    parts.insert(1, f'<a href="{rng.choice(_LINKS)}"><span class="surl-text">网页链接</span></a>')
    parts.append('<img alt="[心]" src="https://face.t.sinajs.cn/t4/appstyle/expression/ext/normal/40/xin.png">')
    return "<br>".join(parts)


def cjk_feed(shape: str, items: int = 20, seed: int = 1) -> bytes:
    """A feed of `items` CJK posts in the shape `rss` (RSSHub Weibo), `atom` (WeWe RSS) or `rdf`."""
    rng = random.Random(seed)
    start = datetime(2026, 7, 1, 2, 0, tzinfo=UTC)
    out = []
    for index in range(items):
        when = start - timedelta(hours=3 * index)
        link = f"https://weibo.com/2718281828/Q{seed}x{index:04d}"
        title, html = escape(_sentence(rng, 12)), _item_html(rng)
        if shape == "rss":
            out.append(f"<item><title><![CDATA[{title}]]></title><description><![CDATA[{html}]]></description>"
                       f"<pubDate>{when.strftime('%a, %d %b %Y %H:%M:%S GMT')}</pubDate>"
                       f'<guid isPermaLink="false">{link}</guid><link>{link}</link>'
                       f"<author><![CDATA[福州发布]]></author></item>")
        elif shape == "atom":
            out.append(f'<entry><title type="html"><![CDATA[{title}]]></title><id>{link}</id>'
                       f'<link href="{link}"/><updated>{when.isoformat()}</updated>'
                       f'<content type="html"><![CDATA[{html}]]></content></entry>')
        else:
            out.append(f'<item rdf:about="{link}"><title>{title}</title><link>{link}</link>'
                       f"<description>{escape(html)}</description><dc:date>{when.isoformat()}</dc:date></item>")
    body = "".join(out)
    if shape == "rss":
        doc = ('<?xml version="1.0" encoding="UTF-8"?><rss xmlns:atom="http://www.w3.org/2005/Atom" version="2.0">'
               f"<channel><title><![CDATA[福州发布的微博]]></title><link>https://weibo.com/2718281828/</link>"
               f"<description>RSSHub</description>{body}</channel></rss>")
    elif shape == "atom":
        doc = ('<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
               f"<id>wewe</id><title>福州发布</title><updated>{start.isoformat()}</updated>{body}</feed>")
    else:
        doc = ('<?xml version="1.0" encoding="utf-8"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
               'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns="http://purl.org/rss/1.0/">'
               f'<channel rdf:about="x"><title>某某市</title><link>https://x.example/</link></channel>{body}</rdf:RDF>')
    return doc.encode("utf-8")


def _median_ms(action: Callable[[], object], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--repeat", type=int, default=30)
    options.add_argument("--items", type=int, default=20)
    args = options.parse_args()
    fetched_at = datetime(2026, 7, 1, 2, 0, tzinfo=UTC)
    bodies = {f"generated {shape} ({args.items} items)": cjk_feed(shape, args.items) for shape in ("rss", "atom", "rdf")}
    for path in sorted(FEEDS.glob("*.xml")):
        if not any(word in path.name for word in ("laughs", "xxe", "malformed", "no_times")):
            bodies[path.name] = path.read_bytes()
    header = f"{'feed':42} {'KiB':>6} {'feedparser':>11} {'fp path':>9} {'fast':>8} {'fp/fast':>8} {'path/fast':>9}"
    print(header)
    print("-" * len(header))
    ratios = []
    generated_fast_ms = []
    for name, body in bodies.items():
        text = decode_body(body)
        plain = _median_ms(lambda: feedparser.parse(io.BytesIO(body)), args.repeat)
        ours_slow = _median_ms(lambda: parse_with_feedparser(text), args.repeat)
        fast = _median_ms(lambda: parse_body(body, fetched_at=fetched_at), args.repeat)
        ratios.append(plain / fast)
        if name.startswith("generated"):
            generated_fast_ms.append(fast)
        print(f"{name:42} {len(body) / 1024:6.1f} {plain:9.2f}ms {ours_slow:7.2f}ms {fast:6.2f}ms "
              f"{plain / fast:7.1f}x {ours_slow / fast:8.1f}x")
    print(f"\nmedian speed-up of parse_body over plain feedparser: {statistics.median(ratios):.1f}x "
          f"(files that need the liberal fallback run at feedparser speed)")
    per_feed = statistics.mean(generated_fast_ms)
    print(f"parse_body on {args.items}-item CJK feeds: {per_feed:.2f} ms per feed = "
          f"{1000 / per_feed:,.0f} feeds/s on one core")


if __name__ == "__main__":
    main()

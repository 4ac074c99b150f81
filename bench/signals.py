"""Post signals per second on realistic text (`bench/realistic.py`), this tree against a baseline
tree in the same run, each in its own process; both must compute the same signals.

    .venv/bin/python bench/signals.py [--posts 20000] [--baseline /path/to/checkout/before]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHILD = """
import hashlib, json, random, sys, time
sys.path.insert(0, sys.argv[2])
import realistic
from tracker.domain.models import Post
from tracker.domain.times import parse_at
from tracker.rules.signals import post_signals, signal_config
from tracker.settings import load_settings
cfg = signal_config(load_settings())
rng = random.Random(1)
at = parse_at("2026-09-30")
posts = [Post(f"p{i}", at, text=realistic.post_text(rng, i)[0], url=f"https://weibo.com/{i}") for i in range(int(sys.argv[1]))]
clock = time.perf_counter()
found = [post_signals(post, cfg) for post in posts]
seconds = time.perf_counter() - clock
digest = hashlib.sha256(json.dumps(found, sort_keys=True).encode()).hexdigest()[:16]
print(json.dumps({"per_s": len(posts) / seconds, "digest": digest,
                  "privacy": sum(1 for f in found if f["sig_privacy"]), "ad": sum(1 for f in found if f["sig_ad_domain"])}))
"""


def measure(tree: Path, posts: int) -> dict:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    out = subprocess.run([sys.executable, "-c", CHILD, str(posts), str(ROOT / "bench")], env=env, cwd="/",
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=20_000)
    parser.add_argument("--baseline", type=Path, default=Path("/work/main"))
    args = parser.parse_args()
    runs = {"baseline": [], "this": []}
    for _ in range(2):  # interleaved: the machine is shared
        for label, tree in (("baseline", args.baseline), ("this", ROOT)):
            runs[label].append(measure(tree, args.posts))
    for label, results in runs.items():
        best = max(r["per_s"] for r in results)
        print(f"{label:<9} {best:>9,.0f} posts/s  (signals digest {results[0]['digest']}, "
              f"{results[0]['privacy']} with ID/mobile numbers, {results[0]['ad']} with ad links)")
    same = runs["baseline"][0]["digest"] == runs["this"][0]["digest"]
    ratio = max(r["per_s"] for r in runs["this"]) / max(r["per_s"] for r in runs["baseline"])
    print(f"ratio {ratio:.2f}x; same signals: {same}; load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()

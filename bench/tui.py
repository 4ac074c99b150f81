"""Benchmark: how fast the terminal UI answers with 100,000 accounts.

    .venv/bin/python bench/tui.py [--accounts 100000] [--db PATH] [--rebuild]

Builds (once, cached in PATH) a SQLite database of N accounts spread over a province's cities
and counties, with findings for about one account in six and a poll state for each. Then, in a
headless Textual app (as `App.run_test()` drives it), it measures:

- imports: `tracker.cli.main` and `tui.app` in a fresh interpreter (what `tracker tui` pays
  before the app starts), and "command to paint" = imports + first paint;
- first paint: from creating the app to the dashboard painted with its placeholders;
- counts: until the totals and the region table are filled in by the worker;
- accounts: from pressing `a` to the first page of the list painted;
- search and filter: from typing a name (or choosing a platform) to the matching page;
- `tracker tui` in a real pseudo-terminal: until the dashboard labels, then the running total,
  are on the screen (start-up and imports included).

Each figure is printed with its ratio to the goal (ratio ≤ 1 meets it). Goals: CONTRACT §9
(first paint ≤ 1 s) and what feels instant at a keyboard (≤ 0.5 s for a list or a search).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402

from tracker.domain.orgcode import make_org_code  # noqa: E402
from tracker.settings import load_settings  # noqa: E402
from tracker.storage.db import open_database  # noqa: E402
from tracker.storage.tables import Account, FeedState, FindingRow  # noqa: E402

PLATFORMS = ("wechat", "weibo", "douyin", "toutiao", "kuaishou", "bilibili", "xiaohongshu", "app", "other")
RULES = (("no_update", "veto"), ("dormant", "veto"), ("empty_shell", "veto"), ("low_frequency", "warning"),
         ("comments_disabled", "warning"), ("ad_link", "veto"), ("subject_mismatch", "warning"))
AT = datetime(2026, 9, 30, 15, 59, 59, tzinfo=UTC)
_ORIGINALS: dict[str, tuple] = {}  # the methods measure() wraps, kept unwrapped across runs
GOALS = {"first paint": 1.0, "command to paint": 1.0, "tracker tui: paint": 1.0, "tracker tui: counts": 2.0, "counts": 2.0, "accounts": 0.5, "search": 0.5, "filter": 0.5}


def regions() -> list[str]:
    paths = ["福建省"]
    for city in range(9):
        paths.append(f"福建省/第{city + 1}市")
        paths += [f"福建省/第{city + 1}市/第{county + 1}区" for county in range(12)]
    return paths


def build(path: Path, count: int) -> None:
    rng = random.Random(7)
    db = open_database(f"sqlite:///{path}")
    paths = regions()
    accounts, findings, states = [], [], []
    for i in range(count):
        key = f"{PLATFORMS[i % 9]}:b{i:07d}"
        accounts.append(dict(account=key, platform=PLATFORMS[i % 9], account_id=f"b{i:07d}", account_name=f"测试账号{i:06d}",
                             org_code=make_org_code(f"11350{i // 9:012d}"), org_name=f"测试单位{i // 9:06d}",
                             region=paths[i % len(paths)], status="deregistered" if i % 50 == 0 else "active",
                             opened_on=date(2020, 1, 1) + timedelta(days=i % 2000), version=1))
        if i % 6 == 0:
            rule, severity = RULES[rng.randrange(len(RULES))]
            seen = AT - timedelta(days=rng.randrange(60))
            findings.append(dict(account=key, rule=rule, severity=severity, evidence={"n": i}, source="bench",
                                 first_seen_at=seen, last_seen_at=AT, active=True))
        states.append(dict(account=key, consecutive_failures=int(i % 40 == 0), last_polled_at=AT - timedelta(hours=2),
                           last_outcome="http_error" if i % 40 == 0 else "ok"))
    with db.engine.begin() as connection:
        for table, rows in ((Account, accounts), (FindingRow, findings), (FeedState, states)):
            for start in range(0, len(rows), 5000):
                connection.execute(insert(table.__table__), rows[start:start + 5000])
    db.dispose()


async def until(pilot, condition, limit: float = 30.0) -> float:
    """Seconds until `condition()` holds, checking after every screen refresh."""
    started = time.perf_counter()
    while not condition():
        if time.perf_counter() - started > limit:
            raise TimeoutError("condition not met")
        await pilot.pause(0.005)
    return time.perf_counter() - started


async def measure(path: Path) -> dict[str, float]:
    from tui.app import TrackerApp
    from tui.screens.accounts import AccountsScreen
    from tui.screens.dashboard import DashboardScreen

    db = open_database(f"sqlite:///{path}")
    figures: dict[str, float] = {}
    painted: list[float] = []
    originals = _ORIGINALS.setdefault("all", (DashboardScreen.on_mount, AccountsScreen.show_page))
    mount, show_page = originals

    def on_mount(screen: DashboardScreen) -> None:  # the first refresh after mounting is the first paint
        mount(screen)
        screen.call_after_refresh(lambda: painted.append(time.perf_counter()))

    DashboardScreen.on_mount = on_mount
    started = time.perf_counter()
    app = TrackerApp(db, load_settings(), at=AT)
    async with app.run_test(size=(140, 44)) as pilot:
        await until(pilot, lambda: bool(painted))
        figures["first paint"] = painted[0] - started
        await until(pilot, lambda: app.screen.query_one("#running").value != "…")
        figures["counts"] = time.perf_counter() - started

        pages: list[tuple[float, int]] = []  # (painted at, total shown)

        def shown(screen: AccountsScreen, lines, total: int, page: int) -> None:
            show_page(screen, lines, total, page)
            screen.call_after_refresh(lambda: pages.append((time.perf_counter(), total)))

        AccountsScreen.show_page = shown

        async def timed(action, wanted) -> float:
            pages.clear()
            clock = time.perf_counter()
            await action()
            await until(pilot, lambda: any(wanted(total) for _, total in pages))
            return next(at for at, total in pages if wanted(total)) - clock

        async def set_value(selector: str, value: str) -> None:
            app.screen.query_one(selector).value = value

        from tracker.read.accounts import AccountFilter, account_page

        weibo = account_page(db, AccountFilter(platform="weibo"), limit=1)[1]
        figures["accounts"] = await timed(lambda: pilot.press("a"), lambda total: total > 0)
        # includes the 0.25 s pause the list waits for the typing to stop
        figures["search"] = await timed(lambda: set_value("#search", "测试账号012345"), lambda total: total == 1)
        await timed(lambda: set_value("#search", ""), lambda total: total > 1)
        figures["filter"] = await timed(lambda: set_value("#platform", "weibo"), lambda total: total == weibo)
    db.dispose()
    return figures


def import_seconds() -> float:
    code = "import time; t = time.perf_counter(); import tracker.cli.main, tui.app; print(time.perf_counter() - t)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    return float(result.stdout.strip())


def terminal_seconds(path: Path, running: int) -> tuple[float, float]:
    """`tracker tui` in a real pseudo-terminal: seconds until the dashboard's labels are on the
    screen, and until the running total is (what a user sees, start-up included)."""
    import os
    import pty
    import select as io_select

    pid, fd = pty.fork()
    if pid == 0:  # the child: the command a user types
        os.environ.update(TERM="xterm-256color", COLUMNS="140", LINES="44", PYTHONPATH=str(ROOT))
        os.chdir(ROOT)  # this tree's code, whichever virtual environment runs it
        os.execv(sys.executable, [sys.executable, "-m", "tracker.cli.main", "--db", f"sqlite:///{path}", "tui"])
    started, seen, marks = time.perf_counter(), b"", {}
    wanted = {"paint": "运行总数".encode(), "counts": f"{running:,}".encode()}
    while len(marks) < 2 and time.perf_counter() - started < 30:
        ready, _, _ = io_select.select([fd], [], [], 0.05)
        if ready:
            try:
                seen += os.read(fd, 65536)
            except OSError:
                break
        for name, needle in wanted.items():
            if name not in marks and needle in seen:
                marks[name] = time.perf_counter() - started
    os.write(fd, b"q")
    deadline = time.perf_counter() + 10
    while time.perf_counter() < deadline:  # keep draining: a full pty would block the app's exit
        ready, _, _ = io_select.select([fd], [], [], 0.1)
        try:
            if ready and not os.read(fd, 65536):
                break
        except OSError:
            break
    finished, _ = os.waitpid(pid, os.WNOHANG)
    if not finished:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
    return marks.get("paint", float("nan")), marks.get("counts", float("nan"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--repeat", type=int, default=3, help="runs; the median is shown")
    args = parser.parse_args()
    path = args.db or Path(f"/tmp/govmedia-bench-tui-{args.accounts}.db")
    if args.rebuild or not path.exists():
        path.unlink(missing_ok=True)
        clock = time.perf_counter()
        build(path, args.accounts)
        print(f"built {args.accounts:,} accounts in {time.perf_counter() - clock:.1f} s: {path}")
    # The machine is shared: report the median of a few runs.
    runs = [asyncio.run(measure(path)) for _ in range(args.repeat)]
    figures = {name: statistics.median(run[name] for run in runs) for name in runs[0]}
    imports = statistics.median(import_seconds() for _ in range(args.repeat))
    figures["command to paint"] = imports + figures["first paint"]
    from tracker.read import dashboard as queries
    db = open_database(f"sqlite:///{path}")
    running = queries.dashboard(db, None).total.running
    db.dispose()
    terminal = [terminal_seconds(path, running) for _ in range(args.repeat)]
    figures["tracker tui: paint"] = statistics.median(paint for paint, _ in terminal)
    figures["tracker tui: counts"] = statistics.median(counts for _, counts in terminal)
    print(f"{'imports (cli + ui)':<20}  {imports:6.3f} s")
    for name, seconds in figures.items():
        goal = GOALS[name]
        print(f"{name:<20}  {seconds:6.3f} s   goal {goal:.1f} s   ratio {seconds / goal:5.2f}")


if __name__ == "__main__":
    main()

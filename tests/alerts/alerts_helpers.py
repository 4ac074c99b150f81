"""A small province for the alert tests: one account of each alert kind, checked as of T."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from tests.alerts.receiver import Receiver
from tests.rules.rules_helpers import T, add_poll, add_posts, before, registry
from tracker.judging.run import run_check
from tracker.settings import load_settings
from tracker.storage.db import Database
from tracker.storage.tables import FeedState

FUZHOU, XIAMEN = "福建省/福州市", "福建省/厦门市"


def province(db: Database, tmp_path: Path) -> None:
    """weibo:1 不合格 (no update for 30 days); weibo:2 lapses in 4 days, weibo:3 in 2, weibo:4 in 5;
    weibo:5's feed has failed 3 times since it last worked."""
    registry(db, tmp_path, *[{"account_id": str(i), "region": FUZHOU if i <= 3 else XIAMEN,
                              "account_name": f"发布{i}", "org_name": f"单位{i}"} for i in range(1, 6)])
    for number, days in ((1, 30), (2, 10), (3, 12), (4, 9), (5, 3)):
        add_posts(db, f"weibo:{number}", ("p", before(days)))
    for number in range(1, 5):
        for days in (60, 30, 10, 0.05):
            add_poll(db, f"weibo:{number}", before(days), "ok", items=1)
    add_poll(db, "weibo:5", before(2), "ok", items=1)
    for hours in (30, 20, 10):
        add_poll(db, "weibo:5", before(0, hours=hours), "http_error", http_status=502)
    with db.write() as session:
        session.add(FeedState(account="weibo:5", consecutive_failures=3, last_outcome="http_error",
                              last_polled_at=before(0, hours=10)))


def checked(db: Database, tmp_path: Path, at=T) -> None:
    province(db, tmp_path)
    run_check(db, load_settings(), at)


def config(tmp_path: Path, receiver: Receiver, *hooks: dict, alerts: str = "", timeout: float = 1.0) -> Path:
    """A config file with these [[alerts.webhooks]] (url from the receiver by kind unless given)."""
    lines = ["[alerts]", "retry_base_seconds = 0.0", f"timeout_seconds = {timeout}", alerts, ""]
    for hook in hooks:
        lines.append("[[alerts.webhooks]]")
        values = {"url": receiver.url(hook["kind"]), **hook}
        for key, value in values.items():
            if isinstance(value, str):
                lines.append(f"{key} = {value!r}".replace("'", '"'))
            elif isinstance(value, bool):
                lines.append(f"{key} = {'true' if value else 'false'}")
            elif isinstance(value, list):
                lines.append(f"{key} = [" + ", ".join(f'"{v}"' for v in value) + "]")
            else:
                lines.append(f"{key} = {value}")
        lines.append("")
    path = tmp_path / "alerts.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


AFTER = timedelta(minutes=5)

"""Helpers for the rule tests: a registry imported for real, posts stored with their signals,
profile snapshots, poll outcomes; times written as Asia/Shanghai text."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from tests.registry.registry_helpers import import_rows, row
from tracker.domain.models import Post
from tracker.domain.times import now_utc, parse_at
from tracker.judging.run import evaluate
from tracker.rules.signals import post_signals
from tracker.settings import Settings, load_settings
from tracker.storage.db import Database
from tracker.storage.tables import PollOutcome, PostRow, ProfileSnapshot

T = parse_at("2026-09-30")  # 2026-09-30T23:59:59.999999+08:00


def at(text: str) -> datetime:
    return parse_at(text)


def before(days: float = 0, **delta: float) -> datetime:
    """T minus a time span."""
    return T - timedelta(days=days, **delta)


def registry(db: Database, tmp_path: Path, *accounts: str | dict[str, str]) -> None:
    """Import accounts: 'weibo:1' or a dict of registry columns (account_id, platform …)."""
    rows = []
    for spec in accounts:
        if isinstance(spec, str):
            platform, account_id = spec.split(":", 1)
            rows.append(row(account_id, platform=platform))
        else:
            rows.append(row(spec.pop("account_id"), **spec))
    import_rows(db, tmp_path, rows)


def add_posts(db: Database, account: str, *posts: Post | tuple[str, datetime], settings: Settings | None = None,
              **common: Any) -> None:
    settings = settings or load_settings()
    with db.write() as session:
        for post in posts:
            if isinstance(post, tuple):
                post = Post(post_id=post[0], published_at=post[1], **common)
            session.add(PostRow(account=account, post_id=post.post_id, published_at=post.published_at,
                                title=post.title, text=post.text, url=post.url, links=list(post.links),
                                is_repost=post.is_repost, is_pinned=post.is_pinned, is_ad=post.is_ad,
                                comments_enabled=post.comments_enabled, first_seen_at=now_utc(),
                                **post_signals(post, settings)))


def daily_posts(db: Database, account: str, count: int, *, start: datetime = T, every_hours: float = 24,
                prefix: str = "d") -> None:
    """`count` plain posts, the newest at `start`, one every `every_hours`."""
    add_posts(db, account, *[(f"{prefix}{i}", start - timedelta(hours=every_hours * i)) for i in range(count)])


def add_profile(db: Database, account: str, taken_at: datetime, **fields: Any) -> None:
    with db.write() as session:
        session.add(ProfileSnapshot(account=account, taken_at=taken_at, **fields))


def add_poll(db: Database, account: str, started_at: datetime, outcome: str, **fields: Any) -> None:
    with db.write() as session:
        session.add(PollOutcome(account=account, started_at=started_at, outcome=outcome, **fields))


def fired(db: Database, when: datetime = T, settings: Settings | None = None, **kwargs: Any) -> set[tuple[str, str]]:
    """(account, rule) of every finding as of `when`."""
    return {(f.account, f.rule) for f in evaluate(db, settings or load_settings(), when, **kwargs)}


def rules_of(db: Database, account: str, when: datetime = T, settings: Settings | None = None) -> set[str]:
    return {rule for acc, rule in fired(db, when, settings) if acc == account}

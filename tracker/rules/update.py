"""Update family (内容不更新): empty_shell, dormant, no_update, low_frequency. Every post counts,
reposts and pinned posts included, each at its own publication time (a pinned old post is not
the newest post). Suspended (停更) accounts are exempt; the engine keeps at most one finding of
this family per account, the first in `registry.UPDATE_ORDER`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tracker.domain.models import AccountStatus
from tracker.rules.context import CheckContext
from tracker.rules.evidence import when, window
from tracker.rules.catalogue import rule

_SOURCE = "检查指标 一、单项否决 内容不更新"


def _subject(ctx: CheckContext) -> Iterator[tuple[str, Any]]:
    return ((key, state) for key, state in ctx.checked.items() if state.status != AccountStatus.SUSPENDED)


@rule("empty_shell", name_zh="空壳", name_en="empty shell", family="update", order=10,
      source=_SOURCE + "（开设后无任何发布，“僵尸”“睡眠”）")
def empty_shell(ctx: CheckContext) -> Iterator[tuple[str, dict]]:
    grace = ctx.config("empty_shell")["grace_days"]
    posts = ctx.posts()
    for key, state in _subject(ctx):
        age = (ctx.at_date - state.opened_on).days
        if key not in posts and age > grace:
            yield key, {"opened_on": state.opened_on.isoformat(), "days_since_opened": age,
                        "grace_days": grace, "posts": 0}


@rule("dormant", name_zh="僵尸", name_en="dormant", family="update", order=11,
      source=_SOURCE + "（“僵尸”“睡眠”）")
def dormant(ctx: CheckContext) -> Iterator[tuple[str, dict]]:
    days = ctx.config("dormant")["days"]
    posts = ctx.posts()
    cutoff = ctx.ago(days)
    for key, _state in _subject(ctx):
        newest = posts[key].last_post_at if key in posts else None
        if newest is not None and newest <= cutoff:
            yield key, {"last_post_at": when(newest), "days_since_last_post": (ctx.at - newest).days, "days": days}


@rule("no_update", name_zh="内容不更新", name_en="no update", family="update", order=12,
      source=_SOURCE)
def no_update(ctx: CheckContext) -> Iterator[tuple[str, dict]]:
    days = ctx.config("no_update")["window_days"]
    start = ctx.ago(days)
    posts = ctx.posts()
    span = window(start, ctx.at)
    for key, _state in _subject(ctx):
        summary = posts.get(key)
        if summary is None or not summary.counts[float(days)]:
            yield key, {"window": list(span), "window_days": days, "posts_in_window": 0,
                        "last_post_at": when(summary.last_post_at) if summary else None}


@rule("low_frequency", name_zh="更新频率不足", name_en="low update frequency", family="update",
      order=13, source="丰都县通知 三(三)3 政务新媒体每周更新不少于3次")
def low_frequency(ctx: CheckContext) -> Iterator[tuple[str, dict]]:
    cfg = ctx.config("low_frequency")
    start = ctx.ago(cfg["window_days"])
    summaries = ctx.posts()
    span = window(start, ctx.at)
    for key, _state in _subject(ctx):
        posts = summaries[key].counts[float(cfg["window_days"])] if key in summaries else 0
        if posts < cfg["min_posts"]:
            yield key, {"window": list(span), "window_days": cfg["window_days"],
                        "posts_in_window": posts, "min_posts": cfg["min_posts"]}

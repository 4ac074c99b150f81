"""Update family (内容不更新): empty_shell, dormant, no_update, low_frequency. Every post counts,
reposts and pinned posts included, each at its own publication time (a pinned old post is not
the newest post). Suspended (停更) accounts are exempt; the engine keeps at most one finding of
this family per account, the first in `registry.UPDATE_ORDER`. Platform `app` has no update
family: for a 客户端 内容不更新 means it cannot be downloaded or used (`app_unavailable`).

The family says something did *not* happen, so it fires only where the tool has looked
(docs/contract.md §6.4): where the span a rule speaks of (`span_start`) is not inside what the tool has
seen of the account's feed, the engine gives the account `unverified` (待核实, info) instead."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from tracker.domain.models import AccountStatus
from tracker.domain.times import start_of_day
from tracker.rules.catalogue import rule
from tracker.rules.context import CheckContext
from tracker.rules.evidence import when, window
from tracker.rules.facts import Coverage
from tracker.rules.website import website_holds

_SOURCE = "检查指标 一、单项否决 内容不更新"


def _subject(ctx: CheckContext) -> Iterator[tuple[str, Any]]:
    return ((key, state) for key, state in ctx.checked.items()
            if state.status != AccountStatus.SUSPENDED and state.platform not in ("app", "website"))


@rule("empty_shell", name_zh="空壳", name_en="empty shell", family="update", order=10,
      source=_SOURCE + "（开设后无任何发布，“僵尸”“睡眠”）")
def empty_shell(ctx: CheckContext) -> Iterator[tuple[str, dict]]:
    grace = ctx.config("empty_shell")["grace_days"]
    posts = ctx.update_posts()
    for key, state in _subject(ctx):
        age = (ctx.at_date - state.opened_on).days
        if key not in posts and age > grace:
            yield key, {"opened_on": state.opened_on.isoformat(), "days_since_opened": age,
                        "grace_days": grace, "posts": 0}


@rule("dormant", name_zh="僵尸", name_en="dormant", family="update", order=11,
      source=_SOURCE + "（“僵尸”“睡眠”）")
def dormant(ctx: CheckContext) -> Iterator[tuple[str, dict]]:
    days = ctx.config("dormant")["days"]
    posts = ctx.update_posts()
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
    posts = ctx.update_posts()
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
    summaries = ctx.update_posts()
    span = window(start, ctx.at)
    for key, _state in _subject(ctx):
        posts = summaries[key].counts[float(cfg["window_days"])] if key in summaries else 0
        if posts < cfg["min_posts"]:
            yield key, {"window": list(span), "window_days": cfg["window_days"],
                        "posts_in_window": posts, "min_posts": cfg["min_posts"]}


def span_start(ctx: CheckContext, code: str, key: str) -> datetime:
    """Where the span an update-family rule speaks of begins; it ends at `at`:
    `empty_shell` (opened_on, T], `dormant` (T − days, T], the others (T − window_days, T]."""
    if code == "empty_shell":
        return start_of_day(ctx.checked[key].opened_on)
    cfg = ctx.config(code)
    return ctx.ago(cfg["days"] if code == "dormant" else cfg["window_days"])


def is_seen(ctx: CheckContext, code: str, key: str) -> bool:
    """Whether the tool has seen the span `code` speaks of for this account. Accounts without a
    feed are judged on the posts the tool holds (archives, `ingest`) as fully seen."""
    seen = ctx.coverage().get(key)
    return seen is None or seen.covers(span_start(ctx, code, key), ctx.at)


def _missing(seen: Coverage, at: datetime) -> str:
    if seen.seen_to is None:
        return "no_successful_fetch"
    if seen.seen_to < at:
        return "fetch_failing"
    return "history_short"


@rule("unverified", name_zh="待核实", name_en="unverified", family="coverage", order=14,
      source="证据不足 更新情况无法核实（订阅源未能抓取或历史记录不足，不影响合格判定）")
def unverified(ctx: CheckContext) -> Iterator[tuple[str, dict]]:
    """The accounts the engine held back from the update family (`ctx.unverified`): what would
    have fired, the span it speaks of, what the tool has seen and what is missing."""
    coverage = ctx.coverage()
    failing = ctx.facts.failing_polls(ctx.unverified)
    for key in sorted(ctx.unverified):
        code, start = ctx.unverified[key]
        seen = coverage[key]
        since, outcome = failing.get(key, (None, None))
        yield key, {"would_fire": code, "span": window(start, ctx.at),
                    "seen_from": None if seen.unbounded else when(seen.seen_from), "seen_to": when(seen.seen_to),
                    "missing": _missing(seen, ctx.at), "last_ok_at": when(seen.last_ok_at),
                    "failing_since": when(since), "last_outcome": outcome,
                    "history_from": when(seen.oldest_post_at)}
    holds = website_holds(ctx)  # 政府网站 (tracker.rules.website)
    for key in sorted(holds.keys() - ctx.unverified.keys()):
        held = holds[key]
        yield key, {"would_fire": held[0]["would_fire"], "missing": held[0]["missing"], "website": held}

"""Rules on what the platforms and inspectors report: comments_disabled, app_unavailable,
fake_engagement and feed_unreachable (operational, severity info, never affects 合格).

Where a source flag and an inspector's observation disagree, the later one wins; an observation
made at the same moment as a post or probe wins over it (a person looked)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from tracker.domain.models import ObservationKind as Obs
from tracker.rules.catalogue import rule
from tracker.rules.context import CheckContext
from tracker.rules.evidence import post_ref, when

_INTERACTION = "检查指标 一、单项否决 互动回应差"
_PROBE_OUTCOMES = ("ok", "not_modified", "unavailable")
_A_DAY_APART = timedelta(hours=36)  # snapshots "a day apart": consecutive and at most 36 h apart


def _observation(row: Any) -> dict[str, Any]:
    return {"observation": row.kind, "observed_at": when(row.observed_at), "inspector": row.inspector, "note": row.note}


@rule("comments_disabled", name_zh="关闭评论", name_en="comments disabled", family="platform",
      order=50, source=_INTERACTION + " 1.未提供有效互动功能；安徽省通报 关闭评论")
def comments_disabled(ctx: CheckContext) -> Iterator[tuple[str, dict]]:
    flags = ctx.facts.latest_comment_flags(ctx.at)
    seen = ctx.facts.latest_observations(ctx.at, (Obs.COMMENTS_DISABLED.value, Obs.COMMENTS_ENABLED.value))
    by_source: dict[str, Any] = {}
    for key in sorted(ctx.checked.keys() & (flags.keys() | seen.keys())):
        flag, observed = flags.get(key), seen.get(key)
        if observed is not None and (flag is None or observed.observed_at >= flag[0]):
            if observed.kind == Obs.COMMENTS_DISABLED:
                yield key, _observation(observed)
        elif flag is not None and flag[1] is False:
            by_source[key] = flag[0]
    posts = ctx.facts.comments_off_posts_at(by_source)
    for key in sorted(by_source):
        evidence = post_ref(posts[key]) if key in posts else {"published_at": when(by_source[key])}
        yield key, {"source_flag": "comments_enabled = false", **evidence}


@rule("app_unavailable", name_zh="客户端无法使用", name_en="app unavailable", family="platform",
      order=51, source="检查指标 一、单项否决 内容不更新 2.移动客户端（APP）无法下载或使用")
def app_unavailable(ctx: CheckContext) -> Iterator[tuple[str, dict]]:
    probes = ctx.facts.latest_app_probes(ctx.at, _PROBE_OUTCOMES)
    seen = ctx.facts.latest_observations(ctx.at, (Obs.APP_UNAVAILABLE.value, Obs.APP_AVAILABLE.value))
    for key, state in ctx.checked.items():
        if state.platform != "app":
            continue
        probe, observed = probes.get(key), seen.get(key)
        if observed is not None and (probe is None or observed.observed_at >= probe.started_at):
            if observed.kind == Obs.APP_UNAVAILABLE:
                yield key, _observation(observed)
        elif probe is not None and probe.outcome == "unavailable":
            yield key, {"probe_at": when(probe.started_at), "outcome": probe.outcome,
                        "http_status": probe.http_status, "detail": probe.detail}


def _jumps(ctx: CheckContext, limit: float) -> dict[str, list[Any]]:
    """Follower jumps above `limit` between snapshots about a day apart with no post between."""
    jumps: dict[str, list[Any]] = {}
    for step in ctx.facts.follower_steps(ctx.at):
        gap = step.taken_at - step.prev_at
        growth = (step.followers - step.prev_followers) / step.prev_followers
        if step.account in ctx.checked and timedelta(0) < gap <= _A_DAY_APART and growth > limit:
            jumps.setdefault(step.account, []).append(step)
    return jumps


@rule("fake_engagement", name_zh="数据造假", name_en="fake engagement", family="platform",
      order=52, source=_INTERACTION + " 2.存在购买“粉丝”等弄虚作假行为")
def fake_engagement(ctx: CheckContext) -> Iterator[tuple[str, dict]]:
    limit = ctx.config("fake_engagement")["max_daily_growth"]
    jumps = _jumps(ctx, limit)
    seen = ctx.facts.latest_observations(ctx.at, (Obs.FAKE_ENGAGEMENT.value,))
    for key in sorted(ctx.checked.keys() & (jumps.keys() | seen.keys())):
        evidence: dict[str, Any] = {"max_daily_growth": limit}
        if key in jumps:
            evidence["jumps"] = [{"from_at": when(s.prev_at), "to_at": when(s.taken_at), "from": s.prev_followers,
                                  "to": s.followers, "growth": round((s.followers - s.prev_followers) / s.prev_followers, 4),
                                  "posts_between": 0} for s in jumps[key]]
        if key in seen:
            evidence.update(_observation(seen[key]))
        yield key, evidence


@rule("feed_unreachable", name_zh="订阅源不可达", name_en="feed unreachable", family="platform",
      order=53, source="运行监测 订阅源连续抓取失败（不影响合格判定）")
def feed_unreachable(ctx: CheckContext) -> Iterator[tuple[str, dict]]:
    needed = ctx.config("feed_unreachable")["failures"]
    failing = {key: row for key, row in ctx.judged(ctx.facts.failures_since_success(ctx.at).items())
               if row.failures >= needed and ctx.checked[key].platform != "website"}  # websites: site_unreachable
    last = ctx.facts.last_polls({key: row.last_poll_at for key, row in failing.items()})
    for key in sorted(failing):
        row = failing[key]
        successes = [t for t in (row.ok, row.not_modified) if t is not None]
        newest = last.get(key)
        yield key, {"failures": needed, "failed_in_a_row": row.failures,
                    "last_success_at": when(max(successes)) if successes else None,
                    "last_poll": {"at": when(row.last_poll_at), "outcome": newest.outcome if newest else None,
                                  "http_status": newest.http_status if newest else None}}


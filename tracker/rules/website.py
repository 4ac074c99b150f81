"""政府网站 rules (docs/contract.md §10, seed 003's 政府网站 indicators): site_unreachable,
homepage_stale and columns_stale (单项否决), site_identity, broken_links, jiucuo_entry, ipv6 and
page_tags (扣分: each finding carries the points it costs as `evidence.points`).

They judge websites only, on the newest successful poll and the probes of the window. Where the
tool has not seen enough — fewer probes than `min_probes`, or a homepage it never fetched (or
not within `[coverage] grace_hours`) — a veto rule does not fire and does not pass either: the
website gets `unverified` (待核实), like an account whose feed the tool has not seen (§6.4).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from tracker.domain.times import start_of_day
from tracker.rules.catalogue import rule
from tracker.rules.context import CheckContext
from tracker.rules.evidence import when, window

_VETO = "检查指标 政府网站 单项否决"
_POINTS = "检查指标 政府网站 扣分指标"
MARK_NAMES = {"conac": "党政机关网站标识", "site_code": "网站标识码", "icp": "ICP备案编号",
              "police": "公安机关备案标识", "sponsor": "网站主办单位", "contact": "联系方式"}


def websites(ctx: CheckContext) -> Iterator[str]:
    return (key for key, state in ctx.checked.items() if state.platform == "website")


def _fresh_polls(ctx: CheckContext) -> dict[str, Any]:
    """The newest successful poll of each website, if recent enough to judge on."""
    oldest = ctx.at - timedelta(hours=ctx.settings.grace_hours)
    return {key: row for key, row in ctx.facts.website_polls(ctx.at).items() if row.polled_at >= oldest}


def website_holds(ctx: CheckContext) -> dict[str, list[dict[str, Any]]]:
    """Per website, what each enabled veto rule cannot judge for want of facts (too few probes in
    the window, no recent successful homepage fetch); rule `unverified` reports them (待核实).
    Computed once per check (`ctx.website_unverified`), whatever the rules' order."""
    if ctx.website_unverified is None:
        holds: dict[str, list[dict[str, Any]]] = {}
        enabled = {code for code in ("site_unreachable", "homepage_stale", "columns_stale") if ctx.config(code)["enabled"]}
        if "site_unreachable" in enabled:
            cfg = ctx.config("site_unreachable")
            start = ctx.ago(cfg["window_days"])
            probes = ctx.facts.website_probes(start, ctx.at)
            for key in websites(ctx):
                total = probes[key].total if key in probes else 0
                if total < cfg["min_probes"]:
                    holds.setdefault(key, []).append({"would_fire": "site_unreachable", "missing": "few_probes",
                                                      "probes": total, "min_probes": cfg["min_probes"],
                                                      "span": window(start, ctx.at)})
        fresh, polls = _fresh_polls(ctx), ctx.facts.website_polls(ctx.at)
        for code in ("homepage_stale", "columns_stale"):
            if code in enabled:
                for key in websites(ctx):
                    if key not in fresh:
                        last = polls.get(key)
                        holds.setdefault(key, []).append({"would_fire": code, "missing": "homepage_not_fetched",
                                                          "last_ok_at": when(last.polled_at) if last else None})
        ctx.website_unverified = holds
    return ctx.website_unverified


def _stale(ctx: CheckContext, printed: date | str | None, days: float) -> bool:
    """Whether a page's newest printed date lies outside the window (at − days, at]: a date is
    taken at its first moment (Asia/Shanghai); no date at all is stale."""
    if printed is None:
        return True
    day = date.fromisoformat(printed) if isinstance(printed, str) else printed
    return ctx.at - start_of_day(day) >= timedelta(days=days)


def _points(ctx: CheckContext, code: str, units: int) -> float:
    cfg = ctx.config(code)
    total = cfg["points"] * units
    return round(min(total, cfg["max_points"]) if "max_points" in cfg else total, 2)


@rule("site_unreachable", name_zh="站点无法访问", name_en="site unreachable", family="website", order=60,
      source=_VETO + " 站点无法访问（监测一周，每天不少于20次，失败率≥5%）")
def site_unreachable(ctx: CheckContext) -> Iterator[tuple[str, dict]]:
    cfg = ctx.config("site_unreachable")
    start = ctx.ago(cfg["window_days"])
    probes = ctx.facts.website_probes(start, ctx.at)
    for key in websites(ctx):
        seen = probes.get(key)
        total = seen.total if seen else 0
        if total < cfg["min_probes"]:
            continue  # unverified (website_holds)
        share = seen.failed / total
        if share >= cfg["max_failure_share"]:
            yield key, {"probes": total, "failed": seen.failed, "timeouts": seen.timeouts,
                        "failure_share": round(share, 4), "max_failure_share": cfg["max_failure_share"],
                        "span": window(start, ctx.at)}


@rule("homepage_stale", name_zh="首页不更新", name_en="homepage not updated", family="website", order=61,
      source=_VETO + " 首页栏目信息更新不及时（监测时间点前2周内无更新）")
def homepage_stale(ctx: CheckContext) -> Iterator[tuple[str, dict]]:
    days = ctx.config("homepage_stale")["window_days"]
    polls = _fresh_polls(ctx)
    for key in websites(ctx):
        poll = polls.get(key)
        if poll is None:
            continue  # unverified (website_holds)
        newest = poll.homepage_newest
        if _stale(ctx, newest, days):
            yield key, {"homepage": poll.homepage_url, "newest_date": newest.isoformat() if newest else None,
                        "dates": poll.homepage_dates or 0, "window_days": days, "polled_at": when(poll.polled_at)}


@rule("columns_stale", name_zh="栏目不更新", name_en="columns not updated", family="website", order=62,
      source=_VETO + " 栏目不更新（动态要闻类2周、通知公告政策文件类6个月未更新的栏目超过5个；空白栏目超过5个）")
def columns_stale(ctx: CheckContext) -> Iterator[tuple[str, dict]]:
    cfg = ctx.config("columns_stale")
    limits = {"dynamic": cfg["dynamic_days"], "policy": cfg["policy_days"]}
    polls = _fresh_polls(ctx)
    for key in websites(ctx):
        poll = polls.get(key)
        if poll is None:
            continue  # unverified (website_holds)
        stale, empty = [], []
        for column in poll.columns or ():
            if column.get("outcome") != "ok" or not column.get("newest"):
                if column.get("outcome") == "ok":
                    empty.append({"name": column["name"], "url": column["url"]})
                continue
            if _stale(ctx, column["newest"], limits.get(column.get("kind"), cfg["dynamic_days"])):
                stale.append({"name": column["name"], "kind": column["kind"], "url": column["url"],
                              "newest_date": column["newest"]})
        if len(stale) >= cfg["max_stale"] or len(empty) >= cfg["max_empty"]:
            yield key, {"stale": stale, "empty": empty, "max_stale": cfg["max_stale"], "max_empty": cfg["max_empty"],
                        "dynamic_days": cfg["dynamic_days"], "policy_days": cfg["policy_days"],
                        "polled_at": when(poll.polled_at)}


@rule("site_identity", name_zh="网站标识", name_en="site identity marks", family="website", order=63,
      source=_POINTS + " 页面底部功能区缺少党政机关网站标识、网站标识码、ICP备案编号、公安机关备案标识、网站主办单位、联系方式（每项扣0.5分）")
def site_identity(ctx: CheckContext) -> Iterator[tuple[str, dict]]:
    for key, poll in ctx.judged(_fresh_polls(ctx).items()):
        marks = poll.marks or {}
        missing = [name for name in MARK_NAMES if not marks.get(name)]
        if missing and ctx.checked[key].platform == "website":
            yield key, {"homepage": poll.homepage_url, "missing": missing,
                        "points": _points(ctx, "site_identity", len(missing))}


@rule("broken_links", name_zh="首页链接不可用", name_en="broken links", family="website", order=64,
      source=_POINTS + " 首页链接不可用（错链、断链，每个扣0.2分，最多扣1分）")
def broken_links(ctx: CheckContext) -> Iterator[tuple[str, dict]]:
    for key, poll in ctx.judged(_fresh_polls(ctx).items()):
        broken = poll.broken_links or []
        if broken and ctx.checked[key].platform == "website":
            yield key, {"homepage": poll.homepage_url, "checked": poll.links_checked or 0, "broken": broken,
                        "points": _points(ctx, "broken_links", len(broken))}


@rule("jiucuo_entry", name_zh="未设找错入口", name_en="no 找错 entry", family="website", order=65,
      source=_POINTS + " 首页未设置“我为政府网站找错”入口（扣1分）")
def jiucuo_entry(ctx: CheckContext) -> Iterator[tuple[str, dict]]:
    for key, poll in ctx.judged(_fresh_polls(ctx).items()):
        if not poll.jiucuo and ctx.checked[key].platform == "website":
            yield key, {"homepage": poll.homepage_url, "points": _points(ctx, "jiucuo_entry", 1)}


@rule("ipv6", name_zh="IPv6改造", name_en="IPv6", family="website", order=66,
      source=_POINTS + " 未完成IPv6改造（无AAAA记录或IPv6下不能访问，扣1分）")
def ipv6(ctx: CheckContext) -> Iterator[tuple[str, dict]]:
    for key, poll in ctx.judged(_fresh_polls(ctx).items()):
        if ctx.checked[key].platform == "website" and poll.ipv6_aaaa is not None and not (poll.ipv6_aaaa and poll.ipv6_ok):
            yield key, {"homepage": poll.homepage_url, "aaaa": bool(poll.ipv6_aaaa), "answers": bool(poll.ipv6_ok),
                        "points": _points(ctx, "ipv6", 1)}


@rule("page_tags", name_zh="页面标签", name_en="page tags", family="website", order=67,
      source="政府网站发展指引 网页元数据标签（SiteName SiteDomain SiteIDCode，栏目页 ColumnName；每页扣0.1分，最多扣1分）")
def page_tags(ctx: CheckContext) -> Iterator[tuple[str, dict]]:
    for key, poll in ctx.judged(_fresh_polls(ctx).items()):
        pages = [p for p in poll.page_tags or () if p.get("missing")]
        if pages and ctx.checked[key].platform == "website":
            yield key, {"pages": pages, "points": _points(ctx, "page_tags", len(pages))}

"""Content rules on posts: repost_only, stopped_not_deregistered, ad_link, privacy_leak and
banned_expression. The text rules read the post signals computed when the post was stored
(`tracker.rules.signals`), so they scan no text here."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from tracker.domain.models import AccountStatus
from tracker.rules.catalogue import rule
from tracker.rules.context import CheckContext
from tracker.rules.evidence import post_ref, window
from tracker.rules.text import normalize

_SERIOUS = "检查指标 一、单项否决 安全、泄密事故等严重问题"
_SIGNAL_RULES = ("ad_link", "privacy_leak", "banned_expression")
_MAX_LISTED = 20  # evidence lists this many posts; `posts` gives the full count


@rule("repost_only", name_zh="只转不发", name_en="reposts only", family="content", order=20,
      source="安徽省通报 只转不发（内容基本为转发）")
def repost_only(ctx: CheckContext) -> Iterator[tuple[str, dict]]:
    cfg = ctx.config("repost_only")
    start = ctx.ago(cfg["window_days"])
    span = window(start, ctx.at)
    for key, summary in ctx.judged(ctx.posts().items()):
        posts, reposts = summary.counts[float(cfg["window_days"])], summary.reposts
        if posts >= cfg["min_posts"] and reposts / posts > cfg["max_repost_share"]:
            yield key, {"window": span, "posts": posts, "reposts": reposts,
                        "repost_share": round(reposts / posts, 4), "max_repost_share": cfg["max_repost_share"]}


def _phrase(row: Any, phrases: list[str]) -> str | None:
    text = normalize(f"{row.title or ''}\n{row.text or ''}")
    return next((phrase for phrase in phrases if normalize(phrase) in text), None)


@rule("stopped_not_deregistered", name_zh="停更未注销", name_en="stopped but not deregistered",
      family="content", order=21, source="安徽省通报 停更未注销（发布停止更新公告后未注销）；国办发〔2018〕123号 关停注销")
def stopped_not_deregistered(ctx: CheckContext) -> Iterator[tuple[str, dict]]:
    cfg = ctx.config("stopped_not_deregistered")
    grace = cfg["grace_days"]
    notices = ctx.facts.stop_notices(ctx.ago(grace))
    for key, state in ctx.checked.items():
        evidence: dict[str, Any] = {}
        notice = notices.get(key)
        if notice is not None:
            evidence["notice"] = {**post_ref(notice), "phrase": _phrase(notice, cfg["phrases"])}
        suspended_on = state.suspended_on if state.status == AccountStatus.SUSPENDED else None
        if suspended_on is not None and (ctx.at_date - suspended_on).days > grace:
            evidence["suspended_on"] = suspended_on.isoformat()
            evidence["days_since_suspended"] = (ctx.at_date - suspended_on).days
        if evidence:
            yield key, {**evidence, "grace_days": grace, "closed": False}


def _signal_rule(ctx: CheckContext, code: str, match: Callable[[Any], str | None]) -> Iterator[tuple[str, dict]]:
    days = ctx.config(code)["window_days"]
    widest = max(ctx.config(other)["window_days"] for other in _SIGNAL_RULES)
    start = ctx.ago(days)
    span = window(start, ctx.at)  # one list for every finding of the rule, as update.py does
    checked = ctx.checked
    hits: dict[str, list[Any]] = {}
    for row in ctx.facts.signal_posts(ctx.ago(widest), ctx.at):
        if row.published_at > start and row.account in checked and (matched := match(row)):
            hits.setdefault(row.account, []).append((row, matched))
    for key, posts in hits.items():
        # evidence for the newest `_MAX_LISTED` only; `posts` counts them all
        matches = [{**post_ref(row), "match": matched} for row, matched in posts[:-_MAX_LISTED - 1:-1]]
        yield key, {"window": span, "posts": len(posts), "matches": matches}


@rule("ad_link", name_zh="商业广告", name_en="commercial ad", family="content", order=22,
      source="丰都县通知 三(三)3 不得刊登商业广告或链接商业广告页面；安徽省通报 商业广告")
def ad_link(ctx: CheckContext) -> Iterator[tuple[str, dict]]:
    def match(row: Any) -> str | None:
        if row.sig_ad_domain:
            return row.sig_ad_domain
        return "平台标注广告 (platform ad mark)" if row.is_ad else None

    return _signal_rule(ctx, "ad_link", match)


@rule("privacy_leak", name_zh="泄露个人信息", name_en="personal data leak", family="content",
      order=23, source=_SERIOUS + "（个人隐私）")
def privacy_leak(ctx: CheckContext) -> Iterator[tuple[str, dict]]:
    return _signal_rule(ctx, "privacy_leak", lambda row: row.sig_privacy)


@rule("banned_expression", name_zh="严重表述错误", name_en="serious wording error",
      family="content", order=24, source=_SERIOUS + " 1.出现严重表述错误")
def banned_expression(ctx: CheckContext) -> Iterator[tuple[str, dict]]:
    return _signal_rule(ctx, "banned_expression", lambda row: row.sig_lexicon)

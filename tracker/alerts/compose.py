"""What the robots are told (docs/contract.md §8): the alerts of one moment, each with a key that
names it for good, so that the outbox sends it once however often this runs.

- `veto`: an active veto finding (never 待核实: that is `unverified`, severity info). Key: account,
  rule and when it was first seen, so a finding that was resolved and came back is told again.
- `due` (临期预警): an account whose update window closes in at most `warn_days` calendar days
  unless it posts, for a rule of severity veto (内容不更新 by default; `tracker due` also lists
  更新频率不足, a warning, which would alert every account posting three times a week); one
  alert per stage (4, then 2 days ahead by default), the tightest stage reached. Key: account, rule, the moment it lapses, stage — a new post moves the moment.
  Accounts whose feed is failing or was never fetched are not claimed due: they are `feed` alerts.
- `case`: an open rectification case due within `case_due_days`, and once when it is overdue.
- `feed`: a feed failing `[rules.feed_unreachable] failures` times in a row; it turns 待核实 once the
  last success is older than `[coverage] grace_hours`. Key: account and the first failure.
- `digest`: the day's counts, per robot (its regions), once a day.

Every alert reads the same facts as `check`, `due` and `cases` — one check context, a handful of
set-based queries — and says who, which unit, which rule, the evidence and what to do, in Chinese.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlmodel import col

from tracker.alerts.config import Webhook, warn_days
from tracker.domain.labels import PLATFORMS, POLL_OUTCOMES
from tracker.domain.times import as_utc, local_date, to_local_iso
from tracker.judging.context import build_context
from tracker.read.due import due_in_context
from tracker.rules.catalogue import rule_config, rule_name
from tracker.rules.context import AccountAsOf
from tracker.rules.sentences import sentence
from tracker.settings import Settings
from tracker.storage.db import Database
from tracker.storage.tables import FeedState, FindingRow, RectificationCase

KIND_TITLES = {"veto": "不合格", "due": "临期预警", "case": "整改提醒", "feed": "采集失败", "digest": "每日汇总"}
ORDER = ("digest", "veto", "case", "due", "feed")   # the order alerts are sent in

# What to do, per rule: the alert's last line. Rules without an entry get the general line.
REMEDIES = {
    "no_update": "尽快发布信息，保持更新频率",
    "low_frequency": "提高更新频率，按要求每周更新",
    "dormant": "恢复更新；确无需要的，按程序关停注销并备案",
    "empty_shell": "尽快发布内容；确无需要的，按程序关停注销并备案",
    "repost_only": "增加原创发布，不以转发代替",
    "stopped_not_deregistered": "已发停更公告的账号，尽快办理注销并备案",
    "comments_disabled": "开启评论或留言等互动功能",
    "ad_link": "删除商业广告内容和链接",
    "privacy_leak": "立即删除或遮挡个人信息，并排查同类内容",
    "banned_expression": "立即更正错误表述，并按规定报告",
    "unfiled_rename": "补办更名备案",
    "subject_mismatch": "核对认证主体，与主办单位保持一致",
    "duplicate_account": "整合重复账号，保留一个并备案",
    "late_filing": "及时补办备案",
    "app_unavailable": "修复客户端下载和使用",
    "fake_engagement": "核查并清理异常数据",
    "site_unreachable": "排查网站服务器和网络，保障访问",
    "homepage_stale": "更新首页栏目信息",
}
GENERAL_REMEDY = "按检查指标整改，并在整改期限内反馈"


@dataclass(frozen=True)
class Alert:
    kind: str                  # veto due case feed digest
    key: str                   # the alert's identity in the outbox (unique per webhook)
    account: str | None
    region: str
    title: str
    lines: tuple[str, ...]
    data: dict[str, Any] = field(default_factory=dict)   # structured fields, for the JSON webhook

    def body(self) -> dict[str, Any]:
        return {"title": self.title, "lines": list(self.lines), "data": self.data}


@dataclass
class Basis:
    """The counts of the daily digest, per account, so that each robot counts its own regions."""

    day: date
    running: dict[str, str] = field(default_factory=dict)     # account → region
    vetoed: set[str] = field(default_factory=set)
    unverified: set[str] = field(default_factory=set)
    due: set[str] = field(default_factory=set)
    cases_open: dict[str, bool] = field(default_factory=dict)  # case account → overdue
    failing: set[str] = field(default_factory=set)

    def digest(self, hook: Webhook | None) -> Alert:
        def mine(accounts: Iterable[str]) -> int:
            return sum(1 for key in accounts if key in self.running and (hook is None or hook.wants("digest", self.running[key])))


        scope = "、".join(hook.regions) if hook is not None and hook.regions else "全部地区"
        overdue = [key for key, late in self.cases_open.items() if late]
        counts = {"running": mine(self.running), "veto": mine(self.vetoed), "unverified": mine(self.unverified),
                  "due": mine(self.due), "cases_open": mine(self.cases_open), "cases_overdue": mine(overdue),
                  "feeds_failing": mine(self.failing)}
        lines = (f"在运行账号 {counts['running']}，不合格 {counts['veto']}，待核实 {counts['unverified']}，临期 {counts['due']}",
                 f"整改中 {counts['cases_open']}（逾期 {counts['cases_overdue']}），采集失败 {counts['feeds_failing']}")
        return Alert("digest", f"digest:{self.day.isoformat()}", None, "", f"【每日汇总】{self.day.isoformat()} {scope}",
                     lines, {"day": self.day.isoformat(), "scope": list(hook.regions) if hook else [], **counts})


@dataclass
class Composed:
    at: datetime
    alerts: list[Alert]
    basis: Basis

    def for_hook(self, hook: Webhook | None) -> list[Alert]:
        """The alerts this robot takes (all of them for None: a preview with no robot), digest first."""
        chosen = [a for a in self.alerts if hook is None or hook.wants(a.kind, a.region)]
        if hook is None or hook.takes("digest"):
            chosen.append(self.basis.digest(hook))
        return sorted(chosen, key=lambda a: ORDER.index(a.kind))


def _when(moment: datetime) -> str:
    """A moment as people read it in a chat: Asia/Shanghai date and minute."""
    return to_local_iso(as_utc(moment))[:16].replace("T", " ")


def _who(key: str, state: AccountAsOf) -> tuple[str, str]:
    platform = PLATFORMS.get(state.platform, (state.platform, ""))[0]
    return f"{state.account_name}（{platform} {key.split(':', 1)[-1]}）", f"单位：{state.org_name}（{state.region}）"


def _veto_alerts(session: Session, states: dict[str, AccountAsOf], basis: Basis) -> list[Alert]:
    rows = session.execute(select(col(FindingRow.account), col(FindingRow.rule), col(FindingRow.evidence), col(FindingRow.first_seen_at))
                           .where(col(FindingRow.active).is_(True), col(FindingRow.severity) == "veto",
                                  col(FindingRow.rule) != "unverified")
                           .order_by(col(FindingRow.account), col(FindingRow.rule))).all()
    alerts = []
    for account, rule, evidence, first_seen in rows:
        state = states.get(account)
        if state is None:
            continue   # not a running account of the check: no one to tell
        basis.vetoed.add(account)
        who, unit = _who(account, state)
        name = rule_name(rule, "zh")
        alerts.append(Alert(
            "veto", f"veto:{account}:{rule}:{as_utc(first_seen).isoformat()}", account, state.region,
            f"【不合格】{name}：{who}",
            (unit, f"证据：{sentence(rule, evidence, 'zh', limit=160)}", f"请：{REMEDIES.get(rule, GENERAL_REMEDY)}"),
            {"rule": rule, "rule_name": name, "first_seen_at": to_local_iso(as_utc(first_seen)),
             "account_name": state.account_name, "org_name": state.org_name, "evidence": evidence}))
    unverified = session.execute(select(col(FindingRow.account)).where(col(FindingRow.active).is_(True),
                                                                   col(FindingRow.rule) == "unverified")).scalars()
    basis.unverified.update(key for key in unverified if key in states)
    return alerts


def _due_alerts(ctx: Any, stages: list[int], basis: Basis) -> tuple[list[Alert], list[str]]:
    """临期预警 at the tightest stage reached, and the accounts whose feed leaves it unknown."""
    if not stages:
        return [], []
    listed = due_in_context(ctx, stages[0] + 1)   # calendar days: the lapse may fall late on the last day
    today = local_date(ctx.at)
    alerts = []
    vetoing = {code for code in {line.due.rule for line in listed.due}
               if rule_config(ctx.settings, code)["severity"] == "veto"}
    for line in listed.due:
        if line.due.rule not in vetoing:
            continue   # a warning rule (更新频率不足 by default) does not make an account 不合格: no 预警
        left = (local_date(line.due.lapses_at) - today).days
        reached = [stage for stage in stages if left <= stage]
        if not reached:
            continue
        stage = min(reached)
        due = line.due
        state = ctx.checked[due.account]
        basis.due.add(due.account)
        who, unit = _who(due.account, state)
        name = rule_name(due.rule, "zh")
        lapse = to_local_iso(due.lapses_at)
        alerts.append(Alert(
            "due", f"due:{due.account}:{due.rule}:{as_utc(due.lapses_at).isoformat()}:{stage}", due.account, state.region,
            f"【临期预警】还剩 {left} 天：{who}",
            (unit, f"最近一次计入的发布 {_when(due.last_post_at)}；{_when(due.lapses_at)} 前不发布将判为「{name}」（{due.window_days} 天窗口）",
             "请：尽快发布信息"),
            {"rule": due.rule, "rule_name": name, "lapses_at": lapse, "days_left": left, "stage": stage,
             "last_post_at": to_local_iso(due.last_post_at), "account_name": state.account_name, "org_name": state.org_name}))
    return alerts, [u.account for u in listed.unverified]


def _case_alerts(session: Session, states: dict[str, AccountAsOf], today: date, within: int, basis: Basis) -> list[Alert]:
    alerts = []
    for case in session.execute(select(RectificationCase).where(col(RectificationCase.status) == "open")
                                .order_by(col(RectificationCase.due_on), col(RectificationCase.id))).scalars():
        state = states.get(case.account)
        left = (case.due_on - today).days
        if state is None:
            continue
        basis.cases_open[case.account] = left < 0
        if left > within:
            continue
        who, unit = _who(case.account, state)
        rules = "、".join(rule_name(rule, "zh") for rule in case.rules or ()) or "—"
        when = f"已逾期 {-left} 天" if left < 0 else ("今天到期" if left == 0 else f"还剩 {left} 天")
        stage = "overdue" if left < 0 else "due"
        alerts.append(Alert(
            "case", f"case:{case.id}:{stage}:{case.due_on.isoformat()}", case.account, state.region,
            f"【整改{'逾期' if left < 0 else '到期'}】{case.quarter} {who}",
            (unit, f"整改期限 {case.due_on.isoformat()}（{when}）；问题：{rules}",
             "请：尽快完成整改并反馈" if left >= 0 else "请：说明逾期原因，尽快完成整改"),
            {"case": case.id, "quarter": case.quarter, "due_on": case.due_on.isoformat(), "days_left": left,
             "rules": list(case.rules or ()), "account_name": state.account_name, "org_name": state.org_name}))
    return alerts


def _feed_alerts(ctx: Any, session: Session, settings: Settings, blind: list[str], basis: Basis) -> list[Alert]:
    threshold = int(rule_config(settings, "feed_unreachable")["failures"])
    states = ctx.checked
    streaks = dict(session.execute(select(col(FeedState.account), col(FeedState.consecutive_failures))
                                   .where(col(FeedState.consecutive_failures) >= threshold)).tuples().all())
    failing = sorted(key for key in streaks if key in states)
    basis.failing.update(failing)
    firsts = ctx.facts.failing_polls(failing) if failing else {}
    grace = settings.grace_hours
    alerts = []
    for key in failing:
        since, outcome = firsts.get(key, (None, None))
        state = states[key]
        who, unit = _who(key, state)
        shown = POLL_OUTCOMES.get(outcome or "", (outcome or "未知", ""))[0]
        started = _when(since) if since else "未知时间"
        blind_now = key in blind
        alerts.append(Alert(
            "feed", f"feed:{key}:{as_utc(since).isoformat() if since else 'never'}", key, state.region,
            f"【采集失败】{who}",
            (unit, f"订阅源自 {started} 起连续失败 {streaks[key]} 次（最近：{shown}）",
             "已按「待核实」处理，不判合格与否" if blind_now else f"超过 {grace:g} 小时未抓取成功将按「待核实」处理",
             "请：核对订阅地址和账号状态"),
            {"failures": streaks[key], "since": to_local_iso(as_utc(since)) if since else None, "outcome": outcome,
             "unverified": blind_now, "account_name": state.account_name, "org_name": state.org_name}))
    return alerts


def compose(db: Database, settings: Settings, at: datetime) -> Composed:
    """Every alert as of `at` (read only)."""
    at = as_utc(at)
    section = settings.section("alerts")
    with db.session() as session:
        ctx = build_context(session, settings, at)
        basis = Basis(local_date(at), {key: state.region for key, state in ctx.checked.items()})
        alerts = _veto_alerts(session, ctx.checked, basis)
        due, blind = _due_alerts(ctx, warn_days(settings), basis)
        alerts += _case_alerts(session, ctx.checked, local_date(at), int(section["case_due_days"]), basis)
        alerts += due
        alerts += _feed_alerts(ctx, session, settings, blind, basis)
    return Composed(at, sorted(alerts, key=lambda a: ORDER.index(a.kind)), basis)

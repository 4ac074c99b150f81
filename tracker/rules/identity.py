"""Identity rules: unfiled_rename, subject_mismatch (both judge only accounts with profile data)
and duplicate_account (国办发〔2018〕123号: one unit, one account per platform)."""

from __future__ import annotations

from collections.abc import Iterator

from tracker.domain.models import AccountStatus
from tracker.rules.catalogue import rule
from tracker.rules.context import CheckContext
from tracker.rules.evidence import when
from tracker.rules.text import normalize

_NO_123 = "国办发〔2018〕123号"


@rule("unfiled_rename", name_zh="更名未备案", name_en="unfiled rename", family="identity",
      order=30, source=_NO_123 + " 开设、变更、关停、注销报主管单位备案")
def unfiled_rename(ctx: CheckContext) -> Iterator[tuple[str, dict]]:
    for key, profile in ctx.judged(ctx.facts.latest_profiles(ctx.at, "name").items()):
        filed = ctx.checked[key].account_name
        if profile.display_name == filed:  # the usual case, without normalizing
            continue
        if normalize(profile.display_name) and normalize(profile.display_name) != normalize(filed):
            yield key, {"filed_name": filed, "profile_name": profile.display_name, "profile_at": when(profile.taken_at)}


@rule("subject_mismatch", name_zh="认证主体不符", name_en="verified subject mismatch",
      family="identity", order=31, source=_NO_123 + " “谁开设、谁主办”，认证主体与主办单位一致")
def subject_mismatch(ctx: CheckContext) -> Iterator[tuple[str, dict]]:
    for key, profile in ctx.judged(ctx.facts.latest_profiles(ctx.at, "verification").items()):
        org_name = ctx.checked[key].org_name
        evidence = {"org_name": org_name, "verified": profile.verified,
                    "verified_reason": profile.verified_reason, "profile_at": when(profile.taken_at)}
        if profile.verified is False:
            yield key, {**evidence, "problem": "unverified"}
        elif org_name not in (profile.verified_reason or "") and normalize(org_name) not in normalize(profile.verified_reason):
            yield key, {**evidence, "problem": "verification does not name the filed org_name"}


@rule("duplicate_account", name_zh="重复开设", name_en="duplicate account", family="identity",
      order=32, source=_NO_123 + " 一个单位在同一平台原则上只开设一个政务新媒体账号")
def duplicate_account(ctx: CheckContext) -> Iterator[tuple[str, dict]]:
    groups: dict[tuple[str, str], list[str]] = {}
    for key, state in ctx.states.items():  # the whole registry: a duplicate may sit in another region
        if state.status != AccountStatus.DEREGISTERED and state.opened_on <= ctx.at_date:
            groups.setdefault((state.org_code, state.platform), []).append(key)
    for (org_code, platform), keys in groups.items():
        if len(keys) < 2:
            continue
        for key in keys:
            if key in ctx.checked:
                yield key, {"org_code": org_code, "org_name": ctx.checked[key].org_name,
                            "platform": platform, "accounts": sorted(keys)}

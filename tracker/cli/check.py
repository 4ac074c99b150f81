"""`tracker check` (evaluate the rules as of T and store the findings) and `tracker observe`
(an inspector's dated record)."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Any

import typer

from tracker.cli.common import context, handles_errors, print_json
from tracker.cli.options import FORMAT, TableOrJson
from tracker.cli.output import render_table
from tracker.domain.text_out import printable
from tracker.domain.times import now_utc, parse_at, to_local_iso

if TYPE_CHECKING:  # the engine loads in the command itself: every other command starts faster
    from tracker.rules.engine import CheckResult

UNVERIFIED = "unverified"  # 待核实 (docs/contract.md §6.4)
SEVERITY_LABELS = {"zh": {"veto": "单项否决", "warning": "问题", "info": "提示"},
                   "en": {"veto": "veto", "warning": "warning", "info": "info"}}


class FailOn(str, Enum):
    veto = "veto"
    warning = "warning"


def register(app: typer.Typer) -> None:
    app.command("check")(check_command)
    app.command("observe")(observe_command)


def as_json(result: CheckResult) -> dict[str, Any]:
    return {"at": to_local_iso(result.at),
            "findings": [{"account": f.account, "rule": f.rule, "severity": f.severity,
                          "evidence": f.evidence, "source": f.source} for f in result.findings]}


def summarize(rule: str, evidence: dict[str, Any], lang: str = "zh", limit: int = 120) -> str:
    """The evidence for the table: one sentence in the UI language (the JSON keeps the fields)."""
    from tracker.rules.sentences import sentence

    return sentence(rule, evidence, lang, limit)


def render(result: CheckResult, lang: str) -> str:
    from tracker.rules.catalogue import rule_name

    zh = lang == "zh"
    labels = SEVERITY_LABELS[lang]
    unverified = [f for f in result.findings if f.rule == UNVERIFIED]  # 待核实: not problems, listed apart
    problems = [f for f in result.findings if f.rule != UNVERIFIED]
    counts = " · ".join(f"{labels[s]} {sum(f.severity == s for f in problems)}" for s in ("veto", "warning", "info"))
    head = (f"检查时间 {to_local_iso(result.at)}  检查账号 {result.accounts_checked}  发现 {len(problems)}（{counts}）"
            f"  待核实 {len(unverified)}"
            if zh else f"checked at {to_local_iso(result.at)}: {result.accounts_checked} accounts, "
            f"{len(problems)} findings ({counts}), {len(unverified)} unverified")
    lines = [head]
    by_region: dict[str, list] = {}
    for finding in problems:
        by_region.setdefault(result.regions.get(finding.account, ""), []).append(finding)
    headers = ("账号", "名称", "规则", "级别", "依据") if zh else ("account", "name", "rule", "severity", "evidence")
    for region in sorted(by_region):
        rows = [(f.account, result.account_names.get(f.account, ""), rule_name(f.rule, lang), labels[f.severity],
                 summarize(f.rule, f.evidence, lang)) for f in by_region[region]]
        shown = printable(region)
        lines += ["", f"{shown}（{len(rows)}）" if zh else f"{shown} ({len(rows)})", render_table(headers, rows)]
    if unverified:
        title = (f"待核实（{len(unverified)}）：更新情况无法核实，不计入不合格" if zh
                 else f"Unverified ({len(unverified)}): updates could not be judged, never counted as failed")
        unverified_headers = ("账号", "名称", "地区", "依据") if zh else ("account", "name", "region", "evidence")
        unverified_rows = [(f.account, result.account_names.get(f.account, ""), result.regions.get(f.account, ""),
                            summarize(f.rule, f.evidence, lang))
                           for f in sorted(unverified, key=lambda f: (result.regions.get(f.account, ""), f.account))]
        lines += ["", title, render_table(unverified_headers, unverified_rows)]
    return "\n".join(lines)


@handles_errors
def check_command(
    ctx: typer.Context,
    at: str = typer.Option(None, "--at", help="Evaluate as of this time (ISO 8601; no offset = Asia/Shanghai; a bare date = end of day). Default: now."),
    region: str = typer.Option(None, "--region", help="Only accounts in this region and below, e.g. 福建省/福州市."),
    format: TableOrJson = FORMAT,
    fail_on: FailOn = typer.Option(None, "--fail-on", help="Exit 1 when a finding of this severity or worse exists."),
) -> None:
    """Evaluate the rules as of T (docs/contract.md §6) and store the findings."""
    cli = context(ctx)
    moment = parse_at(at) if at else now_utc()
    from tracker.judging.run import SEVERITY_RANK, run_check

    result = run_check(cli.database(), cli.settings, moment, region=region.strip().rstrip("/") if region else None)
    if format == TableOrJson.json:
        print_json(as_json(result))
    else:
        typer.echo(render(result, cli.lang))
    if fail_on is not None and any(SEVERITY_RANK[f.severity] >= SEVERITY_RANK[fail_on.value] for f in result.findings):
        raise typer.Exit(1)


@handles_errors
def observe_command(
    ctx: typer.Context,
    account: str = typer.Argument(..., help="platform:account_id"),
    fact: str = typer.Argument(..., help="comments_disabled comments_enabled app_unavailable app_available fake_engagement updates_seen"),
    at: str = typer.Option(None, "--at", help="When it was seen (ISO 8601; default now)."),
    latest: str = typer.Option(None, "--latest", help="updates_seen: the time of the newest post seen, or none (no post at all)."),
    note: str = typer.Option(None, "--note", help="What was seen, in the inspector's words."),
    by: str = typer.Option(None, "--by", help="The inspector (default: the OS user)."),
) -> None:
    """Record what an inspector saw by hand; the latest observation per fact wins."""
    from tracker.judging.observations import NO_POSTS, record_observation

    cli = context(ctx)
    moment = parse_at(at) if at else now_utc()
    newest = None if latest is None else NO_POSTS if latest.strip().lower() == NO_POSTS else parse_at(latest)
    saved = record_observation(cli.database(), account, fact, at=moment, inspector=by, note=note, latest=newest)
    if cli.lang == "zh":
        typer.echo(f"已记录 {saved.account} {saved.kind}（{to_local_iso(saved.observed_at)}，检查人 {saved.inspector}）")
    else:
        typer.echo(f"recorded {saved.account} {saved.kind} at {to_local_iso(saved.observed_at)} by {saved.inspector}")

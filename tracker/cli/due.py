"""`tracker due`: 临期预警 as a list — accounts that will fall into 内容不更新 (or 更新频率不足)
within N days unless they post, with the moment it happens."""

from __future__ import annotations

import typer

from tracker.cli.common import context, handles_errors, print_json
from tracker.cli.options import FORMAT, TableOrJson
from tracker.cli.output import echo_table
from tracker.domain.errors import TrackerError
from tracker.domain.times import now_utc, parse_at, to_local_iso


def register(app: typer.Typer) -> None:
    app.command("due")(due_command)


@handles_errors
def due_command(
    ctx: typer.Context,
    days: float = typer.Option(None, "--days", help="Look this many days ahead (an account exactly N days from lapsing is listed); "
                               "default [rules.no_update] window_days − 10, i.e. 4 for a 14-day window."),
    region: str = typer.Option(None, "--region", help="Only accounts in this region and below, e.g. 福建省/福州市."),
    rule: str = typer.Option(None, "--rule", help="Only this rule: no_update (内容不更新, 单项否决 by default) or low_frequency "
                             "(更新频率不足); default both."),
    at: str = typer.Option(None, "--at", help="As of this time (ISO 8601; default now)."),
    format: TableOrJson = FORMAT,
) -> None:
    """Accounts that will fall into no_update (or low_frequency) within N days unless they post."""
    from tracker.read.due import default_days, due_accounts
    from tracker.rules.catalogue import rule_name
    from tracker.rules.due import DUE_RULES

    if rule is not None and rule.strip() not in DUE_RULES:
        raise TrackerError(f"--rule must be one of {', '.join(DUE_RULES)}, got {rule!r}")
    cli = context(ctx)
    moment = parse_at(at) if at else now_utc()
    days = default_days(cli.settings) if days is None else days
    listed = due_accounts(cli.database(), cli.settings, moment, days,
                          region=region.strip().rstrip("/") if region else None)
    lines = [line for line in listed.due if rule is None or line.due.rule == rule.strip()]
    if format == TableOrJson.json:
        print_json({"at": to_local_iso(moment), "days": days, "rule": rule.strip() if rule else None, "due": [
            {"account": line.due.account, "name": line.account_name, "org": line.org_name, "region": line.region,
             "rule": line.due.rule, "lapses_at": to_local_iso(line.due.lapses_at), "days_left": line.days_left,
             "last_post_at": to_local_iso(line.due.last_post_at), "window_days": line.due.window_days}
            for line in lines],
            "unverified": [{"account": u.account, "name": u.account_name, "org": u.org_name, "region": u.region,
                            "last_failure": u.last_failure} for u in listed.unverified]})
        return
    zh = cli.lang == "zh"
    typer.echo(f"临期 {len(lines)}：{days:g} 天内不发布即将不合格（{to_local_iso(moment)} 起）" if zh
               else f"{len(lines)} due: will fail within {days:g} days unless they post (from {to_local_iso(moment)})")
    headers = (("账号", "名称", "单位", "地区", "规则", "将于", "剩余天数") if zh
               else ("account", "name", "unit", "region", "rule", "from", "days left"))
    echo_table(headers, [(line.due.account, line.account_name, line.org_name, line.region,
                          rule_name(line.due.rule, cli.lang), to_local_iso(line.due.lapses_at), f"{line.days_left:g}")
                         for line in lines])
    if listed.unverified:
        typer.echo("")
        typer.echo(f"待核实 {len(listed.unverified)}：订阅源从未抓取成功或已持续失败，最新发布未知，不判断是否临期" if zh
                   else f"{len(listed.unverified)} unverified: the feed never succeeded or keeps failing, the newest post is unknown")
        echo_table(("账号", "名称", "单位", "地区", "最近失败") if zh else ("account", "name", "unit", "region", "last failure"),
                   [(u.account, u.account_name, u.org_name, u.region, u.last_failure or "") for u in listed.unverified])

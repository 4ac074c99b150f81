"""`tracker account show` (one account as of T) and `tracker posts` (its stored posts)."""

from __future__ import annotations

import sys
from enum import Enum
from typing import Any

import typer

from tracker.cli.common import context, handles_errors, print_json
from tracker.cli.options import FORMAT, TableOrJson
from tracker.cli.output import echo_table, echo_text
from tracker.domain.text_out import json_text
from tracker.domain.times import now_utc, parse_at

account_app = typer.Typer(help="One account from the command line.", no_args_is_help=True)


class PostsFormat(str, Enum):
    table = "table"
    jsonl = "jsonl"


def register(app: typer.Typer) -> None:
    app.add_typer(account_app, name="account")
    app.command("posts")(posts_command)


@account_app.command("show")
@handles_errors
def show_command(
    ctx: typer.Context,
    account: str = typer.Argument(..., help="platform:account_id"),
    at: str = typer.Option(None, "--at", help="The filed state as of this time (ISO 8601; default now)."),
    format: TableOrJson = FORMAT,
) -> None:
    """Filed state as of T, filing history, last polls, profile, newest posts, findings, observations, open case."""
    from tracker.cli.check import SEVERITY_LABELS
    from tracker.read.account_view import account_view

    cli = context(ctx)
    view = account_view(cli.database(), account.strip(), parse_at(at) if at else now_utc(), cli.lang)
    if format == TableOrJson.json:
        print_json(view)
        return
    zh = cli.lang == "zh"
    filed = view["filed"] or {}
    echo_text(f"{view['account']}  {filed.get('name', '')}  {filed.get('org_name', '')}  {filed.get('region', '')}  "
              f"{filed.get('status', '')}  {'开设' if zh else 'opened'} {filed.get('opened_on', '')}  ({view['at']})")
    sections: list[tuple[str, tuple[str, ...], list[tuple[Any, ...]]]] = [
        ("备案记录" if zh else "Filings", ("类型", "生效", "经办") if zh else ("kind", "effective", "by"),
         [(f["kind"], f["effective_on"], f["by"]) for f in view["filings"]]),
        ("抓取" if zh else "Polls", ("时间", "结果", "新发布") if zh else ("started", "outcome", "new posts"),
         [(p["started_at"], p["outcome"], p["new_posts"]) for p in view["polls"]]),
        ("最新发布" if zh else "Newest posts", ("时间", "标题", "标记") if zh else ("published", "title", "flags"),
         [(p["published_at"] or "", p["title"][:40], " ".join(p["flags"] + list(p["signals"]))) for p in view["posts"]]),
        ("发现" if zh else "Findings", ("规则", "级别", "有效", "依据") if zh else ("rule", "severity", "active", "evidence"),
         [(f["name"], SEVERITY_LABELS[cli.lang].get(f["severity"], f["severity"]),
           "是" if zh and f["active"] else "否" if zh else str(f["active"]), f["sentence"])
          for f in view["findings"]]),
        ("核查记录" if zh else "Observations", ("类型", "时间", "检查人", "说明") if zh else ("kind", "observed", "inspector", "note"),
         [(o["kind"], o["observed_at"], o["inspector"], o["note"] or "") for o in view["observations"]]),
    ]
    profile = view["profile"]
    if profile:
        echo_text(f"{'资料' if zh else 'Profile'}: {profile['display_name'] or ''}  "
                  f"{'认证' if zh else 'verified'} {profile['verified']} {profile['verified_reason'] or ''}  "
                  f"{'粉丝' if zh else 'followers'} {profile['followers']}  ({profile['taken_at']})")
    for title, headers, rows in sections:
        typer.echo(f"\n{title}（{len(rows)}）" if zh else f"\n{title} ({len(rows)})")
        if rows:
            echo_table(headers, rows)
    case = view["case"]
    typer.echo("")
    echo_text((f"整改：{case['quarter']} 到期 {case['due_on']} {case['status']}" if zh
               else f"case: {case['quarter']} due {case['due_on']} {case['status']}") if case
              else ("整改：无" if zh else "case: none"))


@handles_errors
def posts_command(
    ctx: typer.Context,
    account: str = typer.Argument(..., help="platform:account_id"),
    since: str = typer.Option(None, "--since", help="Only posts published after this time (ISO 8601)."),
    limit: int = typer.Option(50, "--limit", help="At most this many, newest first."),
    format: PostsFormat = typer.Option(PostsFormat.table, "--format", help="table or jsonl."),
) -> None:
    """The stored posts of an account, newest first, with their flags and signals."""
    from tracker.read.account_view import account_posts

    cli = context(ctx)
    posts = account_posts(cli.database(), account.strip(), since=parse_at(since) if since else None, limit=limit)
    if format == PostsFormat.jsonl:
        for post in posts:
            sys.stdout.write(json_text(post, indent=None) + "\n")
        return
    zh = cli.lang == "zh"
    echo_table(("时间", "编号", "标题", "标记", "信号") if zh else ("published", "id", "title", "flags", "signals"),
               [(p["published_at"] or "", p["post_id"], p["title"][:40], " ".join(p["flags"]),
                 " ".join(f"{k}={v}" for k, v in p["signals"].items())) for p in posts])

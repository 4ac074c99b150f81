"""`tracker alerts preview|send|test`: group-robot alerts (docs/contract.md §8)."""

from __future__ import annotations

from typing import Any

import typer

from tracker.cli.common import context, handles_errors, print_json
from tracker.cli.options import FORMAT, TableOrJson
from tracker.cli.output import echo_text
from tracker.domain.errors import TrackerError
from tracker.domain.times import now_utc, parse_at, to_local_iso

alerts_app = typer.Typer(help="Alerts to group robots (企业微信, 钉钉, 飞书, JSON webhooks) of [[alerts.webhooks]].",
                         no_args_is_help=True)

STATES = {"new": "新", "pending": "待发送", "sending": "发送中", "dead": "已放弃"}


def register(app: typer.Typer) -> None:
    app.add_typer(alerts_app, name="alerts")


def _at(at: str | None):
    return parse_at(at) if at else now_utc()


@alerts_app.command("preview")
@handles_errors
def preview_command(
    ctx: typer.Context,
    at: str = typer.Option(None, "--at", help="As of this time (ISO 8601; default now)."),
    format: TableOrJson = FORMAT,
) -> None:
    """What would be sent now: each robot's new alerts and those waiting to be retried. Sends nothing."""
    from tracker.alerts import outbox
    from tracker.alerts.compose import compose
    from tracker.alerts.config import Webhook, webhooks

    cli = context(ctx)
    hooks = webhooks(cli.settings)
    moment = _at(at)
    db = cli.database()
    composed = compose(db, cli.settings, moment)
    blocks: list[dict[str, Any]] = []
    targets: list[Webhook | None] = [*hooks] if hooks else [None]  # None: no robot configured
    for hook in targets:
        alerts = composed.for_hook(hook)
        fresh = outbox.new_alerts(db, hook, alerts) if hook is not None else alerts
        items = [{"key": a.key, "kind": a.kind, "account": a.account, "region": a.region, **a.body(),
                  "state": "new", "attempts": 0, "next_attempt_at": None, "last_error": None} for a in fresh]
        if hook is not None:
            items += [{"key": q.key, "kind": q.kind, "account": q.account, "region": q.region, **q.body,
                       "state": q.state, "attempts": q.attempts,
                       "next_attempt_at": to_local_iso(q.next_attempt_at) if q.next_attempt_at else None,
                       "last_error": q.last_error}
                      for q in outbox.queued(db, hook.name, due_only=False, states=("pending", "sending", "dead"))]
        blocks.append({"webhook": hook.name if hook else None, "kind": hook.kind if hook else None,
                       "shown": hook.shown if hook else None, "alerts": items})
    if format == TableOrJson.json:
        print_json({"at": to_local_iso(moment), "webhooks": [{k: v for k, v in b.items() if k != "shown"} for b in blocks]})
        return
    for block in blocks:
        items = block["alerts"]
        counts = {state: sum(1 for i in items if i["state"] == state) for state in STATES}
        summary = "，".join(f"{STATES[s]} {n}" for s, n in counts.items() if n) or "无"
        head = (f"→ {block['shown']}：{summary}" if block["webhook"] else
                f"未配置 [[alerts.webhooks]]；若配置，{to_local_iso(moment)} 将发送以下告警：{summary}")
        echo_text(head)
        for item in items:
            tail = ""
            if item["state"] != "new":
                tail = f"（已试 {item['attempts']} 次" + (f"，下次 {item['next_attempt_at']}" if item["next_attempt_at"] else "")
                tail += f"，{item['last_error']}）" if item["last_error"] else "）"
            echo_text(f"  [{STATES[item['state']]}] {item['title']}{tail}")
            for line in item["lines"]:
                echo_text(f"      {line}")
        echo_text("")


@alerts_app.command("send")
@handles_errors
def send_command(
    ctx: typer.Context,
    at: str = typer.Option(None, "--at", help="Make the alerts as of this time (ISO 8601; default now)."),
    format: TableOrJson = FORMAT,
) -> None:
    """Make the alerts now, write the new ones to the outbox and send what is due (each alert once).
    Exit status 1 when a robot failed (its alerts are retried on the next run)."""
    from tracker.alerts.config import webhooks
    from tracker.alerts.deliver import send_alerts

    cli = context(ctx)
    if not webhooks(cli.settings):
        raise TrackerError("no robot to send to: add [[alerts.webhooks]] tables to the config (docs/contract.md §8)")
    result = send_alerts(cli.database(), cli.settings, _at(at))
    if format == TableOrJson.json:
        print_json({"webhooks": [h.as_dict() for h in result.hooks], **{k: v for k, v in result.counts().items()
                                                                          if k != "alert_errors"}})
    else:
        for hook in result.hooks:
            echo_text(f"{hook.hook.shown}：新增 {hook.queued}，送达 {hook.delivered} 条（{hook.messages} 条消息），"
                      f"待发送 {hook.waiting}，放弃 {hook.dead}")
            for error in hook.errors:
                echo_text(f"  失败：{error}（稍后重试）", err=True)
    if result.failed:
        raise typer.Exit(1)


@alerts_app.command("test")
@handles_errors
def test_command(
    ctx: typer.Context,
    webhook: str = typer.Argument(..., help="The webhook's name (or its number in the config, from 1)."),
) -> None:
    """Send one test message to WEBHOOK (not through the outbox). Exit status 1 when it fails."""
    from tracker.alerts.config import find_webhook
    from tracker.alerts.deliver import send_test

    cli = context(ctx)
    hook = find_webhook(cli.settings, webhook)
    delivered, error = send_test(cli.settings, hook)
    if delivered:
        echo_text(f"已发送测试消息：{hook.shown}")
        return
    echo_text(f"测试消息未送达 {hook.shown}：{error}", err=True)
    raise typer.Exit(1)

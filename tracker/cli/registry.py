"""`tracker registry …` and `tracker file …`: the registry (备案) on the command line."""

from __future__ import annotations

import csv
import io
import sys
from dataclasses import asdict
from datetime import date
from enum import Enum
from pathlib import Path

import typer

from tracker.cli.common import context, handles_errors, print_json
from tracker.cli.options import FORMAT, TableOrJson
from tracker.cli.output import echo_table, echo_text
from tracker.domain.errors import TrackerError
from tracker.domain.models import AccountRecord
from tracker.domain.text_out import csv_cell, json_text, printable
from tracker.domain.times import now_utc, parse_at, parse_date, to_local_iso
from tracker.registry import service as registry
from tracker.registry.columns import COLUMNS, PLATFORM_CODES, STATUS_CODES, platform_of, status_of
from tracker.reports.files import write_output

registry_app = typer.Typer(help="The registry of accounts (备案库): import, export, list, history.", no_args_is_help=True)
file_app = typer.Typer(help="File one event (备案): open, rename, transfer, suspend, close.", no_args_is_help=True)


class ExportFormat(str, Enum):
    csv = "csv"
    json = "json"


def register(app: typer.Typer) -> None:
    app.add_typer(registry_app, name="registry")
    app.add_typer(file_app, name="file")


def _record_dict(record: AccountRecord) -> dict:
    values = asdict(record)
    values["opened_on"] = record.opened_on.isoformat()
    values["account"] = record.key
    return values


@registry_app.command("import")
@handles_errors
def import_command(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="CSV (UTF-8 or GB18030) or XLSX, English or Chinese headers."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Validate only; write nothing."),
    update: bool = typer.Option(False, "--update", help="File changed rows as rename/transfer/suspend/close/update events."),
    by: str = typer.Option(None, "--by", help="Who files (default: the OS user)."),
) -> None:
    """Import a registry file, all or nothing: every problem is reported with row and column."""
    cli = context(ctx)
    result = registry.import_registry(cli.database(), file, dry_run=dry_run, update=update, by=by,
                                      deny_networks=cli.settings.section("poll")["deny_networks"])
    zh = cli.lang == "zh"
    prefix = ("校验通过(未写入)" if zh else "valid (dry run, nothing written)") if dry_run else ("已导入" if zh else "imported")
    if zh:
        typer.echo(f"{prefix} {file}: {result.rows} 行,新增 {result.created},变更 {result.updated},未变 {result.unchanged},备案事件 {result.events} 条")
    else:
        typer.echo(f"{prefix} {file}: {result.rows} rows, {result.created} new, {result.updated} changed, "
                   f"{result.unchanged} unchanged, {result.events} filing events")
    for change in result.changes:
        echo_text(f"  {change}")


@registry_app.command("export")
@handles_errors
def export_command(
    ctx: typer.Context,
    format: ExportFormat = typer.Option(ExportFormat.csv, "--format", help="csv or json."),
    at: str = typer.Option(None, "--at", help="The registry as of this time (ISO 8601; default now)."),
    output: Path = typer.Option(None, "--output", "-o", help="Write to this file instead of stdout."),
) -> None:
    """The registry as of time T, derived from the filing events. CSV cells that a spreadsheet
    would run as a formula (= + - @ tab CR first) get a ' in front; import takes it away."""
    cli = context(ctx)
    moment = parse_at(at) if at else now_utc()
    with cli.database().session() as session:
        records = registry.registry_as_of(session, moment)
    if format == ExportFormat.json:
        text = json_text({"at": to_local_iso(moment), "accounts": [_record_dict(r) for r in records]}) + "\n"
    else:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")  # RFC 4180; with "\n" a lone CR in a value went unquoted and split the row
        writer.writerow(COLUMNS)
        for record in records:
            values = _record_dict(record)
            writer.writerow([csv_cell(values[c]) for c in COLUMNS])
        text = buffer.getvalue()
    if output:
        write_output(output, text)
    elif sys.stdout.isatty():  # read, not kept: no control character reaches the terminal
        typer.echo(printable(text, newlines=True), nl=False)
    else:
        typer.echo(text, nl=False)


@registry_app.command("list")
@handles_errors
def list_command(
    ctx: typer.Context,
    region: str = typer.Option(None, "--region", help="A region path; its whole subtree is listed."),
    platform: str = typer.Option(None, "--platform", help="A platform code or its Chinese name (微博, B站, …)."),
    status: str = typer.Option(None, "--status", help="active, suspended or deregistered (正常, 停更, 已注销)."),
    at: str = typer.Option(None, "--at", help="As of this time (default now)."),
    format: TableOrJson = FORMAT,
) -> None:
    """Accounts of the registry, filtered."""
    cli = context(ctx)
    with cli.database().session() as session:
        records = registry.list_accounts(
            session, at=parse_at(at) if at else None, region=region,
            platform=_choice(platform, platform_of, PLATFORM_CODES, "--platform"),
            status=_choice(status, status_of, STATUS_CODES, "--status"),
        )
    if format == TableOrJson.json:
        print_json([_record_dict(r) for r in records])
        return
    zh = cli.lang == "zh"
    headers = ["账号", "账号名称", "地区", "主办单位", "状态", "开设日期"] if zh else ["account", "name", "region", "organisation", "status", "opened"]
    echo_table(headers, [(r.key, r.account_name, r.region, r.org_name, r.status, r.opened_on) for r in records])
    typer.echo(f"{len(records)} {'个账号' if zh else 'accounts'}")


@registry_app.command("history")
@handles_errors
def history_command(
    ctx: typer.Context,
    account: str = typer.Argument(..., help="platform:account_id"),
    format: TableOrJson = FORMAT,
) -> None:
    """Every filing event of one account, oldest first."""
    cli = context(ctx)
    with cli.database().session() as session:
        events = registry.history(session, account)
    rows = [
        {"id": e.id, "kind": e.kind, "effective_on": e.effective_on.isoformat(), "recorded_at": to_local_iso(e.recorded_at),
         "by": e.by, "approver": e.approver, "doc_no": e.doc_no, "payload": e.payload}
        for e in events
    ]
    if format == TableOrJson.json:
        print_json({"account": account, "events": rows})
        return
    from tracker.rules.sentences import FILING_KINDS, filing_text, label

    zh = cli.lang == "zh"
    headers = (["#", "类型", "生效日期", "登记时间", "经办人", "审批人", "文号", "内容"] if zh
               else ["#", "kind", "effective", "recorded", "by", "approver", "doc", "details"])
    echo_table(headers, [(r["id"], label(FILING_KINDS, r["kind"], zh) if zh else r["kind"], r["effective_on"], r["recorded_at"],
                          r["by"], r["approver"] or "", r["doc_no"] or "", filing_text(r["payload"], cli.lang)) for r in rows])


def _date_option(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return parse_date(value)
    except ValueError as exc:
        raise TrackerError(f"{option}: {exc}") from exc


def _choice(value: str | None, read, codes: frozenset[str], option: str) -> str | None:
    """A code, or the Chinese name the registry file accepts for it."""
    if value is None:
        return None
    code = read(value) if value.strip() else None
    if code is None:
        raise TrackerError(f"{option}: unknown value {value!r} (one of {', '.join(sorted(codes))} or their Chinese names)")
    return code


def _file(ctx: typer.Context, kind: str, account: str, effective: str | None, approver: str | None, doc: str | None, by: str | None, **fields) -> None:
    cli = context(ctx)
    event = registry.file_event(
        cli.database(), kind, account, effective_on=_date_option(effective, "--effective"),
        by=by, approver=approver, doc_no=doc, deny_networks=cli.settings.section("poll")["deny_networks"], **fields,
    )
    echo_text(f"{'已备案' if cli.lang == 'zh' else 'filed'} {event.kind} {event.account} #{event.id} effective {event.effective_on}")


EFFECTIVE = typer.Option(None, "--effective", help="Date the change takes effect (default: today; for open, the opening date).")
APPROVER = typer.Option(None, "--approver", help="Who approved it.")
DOC = typer.Option(None, "--doc", help="Document number (文号).")
BY = typer.Option(None, "--by", help="Who files (default: the OS user).")


@file_app.command("open")
@handles_errors
def open_command(
    ctx: typer.Context,
    account: str = typer.Argument(..., help="platform:account_id"),
    region: str = typer.Option(..., "--region", help="Slash path from the top, e.g. 福建省/福州市/鼓楼区."),
    org_name: str = typer.Option(..., "--org-name", help="主办单位."),
    org_code: str = typer.Option(..., "--org-code", help="统一社会信用代码 (18 characters)."),
    name: str = typer.Option(..., "--name", "--account-name", help="账号名称."),
    opened_on: str = typer.Option(None, "--opened-on", help="开设日期 (default: --effective, else today)."),
    feed_url: str = typer.Option(None, "--feed-url"),
    profile_url: str = typer.Option(None, "--profile-url"),
    filing_no: str = typer.Option(None, "--filing-no"),
    effective: str = EFFECTIVE, approver: str = APPROVER, doc: str = DOC, by: str = BY,
) -> None:
    """File the opening of an account (same fields as a registry row)."""
    opened = _date_option(opened_on, "--opened-on") or _date_option(effective, "--effective")
    _file(ctx, "open", account, effective, approver, doc, by, region=region, org_name=org_name,
          org_code=org_code.strip().upper(), account_name=name, opened_on=opened, feed_url=feed_url,
          profile_url=profile_url, filing_no=filing_no)


@file_app.command("rename")
@handles_errors
def rename_command(
    ctx: typer.Context,
    account: str = typer.Argument(..., help="platform:account_id"),
    name: str = typer.Option(..., "--name", help="The new account name."),
    effective: str = EFFECTIVE, approver: str = APPROVER, doc: str = DOC, by: str = BY,
) -> None:
    """File a renaming."""
    _file(ctx, "rename", account, effective, approver, doc, by, account_name=name)


@file_app.command("transfer")
@handles_errors
def transfer_command(
    ctx: typer.Context,
    account: str = typer.Argument(..., help="platform:account_id"),
    org_code: str = typer.Option(..., "--org-code"),
    org_name: str = typer.Option(..., "--org-name"),
    region: str = typer.Option(None, "--region"),
    effective: str = EFFECTIVE, approver: str = APPROVER, doc: str = DOC, by: str = BY,
) -> None:
    """File a transfer to another 主办单位 (and region)."""
    _file(ctx, "transfer", account, effective, approver, doc, by, org_code=org_code.strip().upper(), org_name=org_name, region=region)


@file_app.command("suspend")
@handles_errors
def suspend_command(
    ctx: typer.Context,
    account: str = typer.Argument(..., help="platform:account_id"),
    effective: str = EFFECTIVE, approver: str = APPROVER, doc: str = DOC, by: str = BY,
) -> None:
    """File a suspension (停更, pending closure)."""
    _file(ctx, "suspend", account, effective, approver, doc, by)


@file_app.command("close")
@handles_errors
def close_command(
    ctx: typer.Context,
    account: str = typer.Argument(..., help="platform:account_id"),
    notice_from: str = typer.Option(..., "--notice-from", help="Date the public closure notice started."),
    effective: str = EFFECTIVE, approver: str = APPROVER, doc: str = DOC, by: str = BY,
) -> None:
    """File a closure (注销)."""
    _file(ctx, "close", account, effective, approver, doc, by, notice_from=_date_option(notice_from, "--notice-from"))


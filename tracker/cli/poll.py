"""`tracker poll` (fetch feeds and profiles, store new posts) and `tracker ingest` (archived posts)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import typer

from tracker.cli.common import context, handles_errors, print_json
from tracker.cli.options import FORMAT, TableOrJson
from tracker.cli.output import render_table

if TYPE_CHECKING:  # the poller (httpx, parsers) loads in the command itself
    from tracker.polling.poller import PollReport
    from tracker.polling.store import PollResult

HEADERS = {"zh": ("账号", "结果", "HTTP", "新帖", "用时(秒)", "说明"),
           "en": ("account", "outcome", "HTTP", "new posts", "seconds", "detail")}


def register(app: typer.Typer) -> None:
    app.command("poll")(poll_command)
    app.command("ingest")(ingest_command)
    app.command("probe")(probe_command)


PROBE_HEADERS = {"zh": ("网站", "结果", "HTTP", "用时(秒)", "说明"), "en": ("website", "outcome", "HTTP", "seconds", "detail")}


@handles_errors
def probe_command(
    ctx: typer.Context,
    accounts: list[str] = typer.Argument(None, help="Websites (website:网站标识码) to probe. Default: every website."),
    concurrency: int = typer.Option(None, "--concurrency", help="Probes at once (default: [poll] concurrency)."),
    format: TableOrJson = FORMAT,
) -> None:
    """One availability probe of each 政府网站's homepage: one GET within [websites] probe_timeout_seconds (docs/contract.md §10)."""
    from tracker.polling.probes import probe

    cli = context(ctx)
    report = probe(cli.database(), cli.settings, accounts or None, concurrency=concurrency)
    results = sorted(report.results, key=lambda r: r["account"])
    if format == TableOrJson.json:
        print_json({"websites": [{k: r[k] for k in ("account", "outcome", "http_status", "seconds", "detail")}
                                 for r in results], "summary": report.summary()})
        return
    rows = [(r["account"], r["outcome"], r["http_status"] or "", f"{r['seconds']:.2f}", (r["detail"] or "")[:80])
            for r in results]
    counts = ", ".join(f"{name} {count}" for name, count in report.counts().items())
    tail = (f"共 {len(results)} 个网站，用时 {report.seconds:.1f} 秒（{counts}）" if cli.lang == "zh"
            else f"{len(results)} websites in {report.seconds:.1f} s ({counts})")
    typer.echo((render_table(PROBE_HEADERS[cli.lang], rows) + "\n" if rows else "") + tail)


def result_dict(result: PollResult) -> dict[str, Any]:
    return {"account": result.account, "outcome": str(result.outcome), "http_status": result.http_status,
            "new_posts": result.new_posts, "seconds": round(result.seconds, 3), "detail": result.detail}


def as_json(report: PollReport) -> dict[str, Any]:
    results = sorted(report.results, key=lambda r: r.account)
    return {"accounts": [result_dict(r) for r in results], "summary": report.summary()}


def render(report: PollReport, lang: str) -> str:
    rows = [(r.account, str(r.outcome), r.http_status or "", r.new_posts, f"{r.seconds:.2f}", (r.detail or "")[:80])
            for r in sorted(report.results, key=lambda r: r.account)]
    counts = ", ".join(f"{name} {count}" for name, count in report.counts().items())
    if lang == "zh":
        tail = f"共 {len(report.results)} 个账号，新帖 {report.new_posts}，用时 {report.seconds:.1f} 秒（{counts}）"
        skipped = f"；未抓取 {len(report.skipped)} 个（退避中或无订阅地址）" if report.skipped else ""
    else:
        tail = f"{len(report.results)} accounts, {report.new_posts} new posts in {report.seconds:.1f} s ({counts})"
        skipped = f"; {len(report.skipped)} not fetched (backing off or no feed URL)" if report.skipped else ""
    return (render_table(HEADERS[lang], rows) + "\n" if rows else "") + tail + skipped


class _Bar:
    """A progress bar on stderr, only when stderr is a terminal."""

    def __init__(self) -> None:
        self.bar: Any = None

    def __call__(self, done: int, total: int, _result: PollResult) -> None:
        if self.bar is None:
            self.bar = typer.progressbar(length=total, label="poll", file=sys.stderr, show_pos=True)
            self.bar.__enter__()
        self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


@handles_errors
def poll_command(
    ctx: typer.Context,
    accounts: list[str] = typer.Argument(None, help="Accounts (platform:account_id) to poll now, even if backing off. Default: every due account."),
    concurrency: int = typer.Option(None, "--concurrency", help="Fetches at once (default: [poll] concurrency)."),
    format: TableOrJson = FORMAT,
    worker: bool = typer.Option(False, "--worker", help="Join the current scheduled poll run with other workers (leases; see tracker schedule)."),
) -> None:
    """Fetch feeds and profiles, store new posts and every outcome (docs/contract.md §5.3)."""
    cli = context(ctx)
    db = cli.database()
    if worker:
        from tracker.polling.workers import work

        result = work(db, cli.settings)
        print_json(result.as_counts()) if format == TableOrJson.json else typer.echo(
            f"worker {result.owner}: {result.accounts} accounts in {result.batches} batches")
        return
    bar = _Bar() if format == TableOrJson.table and sys.stderr.isatty() else None
    try:
        from tracker.polling.poller import poll

        report = poll(db, cli.settings, accounts or None, concurrency=concurrency, progress=bar)
    finally:
        if bar is not None:
            bar.close()
    if format == TableOrJson.json:
        print_json(as_json(report))
    else:
        typer.echo(render(report, cli.lang))


@handles_errors
def ingest_command(
    ctx: typer.Context,
    file: str = typer.Argument(..., help="JSON Lines file, one post per line (docs/contract.md §5.4)."),
    skip_bad: bool = typer.Option(False, "--skip-bad", help="Load the good lines and report the bad ones (default: a bad line loads nothing)."),
    format: TableOrJson = FORMAT,
) -> None:
    """Bulk-load archived posts; idempotent: loading a file twice stores each post once."""
    from tracker.polling.ingest import ingest_file

    cli = context(ctx)
    report = ingest_file(cli.database(), cli.settings, file, skip_bad=skip_bad)
    for problem in report.problems:
        typer.echo(f"{file}: {problem} (skipped)", err=True)
    if format == TableOrJson.json:
        print_json(report.as_dict())
    elif cli.lang == "zh":
        typer.echo(f"{file}：{report.lines} 行，新增 {report.loaded} 条，已有 {report.duplicates} 条，跳过错误行 {report.bad} 行")
    else:
        typer.echo(f"{file}: {report.lines} lines, {report.loaded} new posts, {report.duplicates} already stored, "
                   f"{report.bad} bad lines skipped")

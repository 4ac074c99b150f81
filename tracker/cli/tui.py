"""`tracker tui` and `tracker demo`: open the terminal UI (the only commands that import textual,
and only when they run)."""

from __future__ import annotations

import typer

from tracker.cli.common import context, handles_errors


def register(app: typer.Typer) -> None:
    app.command("tui")(tui_command)
    app.command("demo")(demo_command)


@handles_errors
def tui_command(ctx: typer.Context) -> None:
    """The terminal UI: dashboard, accounts, findings, inspections and reports, filing forms."""
    cli = context(ctx)
    from tui.app import TrackerApp

    TrackerApp(cli.database(), cli.settings, lang=cli.lang).run()


@handles_errors
def demo_command(
    ctx: typer.Context,
    accounts: int = typer.Option(320, "--accounts", min=1, max=20000, help="How many synthetic accounts (1 to 20000; every rule's planted case needs 60)."),
    no_tui: bool = typer.Option(False, "--no-tui", help="Print the report summary instead of opening the UI."),
) -> None:
    """A synthetic province on a local feed server: import, poll, check, then the UI."""
    cli = context(ctx)
    from tracker.demo.flow import run_demo

    demo = run_demo(accounts=accounts, settings=cli.settings, lang=cli.lang, summary=no_tui)
    if no_tui:
        return
    from tui.app import TrackerApp

    try:
        TrackerApp(demo.db, cli.settings, lang=cli.lang).run()
    finally:
        demo.server.stop()  # the UI's "poll now" fetches from it while the app runs
    again = f"tracker --db sqlite:///{demo.directory / 'demo.db'} tui"
    typer.echo(f"演示数据库保留在临时目录，可再次打开：{again}" if cli.lang == "zh" else f"The demo database stays in the temp directory: {again}")

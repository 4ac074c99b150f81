"""`tracker`: the command line, a thin layer over the tracker package."""

from __future__ import annotations

import os

import typer

from tracker.cli import account as account_cli
from tracker.cli import alerts as alerts_cli
from tracker.cli import check as check_cli
from tracker.cli import due as due_cli
from tracker.cli import poll as poll_cli
from tracker.cli import registry as registry_cli
from tracker.cli import report as report_cli
from tracker.cli import schedule as schedule_cli
from tracker.cli import serve as serve_cli
from tracker.cli import tui as tui_cli
from tracker.cli.common import CliContext

app = typer.Typer(
    name="tracker",
    help="govmedia tracker — 政务新媒体 registry, monitoring and inspection.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Help is plain text: in Rich markup mode "[schedule]" or "[poll] concurrency" would be
    # swallowed as style tags, and the help names config sections that way.
    rich_markup_mode=None,
)


@app.callback()
def main(
    ctx: typer.Context,
    db: str = typer.Option(None, "--db", envvar="TRACKER_DB", help="Database URL (default: SQLite file in the user data dir)."),
    config: str = typer.Option(None, "--config", envvar="TRACKER_CONFIG", help="Config file overriding config/default.toml key by key."),
    lang: str = typer.Option("zh", "--lang", envvar="TRACKER_LANG", help="Language of labels: zh or en."),
) -> None:
    if lang not in ("zh", "en"):
        typer.echo(f"error: --lang must be zh or en, got {lang!r}", err=True)
        raise typer.Exit(2)
    ctx.obj = CliContext(db_url=db, config_file=config, lang=lang)
    ctx.call_on_close(ctx.obj.close)


# Each command module adds its commands or sub-apps to `app`.
registry_cli.register(app)
check_cli.register(app)
due_cli.register(app)
account_cli.register(app)
alerts_cli.register(app)
report_cli.register(app)
tui_cli.register(app)
schedule_cli.register(app)
poll_cli.register(app)
serve_cli.register(app)


def run() -> None:
    os.environ.setdefault("PYTHONIOENCODING", "utf-8")
    app()


if __name__ == "__main__":  # `python -m tracker.cli.main`: how `tracker serve` starts each session
    run()

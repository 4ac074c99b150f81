"""`tracker serve`: the terminal UI in a browser, for those who do not open a terminal.

textual-serve starts one `tracker tui` process per browser session, with the same database,
config and language as this command; the page draws its screen with xterm.js.
"""

from __future__ import annotations

import ipaddress
import shlex
import sys

import typer

from tracker.cli.common import context, handles_errors
from tracker.domain.errors import TrackerError


def register(app: typer.Typer) -> None:
    app.command("serve")(serve_command)


def tui_command_line(db_url: str, config_file: str | None, lang: str) -> str:
    """The command each browser session runs: this interpreter, this database and settings."""
    words = [sys.executable, "-m", "tracker.cli.main", "--db", db_url, "--lang", lang]
    if config_file:
        words += ["--config", config_file]
    return shlex.join([*words, "tui"])


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


@handles_errors
def serve_command(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (another than loopback lets the network in)."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port to listen on."),
) -> None:
    """The terminal UI in a browser (textual-serve): one UI process per browser session."""
    cli = context(ctx)
    database = cli.database()  # created or migrated once here, not by every session at once
    # Deferred for start-up time: textual-serve brings aiohttp, which no other command needs.
    from textual_serve.server import Server

    if not _loopback(host):
        typer.echo(f"注意：{host}:{port} 对网络开放，界面没有登录；请只在受信任的网络中使用。" if cli.lang == "zh" else
                   f"Note: {host}:{port} is open to the network and the UI has no login; use it on a trusted network only.",
                   err=True)
    title = "政务新媒体监管" if cli.lang == "zh" else "govmedia tracker"
    try:
        Server(tui_command_line(database.url, cli.config_file, cli.lang), host=host, port=port, title=title).serve()
    except OSError as exc:
        raise TrackerError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc

"""docs/cli.md, generated from the commands' own help: `python -m tracker.cli.docs > docs/cli.md`
(or `make docs`). A test regenerates it and fails when the file is out of date.

The help as a user sees it at 100 columns, without colour, so that a diff of the file shows
what changed in the interface.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from typing import Any

from typer.main import get_command
from typer.testing import CliRunner

WIDTH = 100
ENV = {"COLUMNS": str(WIDTH), "TERMINAL_WIDTH": str(WIDTH), "NO_COLOR": "1", "TERM": "dumb"}
HEADER = """# The `tracker` command line

Generated from each command's `--help` by `python -m tracker.cli.docs` (`make docs`); a test
fails when this file and the commands disagree. The global options (`--db`, `--config`,
`--lang`) go before the command: `tracker --db sqlite:///tracker.db check --at 2026-09-30`.
"""


def commands(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every command and group of the tree, depth first, subcommands in name order."""
    yield path, command
    for name in sorted(getattr(command, "commands", {}) or {}):
        yield from commands(command.commands[name], (*path, name))


def help_text(app: Any, path: tuple[str, ...]) -> str:
    """What `tracker PATH --help` prints at 100 columns without colour, trailing spaces removed."""
    saved = {key: os.environ.get(key) for key in ENV}
    os.environ.update(ENV)
    try:
        result = CliRunner().invoke(app, [*path, "--help"], terminal_width=WIDTH, color=False)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return "\n".join(line.rstrip() for line in result.output.strip("\n").splitlines()).strip("\n") + "\n"


def render() -> str:
    from tracker.cli.main import app

    parts = [HEADER]
    for path, _command in commands(get_command(app)):
        title = "tracker " + " ".join(path) if path else "tracker"
        parts.append(f"\n## `{title}`\n\n```text\n{help_text(app, path)}```\n")
    return "".join(parts)


if __name__ == "__main__":
    sys.stdout.write(render())

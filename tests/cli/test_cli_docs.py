"""Every command and every option of `tracker` is documented in the README, and every
command's --help works (a thin CLI over the API, with its manual kept in step)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from tracker.cli.main import app

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def _commands(command, prefix=()):
    if hasattr(command, "commands"):
        for name, sub in command.commands.items():
            yield from _commands(sub, (*prefix, name))
    else:
        yield prefix, command


COMMANDS = list(_commands(get_command(app)))


@pytest.mark.parametrize("path", [" ".join(p) for p, _ in COMMANDS])
def test_command_is_in_readme_and_help_works(path: str) -> None:
    assert f"tracker {path}" in README, f"README does not show `tracker {path}`"
    result = CliRunner().invoke(app, [*path.split(), "--help"])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("path", [" ".join(p) for p, _ in COMMANDS])
def test_every_option_is_in_readme(path: str) -> None:
    command = dict((" ".join(p), c) for p, c in COMMANDS)[path]
    options = {name for param in command.params for name in getattr(param, "opts", []) if name.startswith("--")}
    missing = sorted(name for name in options - {"--help"} if name not in README)
    assert not missing, f"`tracker {path}` options missing from README: {missing}"


def test_global_options_documented() -> None:
    for option in ("--db", "--config", "--lang", "TRACKER_DB", "TRACKER_CONFIG", "TRACKER_LANG"):
        assert option in README

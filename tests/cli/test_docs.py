"""docs/cli.md is the commands' own help, regenerated: a change of a command or an option that
is not in the file fails here (run `make docs`)."""

from __future__ import annotations

from pathlib import Path

from tracker.cli.docs import render

ROOT = Path(__file__).resolve().parents[2]


def test_cli_md_is_the_help_of_every_command() -> None:
    written = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert written == render(), "docs/cli.md is out of date: run `make docs`"


def test_cli_md_shows_every_command() -> None:
    text = render()
    for command in ("tracker check", "tracker registry import", "tracker file open", "tracker inspect plan",
                    "tracker report", "tracker serve"):
        assert f"## `{command}`" in text
    assert "Usage: tracker registry import" in text and "--skip-bad" in text

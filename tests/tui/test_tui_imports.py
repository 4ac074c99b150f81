"""The import direction tui → tracker → connectors: the headless core never imports Textual or
the UI, so the CLI, the scheduler and `import tracker` stay light and usable without a terminal."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The one module allowed to reach the UI: the CLI commands that open it, inside their functions.
UI_LAUNCHER = ROOT / "tracker" / "cli" / "tui.py"


def imported_modules(path: Path) -> list[tuple[str, bool]]:
    """(module, at top level?) for every import statement of a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top = {id(node) for node in tree.body}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, id(node) in top) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, id(node) in top))
    return found


def offending(package: str, forbidden: tuple[str, ...]) -> list[str]:
    problems = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for module, top_level in imported_modules(path):
            if module.split(".")[0] not in forbidden:
                continue
            if path == UI_LAUNCHER and not top_level:
                continue
            problems.append(f"{path.relative_to(ROOT)} imports {module}")
    return problems


def test_tracker_never_imports_textual_or_the_ui() -> None:
    assert offending("tracker", ("textual", "tui")) == []


def test_connectors_import_neither_the_ui_nor_the_cli() -> None:
    problems = offending("connectors", ("textual", "tui", "typer"))
    assert problems == []


def test_the_ui_modules_do_import_tracker_not_the_reverse() -> None:
    tui_imports = {module for path in (ROOT / "tui").rglob("*.py") for module, _ in imported_modules(path)}
    assert any(module.startswith("tracker") for module in tui_imports)
    assert any(module.startswith("textual") for module in tui_imports)


def test_loading_the_cli_and_the_core_leaves_textual_unloaded() -> None:
    code = (
        "import sys, tracker, tracker.cli.main, tracker.read.dashboard, tracker.read.accounts, tracker.demo.flow, "
        "tracker.registry.service, tracker.rules.engine, tracker.polling.poller, tracker.reports.builder\n"
        "loaded = sorted(m for m in sys.modules if m == 'textual' or m.startswith(('textual.', 'tui')))\n"
        "print(loaded)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"

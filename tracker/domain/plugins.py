"""Plugins as tracker sees them: `connectors.plugins` loads the entry points; a failure is a
`PluginError`, a TrackerError the CLI and the TUI report in one line."""

from __future__ import annotations

from typing import Any

from connectors.plugins import PARSERS, REPORTS, RULES, PluginLoadError
from connectors.plugins import load as load_entry_points
from tracker.domain.errors import TrackerError

__all__ = ["PARSERS", "REPORTS", "RULES", "PluginError", "load"]


class PluginError(TrackerError, PluginLoadError):
    """A plugin that cannot be loaded (its name, entry point and error in the message)."""


def load(group: str) -> list[tuple[str, Any]]:
    return load_entry_points(group, PluginError)

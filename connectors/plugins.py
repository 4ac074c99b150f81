"""Entry points, the one extension mechanism of the project (docs/plugins.md): feed parsers in
group `govmedia.parsers`, and (read by tracker) rules in `govmedia.rules` and report formats in
`govmedia.reports`. The built-ins are registered in pyproject.toml like any plugin."""

from __future__ import annotations

from importlib.metadata import EntryPoint, entry_points
from typing import Any

RULES = "govmedia.rules"
PARSERS = "govmedia.parsers"
REPORTS = "govmedia.reports"
OWN_PREFIXES = ("tracker.", "connectors.")


class PluginLoadError(Exception):
    """A plugin that cannot be loaded, or an installation without the built-in entry points."""


def ordered(group: str) -> list[EntryPoint]:
    """The group's entry points: the built-ins first, then by name (the first of each name)."""
    found: dict[str, EntryPoint] = {}
    for point in entry_points(group=group):
        found.setdefault(point.name, point)
    points = sorted(found.values(), key=lambda p: (not p.value.startswith(OWN_PREFIXES), p.name))
    if not any(point.value.startswith(OWN_PREFIXES) for point in points):
        raise PluginLoadError(f"no built-in entry points in group {group!r}: govmedia-tracker is not installed "
                              "(run `make install` or `pip install -e .`)")
    return points


def load(group: str, error: type[Exception] = PluginLoadError) -> list[tuple[str, Any]]:
    """(name, loaded object) of every entry point of `group`; a broken plugin raises `error`
    naming it."""
    loaded = []
    for point in ordered(group):
        try:
            loaded.append((point.name, point.load()))
        except Exception as exc:  # whatever a plugin's import raises, the message names the plugin
            raise error(f"plugin {point.name!r} ({point.value}) of {group} cannot be loaded: "
                        f"{type(exc).__name__}: {exc}") from exc
    return loaded

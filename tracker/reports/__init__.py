"""Quarterly 通报 reports: `builder.build_report` computes the contract's dict, and each format
renders it. Formats are entry points of group `govmedia.reports` (the built-ins below, registered
in pyproject.toml like a plugin's: docs/plugins.md), each a `ReportFormat`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module

from tracker.domain.errors import TrackerError
from tracker.domain.plugins import REPORTS, PluginError, load


@dataclass(frozen=True)
class ReportFormat:
    name: str
    module: str       # a module with `render(report: dict) -> bytes | str`, imported when used
    binary: bool      # binary formats need `-o FILE`
    suffix: str

    @property
    def render(self) -> Callable[[dict], bytes | str]:
        return import_module(self.module).render


MARKDOWN = ReportFormat("md", "tracker.reports.markdown", binary=False, suffix=".md")
JSON = ReportFormat("json", "tracker.reports.jsonfmt", binary=False, suffix=".json")
XLSX = ReportFormat("xlsx", "tracker.reports.xlsx", binary=True, suffix=".xlsx")
DOCX = ReportFormat("docx", "tracker.reports.docx", binary=True, suffix=".docx")

_FORMATS: dict[str, ReportFormat] = {}


def formats() -> dict[str, ReportFormat]:
    """Every installed format by name, the built-ins first."""
    if not _FORMATS:
        for name, found in load(REPORTS):
            if not isinstance(found, ReportFormat):
                raise PluginError(f"report format plugin {name!r} is not a tracker.reports.ReportFormat")
            _FORMATS.setdefault(found.name, found)
    return _FORMATS


def report_format(name: str) -> ReportFormat:
    known = formats()
    if name not in known:
        raise TrackerError(f"--format must be one of {', '.join(known)}, got {name!r}")
    return known[name]

"""Quarterly 通报 reports: `builder.build_report` computes the contract's dict, and each format
module renders it. Formats are found through one registry, so adding one is adding a module."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module


@dataclass(frozen=True)
class ReportFormat:
    name: str
    module: str       # tracker.reports.<module> has `render(report: dict) -> bytes | str`
    binary: bool      # binary formats need `-o FILE`
    suffix: str

    @property
    def render(self) -> Callable[[dict], bytes | str]:
        return import_module(f"tracker.reports.{self.module}").render


FORMATS: dict[str, ReportFormat] = {}


def register(fmt: ReportFormat) -> None:
    FORMATS[fmt.name] = fmt


for _fmt in (
    ReportFormat("md", "markdown", binary=False, suffix=".md"),
    ReportFormat("json", "jsonfmt", binary=False, suffix=".json"),
    ReportFormat("xlsx", "xlsx", binary=True, suffix=".xlsx"),
    ReportFormat("docx", "docx", binary=True, suffix=".docx"),
):
    register(_fmt)


def report_format(name: str) -> ReportFormat:
    from tracker.domain.errors import TrackerError

    if name not in FORMATS:
        raise TrackerError(f"--format must be one of {', '.join(FORMATS)}, got {name!r}")
    return FORMATS[name]

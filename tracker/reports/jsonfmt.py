"""The report as JSON, exactly the contract's keys plus the extra breakdowns."""

from __future__ import annotations

from tracker.domain.text_out import json_text


def render(report: dict) -> str:
    return json_text(report) + "\n"  # every character kept; none can act on a terminal

"""The report as JSON, exactly the contract's keys plus the extra breakdowns."""

from __future__ import annotations

import json


def render(report: dict) -> str:
    return json.dumps(report, ensure_ascii=False, indent=2) + "\n"

"""Follower counts as platforms write them: 1234, "1,234", "1193.2万", "1.2亿", "10万+"."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

_COUNT = re.compile(r"^([0-9][0-9,]*(?:\.[0-9]+)?)\s*(万|亿|[wWkK])?\+?$")
_SCALE = {None: 1, "万": 10_000, "w": 10_000, "W": 10_000, "亿": 100_000_000, "k": 1_000, "K": 1_000}


def parse_count(value: object) -> int | None:
    """An integer count, or None when the value is missing or unreadable."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float):
        return int(value) if value >= 0 else None
    if not isinstance(value, str):
        return None
    match = _COUNT.match(value.strip())
    if not match:
        return None
    try:
        number = Decimal(match.group(1).replace(",", ""))
    except InvalidOperation:
        return None
    return int(number * _SCALE[match.group(2)])

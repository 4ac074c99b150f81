"""Follower counts as platforms write them: 1234, "1,234", "1193.2万", "1.2亿", "10万+"."""

from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation

_COUNT = re.compile(r"^([0-9][0-9,]*(?:\.[0-9]+)?)\s*(万|亿|[wWkK])?\+?$")
_SCALE = {None: 1, "万": 10_000, "w": 10_000, "W": 10_000, "亿": 100_000_000, "k": 1_000, "K": 1_000}


# The largest count a BIGINT column holds; a count beyond it is no real count (a broken or hostile
# answer) and is read as "unknown" rather than breaking the store of everyone polled with it.
MAX_COUNT = 2**63 - 1


def parse_count(value: object) -> int | None:
    """An integer count, or None when the value is missing, unreadable or beyond any integer."""
    count = _count(value)
    return count if count is not None and 0 <= count <= MAX_COUNT else None


def _count(value: object) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if math.isfinite(value) else None
    if not isinstance(value, str):
        return None
    match = _COUNT.match(value.strip())
    if not match:
        return None
    digits = match.group(1).replace(",", "")
    if len(digits) > 40:
        return None
    try:
        number = Decimal(digits)
    except InvalidOperation:
        return None
    return int(number * _SCALE[match.group(2)])

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
    return read_count(value)[0]


def read_count(value: object) -> tuple[int | None, str | None]:
    """(count, problem): the count as `parse_count` reads it, and a one-line reason when a value
    was given but dropped (negative or beyond any integer) — the poll records it as
    the account's outcome instead of storing a made-up number."""
    try:
        count = _count(value)
    except (OverflowError, ValueError):  # Decimal·scale beyond int, or a float like 1e400
        count = None
    if count is not None and 0 <= count <= MAX_COUNT:
        return count, None
    numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
    if not numeric and not (isinstance(value, str) and _COUNT.match(value.strip())):
        return None, None  # no count at all ("未知", a missing field): unknown, as always
    shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:37] + "..."
    return None, f"follower count {shown} out of range; dropped"


def _count(value: object) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise OverflowError(value)
        return int(value)
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

"""Publication times as feeds write them → aware UTC. A time without a zone is Asia/Shanghai.

Both XML paths hand the raw date string to `parse_feed_time`, so they agree to the microsecond
(feedparser's own `*_parsed` fields assume UTC for zone-less times and drop sub-seconds).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from dateutil import parser as dateutil_parser

from connectors.base import SHANGHAI

_CJK_DATE = re.compile(
    r"^(\d{4})\s*[年/.-]\s*(\d{1,2})\s*[月/.-]\s*(\d{1,2})\s*日?"
    r"(?:\s*[T ]?\s*(\d{1,2})[:时](\d{1,2})(?:[:分](\d{1,2})秒?)?)?\s*$"
)
_EPOCH = re.compile(r"^\d{10}(?:\d{3})?$")
_RFC822_HINT = re.compile(r"^(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{2,4}\s")


def localize(moment: datetime) -> datetime:
    """Aware UTC; a naive value is Asia/Shanghai wall time."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=SHANGHAI)
    return moment.astimezone(UTC)


def from_epoch(seconds: float | int | str) -> datetime | None:
    try:
        value = float(seconds)
    except (TypeError, ValueError):
        return None
    if value > 1e11:  # milliseconds
        value /= 1000
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def parse_feed_time(raw: str | None) -> datetime | None:
    """RFC 822, ISO 8601/RFC 3339, `2026年7月1日 08:00`, `2026/07/01 08:00`, epoch → UTC."""
    if raw is None:
        return None
    text = raw.strip()
    if not text:
        return None
    if _EPOCH.match(text):
        return from_epoch(text)
    if _RFC822_HINT.match(text):
        try:
            return localize(parsedate_to_datetime(text))
        except (TypeError, ValueError, IndexError):
            pass
    try:
        return localize(datetime.fromisoformat(text))
    except ValueError:
        pass
    match = _CJK_DATE.match(text)
    if match:
        year, month, day, hour, minute, second = (int(g) if g else 0 for g in match.groups())
        try:
            return localize(datetime(year, month, day, hour, minute, second))
        except ValueError:
            return None
    try:
        return localize(dateutil_parser.parse(text))
    except (ValueError, OverflowError, TypeError):
        return None

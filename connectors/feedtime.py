"""Publication times as feeds write them → aware UTC, or None when the string is no date.

The readings of docs/contract.md §5.2: `CST` is China Standard Time (+08:00, what the Java-based CMSs
of government sites print); `-0000`, `GMT`, `UT`, `UTC`, `Z` are UTC; every other named or
numeric zone is honoured exactly (`-01:01`, `GMT-01:01`, `EDT`); a time without a zone is
Asia/Shanghai; a partial date (`2003-12`, `2003`) is its first instant. Anything this module
cannot read completely — an unknown word, a part too many (`2013-01-27-01`), too few digits
(`013`), an unknown zone, a value out of range — gives None: no part of a time is ever guessed
or taken from today.

Both XML paths hand the raw date string to `parse_feed_time`, so they agree to the microsecond.
The forms are those of feedparser's date vectors (tests/data/feedparser/date_vectors.json) that
concern this tool: W3C-DTF/RFC 3339 (and the MSSQL variant with a space), RFC 822/2822 with its
real-world variants (long month names, a missing comma or time, swapped day and month, asctime,
Java's `Date.toString()`), Perforce's `2006/09/15`, Chinese `2026年7月1日 08:00` and epochs.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Literal

from connectors.base import SHANGHAI

_EPOCH = re.compile(r"^\d{10}(?:\d{3})?$")
# W3C-DTF / ISO 8601 / RFC 3339: YYYY, YYYY-MM, YYYY-MM-DD, then an optional time and zone.
# Google once wrote the month with an extra zero (2003-012-31); feedparser reads it, so do we.
_W3DTF = re.compile(
    r"^(\d{4})(?:-(0?\d{2})(?:-(\d{2})"
    r"(?:(?:T|\s+)(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*([A-Za-z][A-Za-z/]*|[+-][\d:]+)?)?)?)?$",
    re.IGNORECASE,
)
_CJK_DATE = re.compile(
    r"^(\d{4})\s*[年/.-]\s*(\d{1,2})\s*[月/.-]\s*(\d{1,2})\s*日?"
    r"(?:\s*[T ]?\s*(\d{1,2})[:时](\d{1,2})(?:[:分](\d{1,2})秒?)?)?\s*$"
)
_NUMERIC_ZONE = re.compile(r"^(?:GMT|UTC|UT)?([+-])(\d{1,2})(?::?(\d{2}))?$", re.IGNORECASE)
_CLOCK = re.compile(r"^(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d+))?)?$")
_SLASH_DATE = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$")
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
           "october", "november", "december")
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Named zones, in hours east of UTC. CST is China Standard Time (docs/contract.md §5.2), not US Central:
# it is what government CMSs print. The US zones and their one- or two-letter forms are those of
# RFC 822 and of feedparser's table (AT/ET/CT/MT/PT without daylight saving); MET/MEST are
# Middle European (Summer) Time.
_ZONES: dict[str, float] = {
    "z": 0, "ut": 0, "utc": 0, "gmt": 0, "etc/gmt": 0, "etc/utc": 0, "wet": 0,
    "cst": 8, "cct": 8, "bjt": 8, "hkt": 8, "awst": 8, "sgt": 8,
    "jst": 9, "kst": 9,
    "est": -5, "edt": -4, "cdt": -5, "mst": -7, "mdt": -6, "pst": -8, "pdt": -7,
    "at": -4, "ast": -4, "adt": -3, "et": -5, "ct": -6, "mt": -7, "pt": -8,
    "met": 1, "cet": 1, "mest": 2, "cest": 2, "bst": 1, "eet": 2, "eest": 3, "msk": 3, "ist": 5.5,
}


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
    if value != value or value < 0:  # NaN, negative
        return None
    if value > 1e11:  # milliseconds
        value /= 1000
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _zone(token: str | None) -> timezone | Literal[False] | None:
    """The zone a token names; None for "no zone given", False for a token that is no zone."""
    if token is None:
        return None
    name = token.strip().lower()
    if name in _ZONES:
        return timezone(timedelta(hours=_ZONES[name]))
    match = _NUMERIC_ZONE.match(token.strip())
    if not match:
        return False
    sign, hours, minutes = match.group(1), int(match.group(2)), int(match.group(3) or 0)
    if hours > 23 or minutes > 59:
        return False
    offset = timedelta(hours=hours, minutes=minutes)
    return timezone(-offset if sign == "-" else offset)  # -0000 is UTC too (docs/contract.md §5.2)


def _build(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0,
           fraction: str | None = None, zone: timezone | None = None) -> datetime | None:
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    try:
        moment = datetime(year, month, day, hour, minute, second, micro, tzinfo=zone or SHANGHAI)
        return moment.astimezone(UTC)
    except (ValueError, OverflowError):  # 25:00, 02-30, year 10000 after the zone shift …
        return None


def _w3dtf(match: re.Match[str]) -> datetime | None:
    year, month, day, hour, minute, second, fraction, zone_token = match.groups()
    zone = _zone(zone_token)
    if zone is False:
        return None
    return _build(int(year), int(month or 1), int(day or 1), int(hour or 0), int(minute or 0),
                  int(second or 0), fraction, zone)


def _month(token: str) -> int | None:
    """1–12 for an English month name or a prefix of at least three letters of one."""
    lowered = token.lower().rstrip(".")
    if len(lowered) < 3:
        return None
    for number, name in enumerate(_MONTHS, start=1):
        if name.startswith(lowered):
            return number
    return None


def _rfc822(text: str) -> datetime | None:
    """RFC 822/2822 and the variants feeds write, read token by token: every token must be a
    weekday (first only), a day, a month name, a year, a clock time or a zone, each once."""
    tokens = text.replace(",", " ").split()
    if tokens and tokens[0][:3].lower() in _WEEKDAYS and tokens[0].isalpha():
        tokens = tokens[1:]
    day = month = year = None
    clock: re.Match[str] | None = None
    zone: timezone | None = None
    zone_seen = False
    for token in tokens:
        if token.isdigit() and len(token) <= 2 and day is None:
            day = int(token)
        elif token.isdigit() and len(token) in (2, 4) and year is None and (len(token) == 4 or day is not None):
            # Two-digit years as RFC 2822 §4.3 reads them: 00–49 are 20xx, 50–99 are 19xx.
            year = int(token) if len(token) == 4 else 2000 + int(token) if int(token) < 50 else 1900 + int(token)
        elif (slash := _SLASH_DATE.match(token)) and year is None and day is None and month is None:
            year, month, day = (int(part) for part in slash.groups())
        elif token.isalpha() and month is None and _month(token) is not None:
            month = _month(token)
        elif clock is None and (found := _CLOCK.match(token)):
            clock = found
        elif not zone_seen and (named := _zone(token)) is not False:
            zone, zone_seen = named, True
        else:
            return None
    if day is None or month is None or year is None:
        return None
    hour, minute, second, fraction = clock.groups() if clock else (0, 0, 0, None)
    return _build(year, month, day, int(hour), int(minute), int(second or 0), fraction, zone)


def parse_feed_time(raw: str | None) -> datetime | None:
    """UTC time of a feed's date string; None if it is not a date (see module doc)."""
    if raw is None:
        return None
    text = raw.strip()
    if not text:
        return None
    if _EPOCH.match(text):
        return from_epoch(text)
    if match := _W3DTF.match(text):
        return _w3dtf(match)
    if match := _CJK_DATE.match(text):
        year, month, day, hour, minute, second = (int(g) if g else 0 for g in match.groups())
        return _build(year, month, day, hour, minute, second)
    if text[:1].isdigit() and text[:4].isdigit() and "-" in text[:5]:
        return None  # an ISO-looking string W3C-DTF could not read (2013-01-27-01, 2013-xx-27)
    return _rfc822(text)

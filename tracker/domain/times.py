"""Time parsing per the contract: ISO 8601; no offset means Asia/Shanghai; a bare date is the end
of that day. Everything stored is UTC."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

from connectors.base import SHANGHAI, as_utc
from tracker.domain.errors import TrackerError

# The years a time or date given by a user may lie in: far enough from datetime's limits
# (years 1 and 9999) that windows, quarters and time zones never leave its range.
EARLIEST = date(1900, 1, 1)
LATEST = date(2999, 12, 31)


class TimeParseError(TrackerError, ValueError):
    pass


def _range_problem(day: date) -> str | None:
    if EARLIEST <= day <= LATEST:
        return None
    return f"out of range: dates from {EARLIEST.isoformat()} to {LATEST.isoformat()} are accepted"


def parse_at(text: str) -> datetime:
    """Parse a user-given time `T` to an aware UTC datetime. A bare date in any ISO form
    (2026-12-01, 20261201, 2026-W49-2) is the end of that day in Asia/Shanghai."""
    value = text.strip()
    try:
        if "T" not in value.upper() and " " not in value and ":" not in value:
            day = date.fromisoformat(value)
            problem = _range_problem(day)
            if problem:
                raise TimeParseError(f"{text!r}: {problem}")
            return end_of_day(day)
        parsed = datetime.fromisoformat(value)
    except TimeParseError:
        raise
    except ValueError as exc:
        raise TimeParseError(f"not an ISO 8601 time: {text!r}") from exc
    problem = _range_problem(parsed.date())
    if problem:
        raise TimeParseError(f"{text!r}: {problem}")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=SHANGHAI)
    return parsed.astimezone(UTC)


_DATE_FORMS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


def read_date(text: str) -> date | None:
    """A calendar date as registrars write it (2026-01-05, 2026/1/5, 2026.1.5, 2026年1月5日,
    20260105; a spreadsheet datetime at midnight), or None."""
    value = text.strip()
    if "T" in value or " " in value:  # a spreadsheet datetime at midnight
        value = re.split(r"[T ]", value, maxsplit=1)[0]
    for form in _DATE_FORMS:
        match = form.match(value)
        if match:
            try:
                return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
            except ValueError:
                return None
    return None


def parse_date(text: str) -> date:
    """A date option (`--effective`, `--opened-on`…): the forms the registry file accepts."""
    parsed = read_date(text)
    if parsed is None:
        raise TimeParseError(f"not a date: {text!r} (write 2026-01-05, 2026/1/5 or 2026年1月5日)")
    problem = _range_problem(parsed)
    if problem:
        raise TimeParseError(f"{text!r}: {problem}")
    return parsed


def future_date_problem(day: date, today: date | None = None) -> str | None:
    """Why a date that must have happened already (an opening date) is refused, or None."""
    today = today or local_date(now_utc())
    if day > today:
        return f"{day.isoformat()} is in the future (today is {today.isoformat()}); an account can only be filed as opened once it has opened"
    return _range_problem(day)


def end_of_day(day: date) -> datetime:
    """23:59:59.999999 Asia/Shanghai of `day`, in UTC."""
    local = datetime.combine(day, time.max, tzinfo=SHANGHAI)
    return local.astimezone(UTC)


def start_of_day(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=SHANGHAI).astimezone(UTC)


def local_date(moment: datetime) -> date:
    """The Asia/Shanghai calendar date of an aware datetime."""
    return as_utc(moment).astimezone(SHANGHAI).date()



def now_utc() -> datetime:
    return datetime.now(UTC)


def to_local_iso(moment: datetime) -> str:
    """ISO 8601 in Asia/Shanghai, seconds precision, as the JSON outputs show times."""
    return as_utc(moment).astimezone(SHANGHAI).replace(microsecond=0).isoformat()


def quarter_bounds(quarter: str) -> tuple[date, date]:
    """`2026Q3` → (first day, last day)."""
    match = re.fullmatch(r"(\d{4})Q([1-4])", quarter.strip().upper())
    if not match:
        raise TimeParseError(f"not a quarter (like 2026Q3): {quarter!r}")
    year, q = int(match.group(1)), int(match.group(2))
    if not EARLIEST.year <= year <= LATEST.year:
        raise TimeParseError(f"quarter {quarter!r} out of range: years {EARLIEST.year} to {LATEST.year} are accepted")
    first = date(year, 3 * q - 2, 1)
    next_first = date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1)
    return first, next_first - timedelta(days=1)


def quarter_of_day(day: date) -> str:
    """The quarter a day lies in: 2026-12-07 → `2026Q4`."""
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def quarter_of(moment: datetime) -> str:
    """The quarter a moment lies in, by its date in Asia/Shanghai."""
    return quarter_of_day(local_date(moment))


def previous_quarter(quarter: str) -> str:
    first, _ = quarter_bounds(quarter)
    return quarter_of_day(first - timedelta(days=1))

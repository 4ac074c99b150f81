"""Evidence pieces shared by the rules: times in Asia/Shanghai ISO 8601, posts by id and URL."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from tracker.domain.times import to_local_iso

_CHINA_STANDARD_TIME = timezone(timedelta(hours=8))  # Asia/Shanghai without DST since 1992


def when(moment: datetime | None) -> str | None:
    """A time as evidence: ISO 8601 in Asia/Shanghai, seconds precision (like `to_local_iso`)."""
    if moment is None:
        return None
    if moment.year >= 1992 and moment.tzinfo is not None:  # the fast path for every modern time
        return moment.astimezone(_CHINA_STANDARD_TIME).replace(microsecond=0).isoformat()
    return to_local_iso(moment)


def post_ref(row: Any) -> dict[str, Any]:
    """A post as evidence: its id, URL and publication time."""
    return {"post_id": row.post_id, "url": row.url, "published_at": when(row.published_at)}


def window(start: datetime, end: datetime) -> list[str | None]:
    """A half-open window (start, end] as evidence."""
    return [when(start), when(end)]

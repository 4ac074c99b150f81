"""Evidence pieces shared by the rules: times in Asia/Shanghai ISO 8601, posts by id and URL."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tracker.timeutil import to_local_iso


def when(moment: datetime | None) -> str | None:
    return to_local_iso(moment) if moment is not None else None


def post_ref(row: Any) -> dict[str, Any]:
    """A post as evidence: its id, URL and publication time."""
    return {"post_id": row.post_id, "url": row.url, "published_at": when(row.published_at)}


def window(start: datetime, end: datetime) -> list[str | None]:
    """A half-open window (start, end] as evidence."""
    return [when(start), when(end)]

"""Feed times (CONTRACT §5.2 "Times"): the readings, and feedparser's own date vectors as a
conformance target (tests/data/feedparser/date_vectors.json, origin in tests/data/README.md)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from connectors.feedtime import parse_feed_time
from tracker.domain.times import SHANGHAI

DATA = Path(__file__).resolve().parents[1] / "data"
VECTORS = json.loads((DATA / "feedparser" / "date_vectors.json").read_text(encoding="utf-8"))["vectors"]
ADOPTED = [v for v in VECTORS if "skip" not in v]
SKIPPED = [v for v in VECTORS if "skip" in v]


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def test_vector_counts() -> None:
    assert len(VECTORS) == 73
    assert (len(ADOPTED), len(SKIPPED)) == (64, 9)


@pytest.mark.parametrize("vector", ADOPTED, ids=[f"{v['parser']}:{v['input']!r}" for v in ADOPTED])
def test_feedparser_date_vector(vector: dict) -> None:
    parsed = parse_feed_time(vector["input"])
    expected = vector["feedparser_utc"]
    if expected is None:
        assert parsed is None
        return
    # feedparser reads a zone-less time as UTC; CONTRACT §5.2 reads it as Asia/Shanghai.
    zone = UTC if vector["zone_given"] else SHANGHAI
    wanted = datetime(*expected, tzinfo=zone).astimezone(UTC)
    assert parsed is not None and parsed.tzinfo is UTC
    assert parsed.replace(microsecond=0) == wanted  # feedparser's tuples drop sub-seconds


@pytest.mark.parametrize(("raw", "expected"), [
    # CST is China Standard Time, as Java-based government CMSs print it (Date.toString()).
    ("Wed Jul 01 08:00:00 CST 2026", "2026-07-01T08:00:00+08:00"),
    ("Wed, 01 Jul 2026 08:00:00 CST", "2026-07-01T08:00:00+08:00"),
    ("2026-07-01 08:00:00 CST", "2026-07-01T08:00:00+08:00"),
])
def test_cst_is_china_standard_time(raw: str, expected: str) -> None:
    assert parse_feed_time(raw) == utc(expected)


@pytest.mark.parametrize("raw", [
    "Wed, 01 Jul 2026 08:00:00 -0000", "Wed, 01 Jul 2026 08:00:00 GMT", "Wed, 01 Jul 2026 08:00:00 UT",
    "Wed, 01 Jul 2026 08:00:00 UTC", "2026-07-01T08:00:00Z", "2026-07-01T08:00:00-00:00",
])
def test_minus_zero_gmt_ut_z_are_utc(raw: str) -> None:
    assert parse_feed_time(raw) == datetime(2026, 7, 1, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(("raw", "expected"), [
    ("Wed, 01 Jul 2026 08:00:00 -01:01", "2026-07-01T09:01:00+00:00"),
    ("Wed, 01 Jul 2026 08:00:00 GMT+0530", "2026-07-01T02:30:00+00:00"),
    ("Wed, 01 Jul 2026 08:00:00 EDT", "2026-07-01T12:00:00+00:00"),
    ("Wed, 01 Jul 2026 08:00:00 PST", "2026-07-01T16:00:00+00:00"),
    ("2026-07-01T08:00:00+09:00", "2026-06-30T23:00:00+00:00"),
])
def test_named_and_numeric_zones_honoured_exactly(raw: str, expected: str) -> None:
    assert parse_feed_time(raw) == utc(expected)


@pytest.mark.parametrize(("raw", "expected"), [
    ("Wed, 01 Jul 2026 08:00:00", "2026-07-01T08:00:00+08:00"),
    ("2026-07-01T08:00:00", "2026-07-01T08:00:00+08:00"),
    ("2026年7月1日 08:00", "2026-07-01T08:00:00+08:00"),
])
def test_no_zone_is_asia_shanghai(raw: str, expected: str) -> None:
    assert parse_feed_time(raw) == utc(expected)


@pytest.mark.parametrize(("raw", "expected"), [
    ("2003-12", "2003-12-01T00:00:00+08:00"), ("2003", "2003-01-01T00:00:00+08:00"),
    ("2003-12-31", "2003-12-31T00:00:00+08:00"),
])
def test_partial_date_is_its_first_instant(raw: str, expected: str) -> None:
    assert parse_feed_time(raw) == utc(expected)  # never completed with today's day or month


@pytest.mark.parametrize("raw", [
    "013", "2013-01-27-01", "22013", "2013-xx-27", "第013期", "Issue 13", "2026-07-01T08:00:00 Mars/Olympus",
    "Wed, 01 Jul 2026 08:00:00 XYZ", "0001-01-01T00:00:00", "9999-12-31T23:59:59-12:00",
])
def test_not_a_date_gives_no_time(raw: str) -> None:
    assert parse_feed_time(raw) is None  # neither an invented date nor an exception

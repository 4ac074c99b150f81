"""`json_text`, the JSON every command prints: orjson writes the indented text (fast at 100,000
accounts), and it must be what the standard library writes, value for value and, but for the
exponent of very small or large floats, byte for byte."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum

from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.domain.text_out import _UNSAFE_BUT_NEWLINE, _json_escape, json_text


def _stdlib(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False, indent=2, default=str)
    return _UNSAFE_BUT_NEWLINE.sub(_json_escape, text)


_KEYS = st.one_of(st.text(), st.integers(-(2**63), 2**63 - 1), st.booleans(), st.none())
_PLAIN_FLOATS = st.floats(allow_nan=False, allow_infinity=False).filter(lambda f: "e" not in repr(f))
_LEAVES = st.one_of(st.none(), st.booleans(), st.integers(), _PLAIN_FLOATS, st.text(), st.dates(),
                    st.datetimes(timezones=st.sampled_from([None, UTC])))
_VALUES = st.recursive(_LEAVES, lambda inner: st.one_of(st.lists(inner), st.dictionaries(_KEYS, inner),
                                                         st.tuples(inner, inner)), max_leaves=30)


@settings(max_examples=400, deadline=None)
@given(_VALUES)
def test_same_text_as_the_standard_library(value: object) -> None:
    assert json_text(value) == _stdlib(value)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(allow_nan=False, allow_infinity=False)))
def test_every_float_reads_back_the_same(values: list[float]) -> None:
    assert json.loads(json_text(values)) == values


class Severity(StrEnum):
    VETO = "veto"


@dataclass
class Point:
    x: int


def test_types_the_commands_print() -> None:
    value = {"severity": Severity.VETO, "on": date(2026, 9, 30), "at": datetime(2026, 9, 30, tzinfo=UTC),
             "point": Point(1), "rules": {"b", }, 3: "int key"}
    assert json_text(value) == _stdlib(value)
    assert json.loads(json_text(value))["severity"] == "veto"


def test_what_orjson_refuses_falls_back() -> None:
    for value in ({"big": 2**70}, {"lone": "\ud800x"}, ["\udfff"]):
        assert json_text(value) == _stdlib(value)
    assert "\\ud800" in json_text({"lone": "\ud800x"})


def test_terminal_controls_stay_escaped() -> None:
    text = json_text({"name": "a\x1b[2Jb\u202e\x7f\x9b\u2028", "t": "\t\n"})
    assert not any(ch in text for ch in "\x1b\u202e\x7f\x9b\u2028\t")
    assert json.loads(text) == {"name": "a\x1b[2Jb\u202e\x7f\x9b\u2028", "t": "\t\n"}

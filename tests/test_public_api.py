"""`import tracker` is cheap (nothing of SQLAlchemy until a name is used), and every public name
resolves to the function its module defines."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import tracker

ROOT = Path(__file__).resolve().parents[1]


def test_import_tracker_loads_no_database_library_until_a_name_is_used() -> None:
    code = ("import sys, tracker; before = 'sqlalchemy' in sys.modules; tracker.run_check; "
            "print(before, 'sqlalchemy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True).stdout
    assert out.split() == ["False", "True"]


def test_every_public_name_resolves_to_its_module() -> None:
    for name in tracker.__all__:
        value = getattr(tracker, name)
        if name != "__version__":
            assert getattr(value, "__name__", name) == name and value.__module__.startswith("tracker"), name
    assert tracker.run_check.__module__ == "tracker.judging.run"
    assert set(dir(tracker)) >= set(tracker.__all__)


def test_an_unknown_name_is_an_attribute_error() -> None:
    try:
        tracker.no_such_function  # noqa: B018
    except AttributeError as exc:
        assert "no_such_function" in str(exc)
    else:
        raise AssertionError("tracker.no_such_function resolved")

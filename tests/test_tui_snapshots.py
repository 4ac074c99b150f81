"""How the main screens look, in Chinese and English (`pytest --snapshot-update` after a
deliberate change; the SVGs live in tests/__snapshots__). Data and `at` are fixed."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_tui_app import make_app, settle
from tests.test_tui_sample import account_key, build_sample
from tracker.storage.db import Database

SIZE = (130, 40)


@pytest.fixture
def sample(sqlite_db: Database, tmp_path: Path) -> Database:
    build_sample(sqlite_db, tmp_path)
    return sqlite_db


def after(*keys: str):  # noqa: ANN201
    async def run_before(pilot) -> None:  # noqa: ANN001
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

    return run_before


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_dashboard(snap_compare, sample: Database, lang: str) -> None:  # noqa: ANN001
    assert snap_compare(make_app(sample, lang), terminal_size=SIZE, run_before=after())


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_accounts(snap_compare, sample: Database, lang: str) -> None:  # noqa: ANN001
    assert snap_compare(make_app(sample, lang), terminal_size=SIZE, run_before=after("a"))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_findings(snap_compare, sample: Database, lang: str) -> None:  # noqa: ANN001
    assert snap_compare(make_app(sample, lang), terminal_size=SIZE, run_before=after("f"))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_reports(snap_compare, sample: Database, lang: str) -> None:  # noqa: ANN001
    assert snap_compare(make_app(sample, lang), terminal_size=SIZE, run_before=after("r"))


def test_help(snap_compare, sample: Database) -> None:  # noqa: ANN001
    assert snap_compare(make_app(sample), terminal_size=SIZE, run_before=after("question_mark"))


def test_rename_form_with_a_rejected_date(snap_compare, sample: Database) -> None:  # noqa: ANN001
    async def run_before(pilot) -> None:  # noqa: ANN001
        pilot.app.action_form("rename", account_key(3))
        await pilot.pause()
        await pilot.press(*"新名称", "tab", *"2026-02-30", "ctrl+s")
        await settle(pilot)

    assert snap_compare(make_app(sample), terminal_size=SIZE, run_before=run_before)

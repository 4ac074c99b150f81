"""Issue 13, items 3, 4 and 15 in the terminal UI: names, regions and post titles holding markup
(`[/x]坏名`, `[bold red]`, `[link=…]`) or terminal escapes are shown literally on the dashboard,
the accounts list, an account's detail and the findings; the search takes `_` and `%` as
characters."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from rich.text import Text
from textual.widgets import DataTable, Input, Static, Tree

from tests.cli.hostile import CLEAR, CLIPBOARD, MARKUP, store_before_the_fix
from tests.tui.test_tui_app import SIZE, make_app, rows, settle
from tests.tui.test_tui_sample import AT, account_key, build_sample
from tracker.storage.db import Database
from tracker.storage.tables import PostRow, ProfileSnapshot
from tui.screens.accounts import AccountsScreen
from tui.screens.detail import AccountDetailScreen
from tui.screens.findings import FindingsScreen

ESC_NAME = f"坏{CLEAR}名{CLIPBOARD}"
BOLD = "[bold red]红字[/bold red]"
LINKED = "[link=https://evil.example/]点我[/link]"


@pytest.fixture
def hostile(sqlite_db: Database, tmp_path: Path) -> Database:
    build_sample(sqlite_db, tmp_path)
    store_before_the_fix(sqlite_db, account_key(0), account_name=MARKUP, org_name=BOLD)
    store_before_the_fix(sqlite_db, account_key(1), account_name=ESC_NAME, org_name=LINKED)
    with sqlite_db.write() as session:
        session.add(PostRow(account=account_key(0), post_id="evil", published_at=AT - timedelta(hours=1),
                            title=f"{LINKED}{MARKUP}\x1b[31m", text="", first_seen_at=AT))
        session.add(ProfileSnapshot(account=account_key(0), taken_at=AT - timedelta(hours=2),
                                    display_name=f"[/]{CLEAR}", verified=True, verified_reason=f"{BOLD}{CLIPBOARD}"))
    return sqlite_db


def plain(widget) -> str:
    return str(widget.render())


def assert_literal(cells: list[str]) -> None:
    joined = "\n".join(cells)
    assert "\x1b" not in joined and "\x07" not in joined


async def test_hostile_names_show_literally_on_every_screen(hostile: Database) -> None:
    app = make_app(hostile)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        newest = [cell for line in rows(app.screen.query_one("#newest", DataTable)) for cell in line]
        assert MARKUP in newest and "坏\\x1b[2J\\x1b[H名\\x1b]52;c;Y3VybCBldmlsLnNofHNo\\x07" in newest
        assert_literal(newest)

        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, AccountsScreen)
        table = app.screen.query_one("#accounts", DataTable)
        cells = [cell for line in rows(table) for cell in line]
        assert MARKUP in cells and BOLD in cells and LINKED in cells  # the text, not its styles or link
        assert_literal(cells)
        styled = [cell for line in range(table.row_count) for cell in table.get_row_at(line)
                  if isinstance(cell, Text) and cell.plain in (BOLD, LINKED)]
        assert styled and all(not cell.spans and not cell.style for cell in styled)

        app.screen.query_one("#search", Input).value = "[/x]"
        await pilot.pause(0.4)
        await settle(pilot)
        assert [line[1] for line in rows(table)] == [MARKUP]

        app.screen.post_message(__import__("tui.messages", fromlist=["AccountChosen"]).AccountChosen(account_key(0)))
        await settle(pilot)
        assert isinstance(app.screen, AccountDetailScreen)
        info = plain(app.screen.query_one("#info", Static))
        assert MARKUP in info and BOLD in info and "[/]\\x1b[2J" in info and "\x1b" not in info
        posts = [cell for line in rows(app.screen.query_one("#posts", DataTable)) for cell in line]
        assert f"{LINKED}{MARKUP}\\x1b[31m" in posts
        assert_literal(posts)

        await pilot.press("f")
        await settle(pilot)
        assert isinstance(app.screen, FindingsScreen)
        tree = app.screen.query_one(Tree)
        for group in tree.root.children:
            group.expand()
        await settle(pilot)
        leaves = [str(leaf.label) for group in tree.root.children for leaf in group.children]
        assert any(MARKUP in leaf for leaf in leaves) and any("坏\\x1b[2J" in leaf for leaf in leaves)
        assert_literal(leaves)


async def test_search_takes_underscore_and_percent_literally(sqlite_db: Database, tmp_path: Path) -> None:
    build_sample(sqlite_db, tmp_path)
    store_before_the_fix(sqlite_db, account_key(4), account_name="100%_达标")
    app = make_app(sqlite_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        table = app.screen.query_one("#accounts", DataTable)
        for typed, expected in (("%", ["100%_达标"]), ("_", ["100%_达标"]), ("测试账号0_1", []), ("0%_", ["100%_达标"])):
            app.screen.query_one("#search", Input).value = typed
            await pilot.pause(0.4)
            await settle(pilot)
            assert [line[1] for line in rows(table)] == expected, typed

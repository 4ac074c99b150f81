"""Issue 13, the property: any text (arbitrary Unicode, control characters, terminal escapes,
markup, formulas) that comes in through an import, a filing or a polled profile leaves through
every output format (table, json, md, xlsx, docx, csv) without a crash, without a control
character on the terminal and without a formula cell."""

from __future__ import annotations

import csv
import io
import json
import uuid
from pathlib import Path

from docx import Document
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from typer.testing import CliRunner

from tests.cli.hostile import C1_CSI, CLEAR, CLIPBOARD, DDE, FORMULA, LINK, MARKUP, store_before_the_fix, terminal_controls
from tests.polling.feedserver import FeedServer, Route, feed_server  # noqa: F401 - the fixture
from tests.polling.test_pipeline import add_account
from tests.polling.test_poller import TEST_POLL
from tests.registry.registry_helpers import row, write_registry
from tracker.cli.main import app
from tracker.domain.times import local_date, now_utc
from tracker.storage.db import open_database

SNIPPETS = [CLEAR, CLIPBOARD, LINK, C1_CSI, MARKUP, FORMULA, DDE, "[bold red]", "[link=https://x/]", "\n", "\r", "\t",
            "\u202e", "\u2066", "\x00", "\x7f", "\ufeff", "\ufffe", "<script>", "[a](javascript:alert(1))", "|", "'",
            "=", "@", "-", "+", "\\", "\U0001F600", "𠀀", "坏名"]
TEXT = st.lists(st.one_of(st.text(st.characters(blacklist_categories=("Cs",)), max_size=8), st.sampled_from(SNIPPETS)),
                min_size=1, max_size=6).map("".join).filter(lambda text: text.strip())
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def run(url: str, *args: str, allowed: tuple[int, ...] = (0,)):
    result = CliRunner().invoke(app, ["--db", url, *args])
    crashed = result.exception is not None and not isinstance(result.exception, SystemExit)
    assert not crashed and result.exit_code in allowed, (args, result.output, result.exception)
    assert terminal_controls(result.stdout.encode()) == [] and terminal_controls(result.stderr.encode()) == [], args
    return result


def test_any_text_through_every_output_format(tmp_path: Path, feed_server: FeedServer, monkeypatch) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[poll]\n" + "".join(f"{key} = {value}\n" for key, value in TEST_POLL.items()), encoding="utf-8")
    monkeypatch.setenv("TRACKER_CONFIG", str(config))
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    db = open_database(url)
    run(url, "registry", "import", str(write_registry(tmp_path / "base.csv", [row("1")])))
    profile_route = Route(content_type="application/json")
    profile = feed_server.add("/77/profile", profile_route)
    add_account(db, "weibo:77", profile_url=profile)

    @settings(max_examples=8, deadline=None, derandomize=True, database=None,  # the same examples in every run; state carries over between them
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(name=TEXT, org=TEXT)
    def through_everything(name: str, org: str) -> None:
        work = tmp_path / uuid.uuid4().hex
        work.mkdir()
        # in: an import, a filing and a polled profile (entry validation may refuse them, clearly)
        hostile = write_registry(work / "hostile.csv", [row("2", account_name=name, org_name=org)])
        run(url, "registry", "import", "--update", str(hostile), allowed=(0, 2))
        run(url, "file", "rename", "weibo:1", "--name", name, allowed=(0, 2))
        profile_route.body = json.dumps({"ok": 1, "data": {"userInfo": {
            "id": 77, "screen_name": name, "verified": True, "verified_type": 1, "verified_reason": org,
            "followers_count": 3}}}).encode()
        run(url, "poll", "weibo:77")
        run(url, "poll", "weibo:77", "--format", "json")
        # and as rows stored before entry validation refused such text (after the rename above)
        store_before_the_fix(db, "weibo:1", effective=local_date(now_utc()), account_name=name, org_name=org)

        for fmt in ("table", "json"):
            run(url, "registry", "list", "--format", fmt)
            run(url, "check", "--format", fmt, allowed=(0, 1))
        listed = json.loads(run(url, "registry", "list", "--format", "json").stdout)
        assert {(entry["account_name"], entry["org_name"]) for entry in listed if entry["account"] == "weibo:1"} == {(name, org)}
        run(url, "registry", "history", "weibo:1")

        run(url, "report", "--quarter", "2026Q4", "--format", "md")
        report = json.loads(run(url, "report", "--quarter", "2026Q4", "--format", "json").stdout)
        assert name in {entry["account_name"] for entry in report["failed_accounts"]} | {
            who["account_name"] for who in report.get("accounts", {}).values()}
        run(url, "report", "--quarter", "2026Q4", "--format", "xlsx", "-o", str(work / "r.xlsx"))
        book = load_workbook(work / "r.xlsx")
        assert [c.coordinate for s in book.worksheets for line in s.iter_rows() for c in line if c.data_type == "f"] == []
        run(url, "report", "--quarter", "2026Q4", "--format", "docx", "-o", str(work / "r.docx"))
        Document(str(work / "r.docx"))

        run(url, "registry", "export", "-o", str(work / "r.csv"))
        exported = (work / "r.csv").read_text(encoding="utf-8")
        assert not [cell for line in csv.reader(io.StringIO(exported)) for cell in line if cell.startswith(FORMULA_START)]
        run(url, "registry", "export", "--format", "json")

    through_everything()
    db.dispose()

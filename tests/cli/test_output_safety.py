"""Issue 13, items 1, 2 (rendering), 3, 11 and 15 (help, md): text from registries, filings and
polled profiles leaves the tool literally, through a terminal (a pty), a workbook (openpyxl),
a document, Markdown and CSV; output files are replaced whole or not at all."""

from __future__ import annotations

import csv
import io
import json
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from docx import Document
from markdown_it import MarkdownIt
from openpyxl import load_workbook
from typer.testing import CliRunner

from tests.cli.hostile import (
    C1_CSI,
    CLEAR,
    CLIPBOARD,
    DDE,
    FORMULA,
    LINK,
    ROOT,
    run_in_pty,
    store_before_the_fix,
    terminal_controls,
)
from tests.polling.feedserver import FeedServer, Route, feed_server  # noqa: F401 - the fixture
from tests.polling.test_pipeline import add_account
from tests.polling.test_poller import TEST_POLL
from tests.registry.registry_helpers import import_rows, row
from tests.reports.province import Q3_FINDINGS, FakeRules, load_province
from tracker.cli.main import app
from tracker.storage.db import Database


def invoke(url: str, *args: str, code: int = 0):
    result = CliRunner().invoke(app, ["--db", url, *args])
    assert result.exit_code == code, (result.output, result.stderr)
    return result


@pytest.fixture
def province(sqlite_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Database:
    load_province(sqlite_db, tmp_path)
    monkeypatch.setattr("tracker.judging.evaluate.rules_evaluate", lambda: FakeRules(Q3_FINDINGS))
    return sqlite_db


def inspect(url: str) -> None:
    invoke(url, "inspect", "plan", "--quarter", "2026Q3", "--ratio", "100%", "--seed", "1")
    invoke(url, "inspect", "run", "--quarter", "2026Q3")


def data_cells(path: Path) -> list:
    book = load_workbook(path)
    return [cell for sheet in book.worksheets for line in sheet.iter_rows() for cell in line if cell.value is not None]


# 1. Formula injection -------------------------------------------------------------------------

def test_xlsx_report_cells_are_text_never_formulas(province: Database, sqlite_url: str, tmp_path: Path) -> None:
    store_before_the_fix(province, "weibo:xm1", account_name=FORMULA, org_name="@SUM(1+1)*cmd|' /C calc'!A0")
    store_before_the_fix(province, "wechat:fz2", account_name=DDE, org_name="-2+3")
    inspect(sqlite_url)
    out = tmp_path / "q3.xlsx"
    invoke(sqlite_url, "report", "--quarter", "2026Q3", "--format", "xlsx", "-o", str(out))
    cells = data_cells(out)
    assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []
    values = {cell.value for cell in cells}
    assert {FORMULA, DDE, "@SUM(1+1)*cmd|' /C calc'!A0", "-2+3"} <= values  # intact, as text
    assert all(cell.quotePrefix for cell in cells if cell.value in (FORMULA, DDE))  # stays text when edited
    assert 8 in values  # numbers are still numbers


def test_registry_export_csv_neutralises_formulas_and_round_trips(sqlite_db: Database, sqlite_url: str,
                                                                  tmp_path: Path) -> None:
    imported = [FORMULA, DDE, "@SUM(A1)", "-1+1", "普通名称"]
    import_rows(sqlite_db, tmp_path, [row(f"r{i}", account_name=name, org_name=f"{name}单位")
                                      for i, name in enumerate(imported)])
    filed = ["'=already quoted", "''+twice", "'plain quote"]  # quotes of their own: kept as they are
    for index, name in enumerate(filed):
        invoke(sqlite_url, "file", "open", f"weibo:q{index}", "--region", "福建省/福州市", "--org-name", f"{name}单位",
               "--org-code", row("x")["org_code"], "--name", name, "--opened-on", "2025-01-01")
    names = imported + filed
    before = json.loads(invoke(sqlite_url, "registry", "list", "--format", "json").stdout)
    assert sorted(entry["account_name"] for entry in before) == sorted(names)
    first = tmp_path / "first.csv"
    invoke(sqlite_url, "registry", "export", "-o", str(first))
    cells = [cell for line in csv.reader(io.StringIO(first.read_text(encoding="utf-8"))) for cell in line]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]  # OWASP: none runs
    assert "'" + FORMULA in cells and "''=already quoted" in cells and "'plain quote" in cells

    again = tmp_path / "again.db"
    again_url = f"sqlite:///{again}"
    invoke(again_url, "registry", "import", str(first))
    second = tmp_path / "second.csv"
    invoke(again_url, "registry", "export", "-o", str(second))
    assert second.read_text(encoding="utf-8") == first.read_text(encoding="utf-8")  # lossless
    after = json.loads(invoke(again_url, "registry", "list", "--format", "json").stdout)
    assert after == before


def test_registry_export_quotes_a_lone_carriage_return(sqlite_db: Database, sqlite_url: str, tmp_path: Path) -> None:
    """A name stored with a bare CR before it (the hypothesis property found it): the CR stays
    inside its quoted cell, so no reader splits the row and no line starts with a formula."""
    import_rows(sqlite_db, tmp_path, [row("1"), row("2")])
    store_before_the_fix(sqlite_db, "weibo:1", account_name="名称\r" + DDE, org_name="单位\r\n=1+1")
    exported = tmp_path / "r.csv"
    invoke(sqlite_url, "registry", "export", "-o", str(exported))
    with exported.open(encoding="utf-8", newline="") as handle:
        lines = list(csv.reader(handle))
    assert len(lines) == 3 and len({len(line) for line in lines}) == 1
    assert "名称\r" + DDE in lines[1] + lines[2]
    with exported.open(encoding="utf-8") as handle:  # read as a spreadsheet would, newlines translated
        assert not [cell for line in csv.reader(handle) for cell in line if cell[:1] in ("=", "+", "-", "@")]


# 2. Control characters stored before entry validation ----------------------------------------

def test_reports_render_from_names_stored_with_control_characters(province: Database, sqlite_url: str,
                                                                  tmp_path: Path) -> None:
    store_before_the_fix(province, "weibo:xm1", account_name="厦门\x01发布", org_name=f"厦门{CLEAR}办公厅")
    store_before_the_fix(province, "douyin:fj3", account_name="福建\x7f文旅\ufffe")
    inspect(sqlite_url)
    xlsx, docx = tmp_path / "q3.xlsx", tmp_path / "q3.docx"
    invoke(sqlite_url, "report", "--quarter", "2026Q3", "--format", "xlsx", "-o", str(xlsx))
    invoke(sqlite_url, "report", "--quarter", "2026Q3", "--format", "docx", "-o", str(docx))
    values = {cell.value for cell in data_cells(xlsx)}
    assert "厦门\\x01发布" in values and "厦门\\x1b[2J\\x1b[H办公厅" in values and "福建\\x7f文旅\\ufffe" in values
    document = Document(str(docx))
    texts = {cell.text for table in document.tables for line in table.rows for cell in line.cells}
    assert "厦门\\x01发布" in texts and "厦门\\x1b[2J\\x1b[H办公厅" in texts


# 3. Terminal escapes --------------------------------------------------------------------------

WEIBO_PROFILE = {"ok": 1, "data": {"userInfo": {
    "id": 77, "screen_name": f"福州{LINK}发布", "verified": True, "verified_type": 1,
    "verified_reason": f"{CLIPBOARD}{CLEAR}伪造的认证{C1_CSI}", "followers_count": 12}}}
RSS = ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>t</title>'
       "<item><title>福州市召开会议</title><guid>g1</guid><pubDate>Mon, 23 Nov 2026 08:00:00 +0800</pubDate></item>"
       "</channel></rss>").encode()


def test_terminal_gets_no_escape_from_registry_list_check_and_poll(sqlite_db: Database, sqlite_url: str,
                                                                   feed_server: FeedServer, tmp_path: Path) -> None:
    import_rows(sqlite_db, tmp_path, [row("1")])
    store_before_the_fix(sqlite_db, "weibo:1", account_name=f"福州发布{LINK}", org_name=f"福州市{CLIPBOARD}办公厅", region=f"福建省/福州市{C1_CSI}")
    profile = feed_server.add("/77/profile", Route(body=json.dumps(WEIBO_PROFILE).encode(), content_type="application/json"))
    add_account(sqlite_db, "weibo:77", feed_url=feed_server.add("/77/feed", Route(body=RSS)), profile_url=profile)
    config = tmp_path / "config.toml"
    config.write_text("[poll]\n" + "".join(f"{key} = {value}\n" for key, value in TEST_POLL.items()), encoding="utf-8")
    env = {"TRACKER_CONFIG": str(config)}

    listed, _, status = run_in_pty(sqlite_url, "registry", "list", env=env)
    assert status == 0 and terminal_controls(listed) == []
    assert "福州发布\\x1b]8;;https://evil.example/".encode() in listed  # shown, not acted on

    polled, _, status = run_in_pty(sqlite_url, "poll", "weibo:77", env=env)
    assert status == 0 and terminal_controls(polled) == [], polled
    for fmt in ("table", "json"):
        checked, _, status = run_in_pty(sqlite_url, "check", "--format", fmt, env=env)  # now: after the poll
        assert status == 0 and terminal_controls(checked) == [], checked
        assert ("伪造的认证" if fmt == "json" else "weibo:77").encode() in checked  # the table's sentence may be cut
    exported, _, status = run_in_pty(sqlite_url, "registry", "export", env=env)
    assert status == 0 and terminal_controls(exported) == []


# 11. Output files -----------------------------------------------------------------------------

LIMIT = 600  # bytes a process may write to one file: less than the report


def _limit_file_size() -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead
    resource.setrlimit(resource.RLIMIT_FSIZE, (LIMIT, LIMIT))


def test_report_keeps_the_old_file_when_the_write_fails(province: Database, sqlite_url: str, tmp_path: Path) -> None:
    inspect(sqlite_url)  # stored findings: the same report each time
    out = tmp_path / "q3.md"
    invoke(sqlite_url, "report", "--quarter", "2026Q3", "--format", "md", "-o", str(out))
    good = out.read_bytes()
    assert len(good) > LIMIT
    # The same report again, in a process that cannot write more than LIMIT bytes to a file (as
    # on a full disk); no bytecode written either, which the limit would truncate.
    failed = subprocess.run([sys.executable, "-m", "tracker.cli.main", "--db", sqlite_url, "report", "--quarter",
                             "2026Q3", "--format", "md", "-o", str(out)], capture_output=True, text=True, cwd=ROOT,
                            env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
                                 "PYTHONDONTWRITEBYTECODE": "1"},
                            preexec_fn=_limit_file_size, timeout=120)
    assert failed.returncode == 2, failed.stderr
    assert failed.stderr.startswith(f"error: {out}: cannot write: ") and len(failed.stderr.strip().splitlines()) == 1
    assert out.read_bytes() == good  # the previous report, whole
    assert sorted(path.name for path in tmp_path.iterdir() if path.name.startswith(".q3.md")) == []  # no temp left


def test_export_to_a_folder_or_a_missing_folder_is_a_one_line_error(sqlite_db: Database, sqlite_url: str,
                                                                    tmp_path: Path) -> None:
    import_rows(sqlite_db, tmp_path, [row("1")])
    folder = invoke(sqlite_url, "registry", "export", "-o", str(tmp_path), code=2)
    assert folder.stderr == f"error: {tmp_path}: is a folder; give a file name, e.g. {tmp_path / 'out'}\n"
    missing = invoke(sqlite_url, "registry", "export", "-o", str(tmp_path / "nowhere" / "r.csv"), code=2)
    assert missing.stderr == f"error: {tmp_path / 'nowhere' / 'r.csv'}: cannot write: folder {tmp_path / 'nowhere'} does not exist\n"
    report = invoke(sqlite_url, "report", "--quarter", "2026Q3", "--format", "md", "-o", str(tmp_path), code=2)
    assert report.stderr.startswith(f"error: {tmp_path}: is a folder")


# 15. Help text and Markdown -------------------------------------------------------------------

@pytest.mark.parametrize(("command", "section"), [
    (["schedule"], "[schedule]"), (["poll"], "[poll] concurrency"), (["inspect", "plan"], "[inspection]"),
])
def test_help_keeps_config_section_names(command: list[str], section: str) -> None:
    result = CliRunner().invoke(app, [*command, "--help"], terminal_width=200)
    assert result.exit_code == 0 and section in result.stdout


def test_md_report_escapes_html_links_newlines_and_bidi(province: Database, sqlite_url: str) -> None:
    store_before_the_fix(province, "weibo:xm1", account_name="[点我](javascript:alert(1))",
                         org_name="<script>alert(1)</script><img src=x onerror=alert(1)>")
    store_before_the_fix(province, "wechat:fz2", account_name="鼓楼\n# 假标题\n| 假 | 行 |", org_name="鼓楼\u202egpj.exe")
    inspect(sqlite_url)
    markdown = invoke(sqlite_url, "report", "--quarter", "2026Q3", "--format", "md").stdout
    html = MarkdownIt("commonmark").enable("table").render(markdown)
    assert "\u202e" not in markdown and "鼓楼\\u202egpj.exe" in html  # the override shown, not applied
    assert "<script" not in html and "<img" not in html
    assert 'href="javascript' not in html and "<a " not in html
    assert "<h1>假标题" not in html and "假标题" in html
    assert "[点我](javascript:alert(1))" in html  # the name, literally
    failed_table = html.split("不合格政务新媒体名单")[1].split("</table>")[0]
    assert failed_table.count("<tr>") == 4  # header and the three 不合格 accounts: no row from a name

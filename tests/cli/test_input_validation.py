"""Issue 13, items 2, 13, 14 and 15 (dates): what a user types is refused with one line, or
normalised where that is safe — at every entry (`file …`, `observe`, `registry import`, the
config and its lexicons, `--at`, `--quarter`). The TUI forms: tests/tui/test_tui_input_validation.py."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.cli.hostile import CLEAR, ROOT
from tests.registry.registry_helpers import ORG_A, dump, import_rows, row, write_registry
from tracker.cli.main import app
from tracker.domain.times import local_date, now_utc
from tracker.storage.db import Database, open_database

TODAY = local_date(now_utc())
TOMORROW = (TODAY + timedelta(days=1)).isoformat()


def invoke(url: str, *args: str, code: int = 0):
    result = CliRunner().invoke(app, ["--db", url, *args])
    assert result.exit_code == code, (result.output, result.stderr, result.exception)
    return result


def refused(url: str, *args: str) -> str:
    """The one-line error of a refused command (exit 2, no traceback)."""
    result = invoke(url, *args, code=2)
    message = result.stderr.strip()
    assert message.startswith("error:") and "\n" not in message and "Traceback" not in result.output, message
    return message


@pytest.fixture
def registry(sqlite_db: Database, tmp_path: Path) -> Database:
    import_rows(sqlite_db, tmp_path, [row("100"), row("200", region="福建省/厦门市")])
    return sqlite_db


def open_args(account: str, **overrides: str) -> list[str]:
    values = {"--region": "福建省/福州市/鼓楼区", "--org-name": "鼓楼区测试局", "--org-code": ORG_A,
              "--name": "鼓楼测试发布", "--opened-on": "2026-03-01", **overrides}
    return ["file", "open", account, *[part for pair in values.items() for part in pair]]


# 2. Control characters at every entry ------------------------------------------------------

HOSTILE = {
    "esc": f"坏{CLEAR}名", "soh": "坏\x01名", "del": "坏\x7f名", "c1": "坏\x85名", "csi8": "坏\x9b2J名",
    "bidi": "坏\u202e名", "isolate": "坏\u2066名", "newline": "坏\n名", "tab": "坏\t名",
}

ENTRIES = {
    "open --name": lambda bad: open_args("weibo:300", **{"--name": bad}),
    "open --org-name": lambda bad: open_args("weibo:300", **{"--org-name": bad}),
    "open --filing-no": lambda bad: [*open_args("weibo:300"), "--filing-no", bad],
    "rename --name": lambda bad: ["file", "rename", "weibo:100", "--name", bad],
    "transfer --org-name": lambda bad: ["file", "transfer", "weibo:100", "--org-code", ORG_A, "--org-name", bad],
    "suspend --by": lambda bad: ["file", "suspend", "weibo:100", "--by", bad],
    "suspend --approver": lambda bad: ["file", "suspend", "weibo:100", "--approver", bad],
    "suspend --doc": lambda bad: ["file", "suspend", "weibo:100", "--doc", bad],
    "observe --note": lambda bad: ["observe", "weibo:100", "comments_disabled", "--note", bad],
    "observe --by": lambda bad: ["observe", "weibo:100", "comments_disabled", "--by", bad],
}


@pytest.mark.parametrize("entry", sorted(ENTRIES))
@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_every_filing_entry_refuses_control_characters(registry: Database, sqlite_url: str, entry: str, kind: str) -> None:
    before = dump(registry)
    message = refused(sqlite_url, *ENTRIES[entry](HOSTILE[kind]))
    assert "control characters" in message
    assert "\x1b" not in message and "\u202e" not in message  # the error shows the escape, not the byte
    assert dump(registry) == before


@pytest.mark.parametrize("kind", ["c1", "bidi", "isolate", "newline", "tab"])
def test_registry_import_refuses_the_same_characters(registry: Database, sqlite_url: str, tmp_path: Path, kind: str) -> None:
    path = write_registry(tmp_path / "bad.csv", [row("300", account_name=HOSTILE[kind])])
    result = invoke(sqlite_url, "registry", "import", str(path), code=2)
    assert "row 2, column account_name" in result.stderr and "control characters" in result.stderr
    assert "weibo:300" not in invoke(sqlite_url, "registry", "list", "--format", "json").stdout


# 13. One validator for account ids and region paths ----------------------------------------

def test_account_ids_are_normalised_where_safe(registry: Database, sqlite_url: str) -> None:
    invoke(sqlite_url, *open_args(" weibo:３００ "))  # full-width digits, spaces around
    accounts = [a["account"] for a in json.loads(invoke(sqlite_url, "registry", "list", "--format", "json").stdout)]
    assert "weibo:300" in accounts and not any("３" in a or a != a.strip() for a in accounts)
    assert "already" in refused(sqlite_url, *open_args("weibo:300"))  # the same account, not a second "300"
    invoke(sqlite_url, "file", "rename", "weibo:３００", "--name", "新名")
    assert [e["kind"] for e in json.loads(invoke(sqlite_url, "registry", "history", "weibo:300", "--format", "json").stdout)["events"]] == ["open", "rename"]


@pytest.mark.parametrize("account", [
    "weibo: 300", "weibo:3 00", "weibo:300:456", "weibo:a/b/../c", "weibo:..", "weibo:.", "weibo:3\u200b00",
    "weibo:300\u200d", "weibo:\ufeff300", "weibo:300\n", "weibo:3\n00", "weibo:300\t",
])
def test_account_ids_that_cannot_be_normalised_are_refused(registry: Database, sqlite_url: str, account: str) -> None:
    before = dump(registry)
    refused(sqlite_url, *open_args(account))
    assert dump(registry) == before


@pytest.mark.parametrize("region", [
    "福建省/福州市/../厦门市", "福建省/./福州市", "福建省/福州市/..", "福建省/福\u200b州市", "福建省/福州市\n",
    "福建省/福州市\u202e", "福建省/" + "区" * 129,
])
def test_region_paths_with_dot_segments_or_hidden_characters_are_refused(registry: Database, sqlite_url: str, region: str) -> None:
    before = dump(registry)
    assert "--region" in refused(sqlite_url, *open_args("weibo:300", **{"--region": region}))
    assert "--region" in refused(sqlite_url, "file", "transfer", "weibo:100", "--org-code", ORG_A, "--org-name", "新单位", "--region", region)
    assert dump(registry) == before


def test_registry_import_uses_the_same_validator(registry: Database, sqlite_url: str, tmp_path: Path) -> None:
    path = write_registry(tmp_path / "bad.csv", [
        row("400", region="福建省/福州市/../厦门市"), row("5\u200b00"), row("600", region="福建省/./福州市"), row("700:1"),
    ])
    problems = invoke(sqlite_url, "registry", "import", str(path), code=2).stderr.splitlines()
    assert any("row 2, column region" in p and "'.' and '..'" in p for p in problems)
    assert any("row 3, column account_id" in p and "zero-width" in p for p in problems)
    assert any("row 4, column region" in p and "'.' and '..'" in p for p in problems)
    assert any("row 5, column account_id" in p and "':'" in p for p in problems)


def test_full_width_ids_in_a_registry_file_are_the_same_account(registry: Database, sqlite_url: str, tmp_path: Path) -> None:
    path = write_registry(tmp_path / "same.csv", [row("１００", account_name="账号100"), row("200", region="福建省/厦门市")])
    result = invoke(sqlite_url, "registry", "import", str(path))
    assert "新增 0" in result.stdout and "未变 2" in result.stdout, result.stdout
    accounts = [a["account"] for a in json.loads(invoke(sqlite_url, "registry", "list", "--format", "json").stdout)]
    assert sorted(accounts) == ["weibo:100", "weibo:200"]


LONG = {
    "--name": "名" * 257, "--org-name": "单" * 257, "--region": "福建省/" + "区" * 129, "--filing-no": "9" * 129,
    "--by": "人" * 129, "--approver": "人" * 129, "--doc": "号" * 129,
}


@pytest.mark.parametrize("option", sorted(LONG))
def test_values_longer_than_their_column_are_a_clean_error_on_both_backends(db_url: str, tmp_path: Path, option: str) -> None:
    database = open_database(db_url)
    try:
        import_rows(database, tmp_path, [row("100")])
        before = dump(database)
        args = open_args("weibo:300", **({option: LONG[option]} if option in ("--name", "--org-name", "--region") else {}))
        if option not in ("--name", "--org-name", "--region"):
            args += [option, LONG[option]]
        message = refused(db_url, *args)
        assert "too long" in message or "longer than" in message
        assert dump(database) == before
    finally:
        database.dispose()


def test_an_account_id_longer_than_its_column_is_refused(registry: Database, sqlite_url: str) -> None:
    assert "too long" in refused(sqlite_url, *open_args("weibo:" + "9" * 257))


# 14. Config ranges and lexicon files ---------------------------------------------------------

@pytest.mark.parametrize("toml, key, allowed", [
    ("[rules.repost_only]\nwindow_days = -1", "rules.repost_only.window_days", "from 1 to 36500"),
    ("[rules.no_update]\nwindow_days = 0", "rules.no_update.window_days", "from 1 to 36500"),
    ("[rules.repost_only]\nmax_repost_share = nan", "rules.repost_only.max_repost_share", "from 0 to 1"),
    ("[rules.repost_only]\nmax_repost_share = 1.5", "rules.repost_only.max_repost_share", "from 0 to 1"),
    ("[rules.fake_engagement]\nmax_daily_growth = inf", "rules.fake_engagement.max_daily_growth", "finite"),
    ("[rules.dormant]\ndays = 9223372036854775807", "rules.dormant.days", "from 0 to 36500"),
    ("[coverage]\ngrace_hours = 1e300", "coverage.grace_hours", "from 0 to 87600"),
    ("[poll]\nconnect_timeout = -1.0", "poll.connect_timeout", "from 0.001 to 86400"),
    ("[poll]\ntotal_timeout = 0", "poll.total_timeout", "from 0.001 to 86400"),
    ("[poll]\nmax_body_bytes = -5", "poll.max_body_bytes", "from 1 to 2147483648"),
    ("[poll]\nconcurrency = 0", "poll.concurrency", "from 1 to 10000"),
    ("[poll]\nbackoff_max_hours = -1", "poll.backoff_max_hours", "from 0 to 87600"),
    ("[inspection]\ndefault_ratio = 2.0", "inspection.default_ratio", "to 1"),
    ("[cases]\ndue_days = -3", "cases.due_days", "from 1 to 36500"),
    ("[schedule]\nlease_seconds = -1", "schedule.lease_seconds", "from 1 to 31536000"),
])
def test_config_numbers_out_of_range_name_the_key_and_range(sqlite_url: str, tmp_path: Path, toml: str, key: str, allowed: str) -> None:
    config = tmp_path / "tracker.toml"
    config.write_text(toml + "\n", encoding="utf-8")
    message = refused(sqlite_url, "--config", str(config), "check", "--at", "2026-09-30")
    assert f"'{key}'" in message and allowed in message and str(config) in message


def test_config_that_is_a_directory_or_a_device_is_a_clear_error(sqlite_url: str, tmp_path: Path) -> None:
    assert "is a directory" in refused(sqlite_url, "--config", str(tmp_path), "check", "--at", "2026-09-30")
    assert "not a regular file" in refused(sqlite_url, "--config", "/dev/null", "check", "--at", "2026-09-30")


def test_lexicon_that_is_a_directory_is_a_clear_error(registry: Database, sqlite_url: str, tmp_path: Path) -> None:
    (tmp_path / "lexicons").mkdir()
    config = tmp_path / "tracker.toml"
    config.write_text(f'[rules.banned_expression]\nlexicons = ["{tmp_path / "lexicons"}"]\n', encoding="utf-8")
    message = refused(sqlite_url, "--config", str(config), "check", "--at", "2026-09-30")
    assert "is a directory" in message and "lexicon" in message


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (1536 * 2**20, 1536 * 2**20))  # before the fix /dev/zero ate it all


@pytest.mark.parametrize("source", ["/dev/zero", "big"])
def test_lexicon_from_a_device_or_too_large_is_refused_without_reading_it_all(registry: Database, sqlite_url: str,
                                                                               tmp_path: Path, source: str) -> None:
    path = Path(source)
    if source == "big":
        path = tmp_path / "big.txt"
        with path.open("wb") as handle:
            handle.truncate(17 * 2**20)  # a sparse 17 MiB file
    config = tmp_path / "tracker.toml"
    config.write_text(f'[rules.banned_expression]\nlexicons = ["{path}"]\n', encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "tracker.cli.main", "--db", sqlite_url, "--config", str(config),
                             "check", "--at", "2026-09-30"], capture_output=True, text=True, timeout=120, cwd=ROOT,
                            env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
                            preexec_fn=_limit_memory)
    assert result.returncode == 2, result.stderr[-2000:]
    message = result.stderr.strip()
    assert "\n" not in message and str(path) in message
    assert ("not a regular file" if source == "/dev/zero" else "larger than 16 MiB") in message


# 15. Dates: out of range, bare dates, future openings, notices after the closure ------------------

@pytest.mark.parametrize("args", [
    ["check", "--at", "9999-12-31"], ["check", "--at", "0001-01-01"], ["check", "--at", "9999-12-31T23:59:59"],
    ["check", "--at", "0001-01-01T00:00:00+14:00"], ["report", "--quarter", "9999Q4", "--format", "md"],
    ["report", "--quarter", "0001Q1", "--format", "json"], ["inspect", "plan", "--quarter", "9999Q4"],
    ["registry", "export", "--at", "99991231"], ["file", "suspend", "weibo:100", "--effective", "9999-12-31"],
])
def test_dates_at_the_ends_of_the_calendar_are_one_line_errors(registry: Database, sqlite_url: str, args: list[str]) -> None:
    assert "out of range" in refused(sqlite_url, *args)


def test_a_bare_date_in_any_iso_form_is_the_end_of_that_day(registry: Database, sqlite_url: str) -> None:
    for written in ("20261201", "2026-12-01", "2026-W49-2", "2026W492"):
        exported = json.loads(invoke(sqlite_url, "registry", "export", "--format", "json", "--at", written).stdout)
        assert exported["at"] == "2026-12-01T23:59:59+08:00", written


def test_an_opening_date_in_the_future_is_refused(registry: Database, sqlite_url: str, tmp_path: Path) -> None:
    before = dump(registry)
    assert "future" in refused(sqlite_url, *open_args("weibo:300", **{"--opened-on": "2099-01-01"}))
    assert "future" in refused(sqlite_url, *open_args("weibo:300", **{"--opened-on": TOMORROW}))
    args = [a for a in open_args("weibo:300") if a not in ("--opened-on", "2026-03-01")]
    assert "future" in refused(sqlite_url, *args, "--effective", TOMORROW)
    path = write_registry(tmp_path / "future.csv", [row("300", opened_on="2099-01-01")])
    result = invoke(sqlite_url, "registry", "import", str(path), code=2)
    assert "row 2, column opened_on" in result.stderr and "future" in result.stderr
    assert dump(registry) == before
    invoke(sqlite_url, *open_args("weibo:300", **{"--opened-on": TODAY.isoformat()}))  # today is not the future


def test_a_closure_notice_after_the_closure_is_refused(registry: Database, sqlite_url: str) -> None:
    before = dump(registry)
    message = refused(sqlite_url, "file", "close", "weibo:100", "--notice-from", "2026-08-02", "--effective", "2026-08-01")
    assert "--notice-from 2026-08-02" in message and "--effective 2026-08-01" in message
    assert "--notice-from" in refused(sqlite_url, "file", "close", "weibo:100", "--notice-from", TOMORROW)  # effective: today
    assert dump(registry) == before
    invoke(sqlite_url, "file", "close", "weibo:100", "--notice-from", "2026-08-01", "--effective", "2026-08-01")
    assert date.fromisoformat(json.loads(invoke(sqlite_url, "registry", "history", "weibo:100", "--format", "json")
                                         .stdout)["events"][-1]["payload"]["notice_from"]) == date(2026, 8, 1)

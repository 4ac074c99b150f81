"""`tracker check` and `tracker observe` through the command line."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from tests.registry.registry_helpers import ORG_A
from tests.rules.rules_helpers import add_posts, before, daily_posts, registry
from tracker.cli.main import app
from tracker.domain.models import Post
from tracker.storage.db import open_database

runner = CliRunner()


def invoke(url: str, *args: str):
    return runner.invoke(app, ["--db", url, *args])


def province(url: str, tmp_path) -> None:
    db = open_database(url)
    registry(db, tmp_path, {"account_id": "1", "region": "福建省/福州市", "account_name": "福州发布"},
             {"account_id": "2", "region": "福建省/厦门市", "org_code": ORG_A,
              "account_name": "厦门发布"})
    daily_posts(db, "weibo:2", 10)
    add_posts(db, "weibo:2", Post("ad", before(1), links=("https://item.jd.com/1",), url="https://weibo.com/2/ad"))
    db.dispose()


def test_check_json_is_the_contract_shape(db_url, tmp_path) -> None:
    province(db_url, tmp_path)
    result = invoke(db_url, "check", "--at", "2026-09-30", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert list(data) == ["at", "findings"]
    assert data["at"] == "2026-09-30T23:59:59+08:00"
    assert [(f["account"], f["rule"], f["severity"]) for f in data["findings"]] == [
        ("weibo:1", "empty_shell", "veto"), ("weibo:2", "ad_link", "veto")]
    assert all(list(f) == ["account", "rule", "severity", "evidence", "source"] for f in data["findings"])
    assert data["findings"][1]["evidence"]["matches"][0]["url"] == "https://weibo.com/2/ad"
    assert data["findings"][0]["source"].startswith("检查指标 一、单项否决 内容不更新")


def test_check_at_with_offset_and_region(sqlite_url, tmp_path) -> None:
    province(sqlite_url, tmp_path)
    result = invoke(sqlite_url, "check", "--at", "2026-09-30T12:00:00Z", "--format", "json", "--region", "福建省/厦门市")
    data = json.loads(result.stdout)
    assert data["at"] == "2026-09-30T20:00:00+08:00"
    assert {f["account"] for f in data["findings"]} == {"weibo:2"}


def test_check_table_groups_by_region_in_chinese_or_english(sqlite_url, tmp_path) -> None:
    province(sqlite_url, tmp_path)
    zh = invoke(sqlite_url, "check", "--at", "2026-09-30")
    assert zh.exit_code == 0
    assert zh.stdout.index("福建省/厦门市") < zh.stdout.index("商业广告") and "空壳" in zh.stdout
    assert zh.stdout.index("福建省/福州市") > zh.stdout.index("商业广告")
    en = runner.invoke(app, ["--db", sqlite_url, "--lang", "en", "check", "--at", "2026-09-30"])
    assert "commercial ad" in en.stdout and "empty shell" in en.stdout


def test_fail_on_exit_codes(sqlite_url, tmp_path) -> None:
    province(sqlite_url, tmp_path)
    assert invoke(sqlite_url, "check", "--at", "2026-09-30", "--fail-on", "veto").exit_code == 1
    assert invoke(sqlite_url, "check", "--at", "2026-09-30", "--fail-on", "warning").exit_code == 1
    assert invoke(sqlite_url, "check", "--at", "2026-09-30", "--region", "上海市", "--fail-on", "warning").exit_code == 0
    assert invoke(sqlite_url, "check", "--at", "2026-09-30").exit_code == 0


def test_bad_input_exits_2(sqlite_url, tmp_path) -> None:
    province(sqlite_url, tmp_path)
    bad = invoke(sqlite_url, "check", "--at", "yesterday")
    assert bad.exit_code == 2 and "not an ISO 8601 time" in bad.stderr
    assert invoke(sqlite_url, "check", "--format", "xml").exit_code == 2
    assert invoke(sqlite_url, "check", "--fail-on", "info").exit_code == 2


def test_observe_records_and_check_sees_it(sqlite_url, tmp_path) -> None:
    province(sqlite_url, tmp_path)
    done = invoke(sqlite_url, "observe", "weibo:2", "comments_disabled", "--at", "2026-09-29T10:00", "--note", "评论关闭",
                  "--by", "王五")
    assert done.exit_code == 0 and "王五" in done.stdout
    data = json.loads(invoke(sqlite_url, "check", "--at", "2026-09-30", "--format", "json").stdout)
    finding = next(f for f in data["findings"] if f["rule"] == "comments_disabled")
    assert finding["account"] == "weibo:2" and finding["evidence"]["inspector"] == "王五"
    before_it = json.loads(invoke(sqlite_url, "check", "--at", "2026-09-29T09:59", "--format", "json").stdout)
    assert not any(f["rule"] == "comments_disabled" for f in before_it["findings"])


def test_observe_unknown_account_or_fact_exits_2(sqlite_url, tmp_path) -> None:
    province(sqlite_url, tmp_path)
    unknown = invoke(sqlite_url, "observe", "weibo:404", "comments_disabled")
    assert unknown.exit_code == 2 and "unknown account" in unknown.stderr
    assert invoke(sqlite_url, "observe", "weibo:1", "bought_fans").exit_code == 2
    assert invoke(sqlite_url, "observe", "weibo:1", "fake_engagement", "--at", "soon").exit_code == 2

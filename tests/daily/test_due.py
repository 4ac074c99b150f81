"""`tracker due`: 临期 — accounts that will fall into no_update / low_frequency within N days."""

from __future__ import annotations

import json
from datetime import timedelta

from typer.testing import CliRunner

from tests.rules.rules_helpers import T, add_poll, add_posts, before, fired, registry
from tracker.cli.main import app
from tracker.domain.times import to_local_iso
from tracker.storage.db import open_database

runner = CliRunner()
SECOND = timedelta(seconds=1)


def setup(url: str, tmp_path) -> None:
    db = open_database(url)
    registry(db, tmp_path, *[{"account_id": str(i), "region": "福建省/福州市" if i < 4 else "福建省/厦门市",
                              "account_name": f"发布{i}"} for i in range(1, 6)])
    add_posts(db, "weibo:1", ("p", before(10)))                 # no_update exactly 4 days ahead
    add_posts(db, "weibo:2", ("p", before(10) - SECOND))        # a second sooner
    add_posts(db, "weibo:3", ("p", before(10) + SECOND))        # a second too late for --days 4
    add_posts(db, "weibo:4", ("a", before(1)), ("b", before(2)), ("c", before(5)))  # low_frequency in 2 days
    add_posts(db, "weibo:5", ("p", before(20)))                 # lapsed already: a finding, not due
    db.dispose()


def due(url: str, *args: str) -> dict:
    result = runner.invoke(app, ["--db", url, "due", "--at", T.isoformat(), "--format", "json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_due_boundaries_at_exactly_warn_days(sqlite_url, tmp_path) -> None:
    setup(sqlite_url, tmp_path)
    rows = due(sqlite_url, "--days", "4")["due"]
    assert [(r["account"], r["rule"]) for r in rows] == [
        ("weibo:4", "low_frequency"), ("weibo:2", "no_update"), ("weibo:1", "no_update")]
    assert rows[2]["lapses_at"] == to_local_iso(T + timedelta(days=4)) and rows[2]["days_left"] == 4
    assert rows[0]["lapses_at"] == to_local_iso(before(5) + timedelta(days=7))
    assert [r["account"] for r in due(sqlite_url, "--days", "2")["due"]] == ["weibo:4"]
    assert [r["account"] for r in due(sqlite_url, "--days", "4", "--region", "福建省/厦门市")["due"]] == ["weibo:4"]


def test_due_agrees_with_the_rules(sqlite_url, tmp_path) -> None:
    setup(sqlite_url, tmp_path)
    db = open_database(sqlite_url)
    try:
        lapse = T + timedelta(days=4)
        assert ("weibo:1", "no_update") not in fired(db, lapse - timedelta(microseconds=1))
        assert ("weibo:1", "no_update") in fired(db, lapse)
        assert ("weibo:5", "no_update") in fired(db, T) or ("weibo:5", "dormant") in fired(db, T)
    finally:
        db.dispose()


def test_due_table_and_bad_days(sqlite_url, tmp_path) -> None:
    setup(sqlite_url, tmp_path)
    result = runner.invoke(app, ["--db", sqlite_url, "due", "--at", T.isoformat()])
    assert result.exit_code == 0 and "临期 3" in result.stdout and "发布1" in result.stdout and "更新频率不足" in result.stdout
    bad = runner.invoke(app, ["--db", sqlite_url, "due", "--days", "-1"])
    assert bad.exit_code == 2 and "--days" in bad.stderr and "Traceback" not in bad.output


def test_due_one_day_more_or_less_and_default_from_the_no_update_window(sqlite_url, tmp_path) -> None:
    db = open_database(sqlite_url)
    registry(db, tmp_path, {"account_id": "1", "account_name": "甲"}, {"account_id": "2", "account_name": "乙"})
    add_posts(db, "weibo:1", ("p", before(10)))   # lapses in exactly 4 days
    add_posts(db, "weibo:2", ("p", before(9)))    # lapses in exactly 5 days
    db.dispose()
    assert [r["account"] for r in due(sqlite_url, "--days", "4")["due"] if r["rule"] == "no_update"] == ["weibo:1"]
    assert [r["account"] for r in due(sqlite_url, "--days", "5")["due"] if r["rule"] == "no_update"] == ["weibo:1", "weibo:2"]
    config = tmp_path / "twelve.toml"   # a 12-day window: warn from day 10, i.e. 2 days ahead
    config.write_text("[rules.no_update]\nwindow_days = 12\n[rules.low_frequency]\nenabled = false\n", encoding="utf-8")
    default = runner.invoke(app, ["--db", sqlite_url, "--config", str(config), "due", "--at", T.isoformat(), "--format", "json"])
    assert default.exit_code == 0, default.output
    body = json.loads(default.stdout)
    assert body["days"] == 2 and [(r["account"], r["days_left"]) for r in body["due"]] == [("weibo:1", 2)]


def test_a_feed_that_never_succeeded_is_unverified_not_due(sqlite_url, tmp_path) -> None:
    db = open_database(sqlite_url)
    registry(db, tmp_path, {"account_id": "1", "account_name": "甲", "feed_url": "http://127.0.0.1:9/a.xml"},
             {"account_id": "2", "account_name": "乙", "feed_url": "http://127.0.0.1:9/b.xml"})
    add_posts(db, "weibo:1", ("p", before(10)))   # would lapse in 4 days, but the feed never succeeded
    add_poll(db, "weibo:1", before(1), "http_error")
    add_posts(db, "weibo:2", ("p", before(10)))
    add_poll(db, "weibo:2", before(1), "ok", items=1)
    db.dispose()
    body = due(sqlite_url, "--days", "4")
    assert [r["account"] for r in body["due"]] == ["weibo:2"]
    assert [(u["account"], u["last_failure"]) for u in body["unverified"]] == [("weibo:1", "http_error")]
    table = runner.invoke(app, ["--db", sqlite_url, "due", "--at", T.isoformat(), "--days", "4"])
    assert table.exit_code == 0 and "待核实 1" in table.stdout and "甲" in table.stdout.split("待核实")[1]


def test_an_account_whose_feed_fails_is_unverified_not_due(sqlite_url, tmp_path) -> None:
    """Its newest post 10 days ago would make it due in 4 days, but its feed has failed for 5 days
    (past the 36 h grace): whether it posted since is unknown, so it is 待核实, not 临期."""
    db = open_database(sqlite_url)
    registry(db, tmp_path, {"account_id": "6", "account_name": "发布6", "feed_url": "http://127.0.0.1:9/6.xml"},
             {"account_id": "7", "account_name": "发布7", "feed_url": "http://127.0.0.1:9/7.xml"})
    for key in ("weibo:6", "weibo:7"):
        add_posts(db, key, ("p", before(10)))
        add_poll(db, key, before(11), "ok")
    add_poll(db, "weibo:6", before(5), "ok")
    add_poll(db, "weibo:6", before(1), "blocked")
    add_poll(db, "weibo:7", before(0) - timedelta(hours=2), "ok")  # seen up to now
    db.dispose()
    listed = due(sqlite_url, "--days", "4")
    assert [r["account"] for r in listed["due"]] == ["weibo:7"]
    assert [r["account"] for r in listed["unverified"]] == ["weibo:6"]


def test_apps_are_never_due_nor_unverified(sqlite_url, tmp_path) -> None:
    db = open_database(sqlite_url)
    registry(db, tmp_path, {"account_id": "ap1", "platform": "app", "opened_on": "2024-01-01",
                            "feed_url": "https://app.example.gov.cn/download"}, {"account_id": "1"})
    add_posts(db, "app:ap1", ("p", before(10)))
    add_posts(db, "weibo:1", ("p", before(10)))
    db.dispose()
    body = due(sqlite_url, "--days", "4")
    assert [r["account"] for r in body["due"]] == ["weibo:1"] and body["unverified"] == []


def test_due_by_rule(sqlite_url, tmp_path) -> None:
    setup(sqlite_url, tmp_path)
    only = due(sqlite_url, "--days", "4", "--rule", "no_update")
    assert only["rule"] == "no_update" and [r["account"] for r in only["due"]] == ["weibo:2", "weibo:1"]
    assert [r["account"] for r in due(sqlite_url, "--days", "4", "--rule", "low_frequency")["due"]] == ["weibo:4"]
    bad = runner.invoke(app, ["--db", sqlite_url, "due", "--rule", "dormant"])
    assert bad.exit_code == 2 and "--rule must be one of no_update, low_frequency" in bad.stderr and "Traceback" not in bad.output

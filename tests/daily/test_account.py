"""`tracker account show` and `tracker posts` through the command line."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from tests.rules.rules_helpers import T, add_poll, add_posts, before, registry
from tracker.cli.main import app
from tracker.domain.models import Post
from tracker.storage.db import open_database

runner = CliRunner()


def setup(url: str, tmp_path) -> None:
    db = open_database(url)
    registry(db, tmp_path, {"account_id": "2", "region": "福建省/厦门市", "account_name": "厦门发布"})
    add_posts(db, "weibo:2", ("old", before(40)),
              Post("ad", before(1), title="特价", links=("https://item.jd.com/1",), url="https://weibo.com/2/ad"))
    add_poll(db, "weibo:2", before(1), "ok")
    db.dispose()
    assert runner.invoke(app, ["--db", url, "check", "--at", T.isoformat()]).exit_code == 0


def test_account_show_json_and_table(sqlite_url, tmp_path) -> None:
    setup(sqlite_url, tmp_path)
    result = runner.invoke(app, ["--db", sqlite_url, "account", "show", "weibo:2", "--at", T.isoformat(), "--format", "json"])
    assert result.exit_code == 0, result.output
    view = json.loads(result.stdout)
    assert view["filed"]["name"] == "厦门发布" and view["filed"]["region"] == "福建省/厦门市"
    assert [p["post_id"] for p in view["posts"]] == ["ad", "old"]
    assert view["polls"][0]["outcome"] == "ok"
    ad = next(f for f in view["findings"] if f["rule"] == "ad_link")
    assert ad["severity"] == "veto" and "item.jd.com" in ad["sentence"]
    assert view["case"] is not None and view["case"]["rules"] and "ad_link" in view["case"]["rules"]
    table = runner.invoke(app, ["--db", sqlite_url, "account", "show", "weibo:2", "--at", T.isoformat()])
    assert table.exit_code == 0 and "商业广告" in table.stdout and "厦门发布" in table.stdout and "整改" in table.stdout
    missing = runner.invoke(app, ["--db", sqlite_url, "account", "show", "weibo:404"])
    assert missing.exit_code == 2 and "weibo:404" in missing.stderr and "Traceback" not in missing.output


def test_posts_since_limit_jsonl(sqlite_url, tmp_path) -> None:
    setup(sqlite_url, tmp_path)
    result = runner.invoke(app, ["--db", sqlite_url, "posts", "weibo:2", "--format", "jsonl"])
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["post_id"] for r in rows] == ["ad", "old"] and rows[0]["signals"]["ad_domain"]
    since = runner.invoke(app, ["--db", sqlite_url, "posts", "weibo:2", "--since", before(10).isoformat(), "--format", "jsonl"])
    assert [json.loads(line)["post_id"] for line in since.stdout.splitlines()] == ["ad"]
    one = runner.invoke(app, ["--db", sqlite_url, "posts", "weibo:2", "--limit", "1"])
    assert one.exit_code == 0 and "ad" in one.stdout and "old" not in one.stdout
    assert runner.invoke(app, ["--db", sqlite_url, "posts", "weibo:2", "--limit", "0"]).exit_code == 2
    missing = runner.invoke(app, ["--db", sqlite_url, "posts", "weibo:404"])
    assert missing.exit_code == 2 and "weibo:404" in missing.stderr and "Traceback" not in missing.output


def test_account_show_as_of_t_leaves_out_later_observations_and_polls(sqlite_url, tmp_path) -> None:
    setup(sqlite_url, tmp_path)
    for when, note in ((before(2), "早"), (before(-3), "晚")):
        observed = runner.invoke(app, ["--db", sqlite_url, "observe", "weibo:2", "comments_disabled",
                                       "--at", when.isoformat(), "--note", note, "--by", "张三"])
        assert observed.exit_code == 0, observed.output
    db = open_database(sqlite_url)
    add_poll(db, "weibo:2", before(-2), "timeout")
    db.dispose()
    view = json.loads(runner.invoke(app, ["--db", sqlite_url, "account", "show", "weibo:2", "--at", T.isoformat(),
                                          "--format", "json"]).stdout)
    assert [o["note"] for o in view["observations"]] == ["早"]
    assert [p["outcome"] for p in view["polls"]] == ["ok"]

"""What reaches a group chat is inert text, and a bad `[[alerts.webhooks]]` is a clear error."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from tests.alerts.alerts_helpers import checked, config
from tests.alerts.receiver import Receiver
from tests.rules.rules_helpers import T, add_poll, add_posts, before, registry
from tracker.alerts.deliver import send_alerts
from tracker.cli.main import app
from tracker.judging.run import run_check
from tracker.settings import load_settings

runner = CliRunner()
HOSTILE = '<at user_id="all">所有人</at>[点我](http://evil.example.com/x)**粗体**'   # the registry refuses controls


@pytest.fixture
def receiver():
    robot = Receiver()
    yield robot
    robot.close()


@pytest.mark.parametrize("kind", ["wecom", "dingtalk", "feishu"])
def test_hostile_names_and_evidence_reach_the_group_as_text(sqlite_db, tmp_path, receiver, kind) -> None:
    registry(sqlite_db, tmp_path, {"account_id": "9", "account_name": HOSTILE, "org_name": "单位<font color=red>"})
    add_posts(sqlite_db, "weibo:9", ("p", before(30)))
    add_poll(sqlite_db, "weibo:9", before(0.1), "ok", items=1)
    run_check(sqlite_db, load_settings(), T)
    settings = load_settings(config(tmp_path, receiver, {"kind": kind, "name": kind}))
    assert send_alerts(sqlite_db, settings, T).hooks[0].errors == []
    text = "\n".join(d.text for d in receiver.deliveries)
    assert "所有人" in text and "点我" in text
    for active in ("<at", "</at>", "](", "http://", "evil.example.com", "<font color=red>", "**粗体**"):
        assert active not in text, (kind, active)


def test_controls_in_chat_text_are_shown_as_escapes() -> None:
    from tracker.alerts.vendors import chat_text

    text = chat_text("甲\x1b[2J乙\u202e丙\n丁 see https://ad.example.cn/buy")
    assert text == "甲\\x1b［2J乙\\u202e丙\\n丁 see https：//ad．example．cn/buy"


def test_a_long_list_is_counted_not_flooded(sqlite_db, tmp_path, receiver) -> None:
    registry(sqlite_db, tmp_path, *[{"account_id": str(i), "account_name": f"号{i}"} for i in range(1, 31)])
    for i in range(1, 31):
        add_posts(sqlite_db, f"weibo:{i}", ("p", before(20)))
        add_poll(sqlite_db, f"weibo:{i}", before(0.1), "ok", items=1)
    run_check(sqlite_db, load_settings(), T)
    settings = load_settings(config(tmp_path, receiver, {"kind": "wecom", "name": "wecom", "alerts": ["veto"]},
                                    alerts="max_listed = 12"))
    hook = send_alerts(sqlite_db, settings, T).hooks[0]
    assert hook.delivered == 30 and hook.waiting == 0
    texts = [d.text for d in receiver.deliveries]
    assert all(len(t.encode()) <= 4096 for t in texts)
    assert sum(t.count("【不合格】") for t in texts) == 12
    assert "另有 18 条「不合格」未逐条列出" in texts[-1]


@pytest.mark.parametrize(("table", "message"), [
    ('kind = "slack"\nurl = "https://x.example/hook"', "kind must be one of wecom, dingtalk, feishu, json, got 'slack'"),
    ('kind = "wecom"', "give exactly one of url and url_env"),
    ('kind = "wecom"\nurl = "ftp://x.example/hook"', "url must be an http:// or https:// address with a host"),
    ('kind = "wecom"\nurl_env = "NO_SUCH_VARIABLE_SET"', "environment variable NO_SUCH_VARIABLE_SET is not set"),
    ('kind = "wecom"\nurl = "https://x.example/h"\ncolour = "red"', "unknown key 'alerts.webhooks[1].colour'"),
    ('kind = "wecom"\nurl = "https://x.example/h"\nregions = "福建省"', "key 'alerts.webhooks[1].regions' must be array of strings"),
    ('kind = "wecom"\nurl = "https://x.example/h"\nalerts = ["everything"]', "alerts must be among veto, due, case, feed, digest"),
    ('kind = "wecom"\nurl = "https://x.example/h"\nrate_per_minute = -1', "must be from 0 to 100000"),
])
def test_bad_webhook_tables_are_clear_errors(sqlite_url, tmp_path, table, message) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(f"[[alerts.webhooks]]\n{table}\n", encoding="utf-8")
    result = runner.invoke(app, ["--db", sqlite_url, "--config", str(path), "alerts", "preview"])
    assert result.exit_code == 2 and message in result.stderr, result.output
    assert "Traceback" not in result.output


def test_warn_days_must_be_whole_days(sqlite_url, tmp_path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('[alerts]\nwarn_days = ["four"]\n', encoding="utf-8")
    result = runner.invoke(app, ["--db", sqlite_url, "--config", str(path), "alerts", "preview"])
    assert result.exit_code == 2 and "key 'alerts.warn_days' must be array of integers" in result.stderr


def test_preview_without_robots_shows_every_alert(sqlite_url, tmp_path) -> None:
    from tracker.storage.db import open_database

    db = open_database(sqlite_url)
    checked(db, tmp_path)
    db.dispose()
    result = runner.invoke(app, ["--db", sqlite_url, "alerts", "preview", "--at", T.isoformat()])
    assert result.exit_code == 0, result.output
    assert "未配置 [[alerts.webhooks]]" in result.stdout and "新 5" in result.stdout
    assert "【每日汇总】2026-09-30 全部地区" in result.stdout and "在运行账号 5，不合格 1，待核实 0，临期 2" in result.stdout

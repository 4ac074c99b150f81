"""Alerts delivered to loopback robots: each vendor's shape and signature as the vendor checks
it, each alert once across reruns, failures, rate limits and a killed sender, the check never
held up by a dead robot (docs/contract.md §8)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from tests.alerts.alerts_helpers import FUZHOU, checked, config
from tests.alerts.receiver import Receiver
from tests.rules.rules_helpers import T, add_poll, add_posts
from tracker.alerts.deliver import send_alerts
from tracker.cli.main import app
from tracker.domain.times import now_utc
from tracker.jobs.runs import after_check, check_job, run_claimed
from tracker.settings import load_settings
from tracker.storage.db import open_database
from tracker.storage.tables import AlertOutbox

runner = CliRunner()
KINDS = ["digest", "veto", "due", "due", "feed"]   # what the province of alerts_helpers makes as of T


@pytest.fixture
def receiver():
    robot = Receiver(secrets={"dingtalk": "SECdingtalk-secret", "feishu": "feishu-secret-1", "json": "json-secret"})
    yield robot
    robot.close()


def rows(db):
    with db.session() as session:
        return session.exec(select(AlertOutbox).order_by(AlertOutbox.id)).all()


def test_every_vendor_gets_its_shape_and_signature(db, tmp_path, receiver, monkeypatch) -> None:
    checked(db, tmp_path)
    settings = load_settings(config(tmp_path, receiver,
                                    {"kind": "wecom", "name": "wecom"},
                                    {"kind": "dingtalk", "name": "ding", "secret": "SECdingtalk-secret"},
                                    {"kind": "feishu", "name": "feishu", "secret_env": "TEST_FEISHU_SECRET"},
                                    {"kind": "json", "name": "json", "secret": "json-secret"}))
    monkeypatch.setenv("TEST_FEISHU_SECRET", "feishu-secret-1")
    result = send_alerts(db, settings, T)
    assert receiver.refused == []
    assert {h.hook.name: (h.queued, h.delivered, h.waiting, h.errors) for h in result.hooks} == {
        name: (5, 5, 0, []) for name in ("wecom", "ding", "feishu", "json")}
    by_kind = Counter(d.kind for d in receiver.deliveries)
    assert by_kind == {"wecom": 4, "dingtalk": 4, "feishu": 4, "json": 4}   # one message per kind of alert
    wecom = "\n".join(d.text for d in receiver.deliveries if d.kind == "wecom")
    assert "【临期预警】还剩 4 天：发布2（微博 2）" in wecom and "【不合格】内容不更新：发布1" in wecom
    assert "单位：单位1（福建省/福州市）" in wecom and "请：尽快发布信息" in wecom and "【采集失败】发布5" in wecom
    ids = receiver.ids()
    assert sorted(ids) == sorted(set(ids)) and len(ids) == 5
    assert [i.split(":", 1)[0] for i in ids] == KINDS
    # A second run makes the same alerts: nothing new is written, nothing is sent again.
    again = send_alerts(db, settings, T - timedelta(minutes=5))   # T is 23:59:59 local: stay on that day
    assert [(h.queued, h.delivered) for h in again.hooks] == [(0, 0)] * 4
    assert len(receiver.deliveries) == 16
    assert {r.state for r in rows(db)} == {"sent"}


def test_a_wrong_secret_is_refused_by_the_robot_and_retried(sqlite_db, tmp_path, receiver) -> None:
    checked(sqlite_db, tmp_path)
    settings = load_settings(config(tmp_path, receiver, {"kind": "dingtalk", "name": "ding", "secret": "not-the-secret"}))
    result = send_alerts(sqlite_db, settings, T)
    assert receiver.refused == ["dingtalk: sign not match"] and receiver.deliveries == []
    [hook] = result.hooks
    assert hook.delivered == 0 and hook.waiting == 5 and hook.errors == ["错误码 310000：dingtalk: sign not match"]
    attempts = {r.attempts for r in rows(sqlite_db) if r.kind == "digest"}
    assert attempts == {1} and {r.state for r in rows(sqlite_db)} == {"pending"}


def test_failures_429_and_timeouts_deliver_each_alert_once(sqlite_db, tmp_path, receiver) -> None:
    checked(sqlite_db, tmp_path)
    settings = load_settings(config(tmp_path, receiver, {"kind": "json", "name": "json", "secret": "json-secret"}))
    receiver.plan = ["500"]                          # run 1: the first message fails
    first = send_alerts(sqlite_db, settings, T).hooks[0]
    assert first.delivered == 0 and first.errors == ["HTTP 500"] and receiver.ids() == []
    receiver.plan = ["ok", "429:1"]                  # run 2: one message, then "too fast, wait 1 s"
    second = send_alerts(sqlite_db, settings, T).hooks[0]
    assert second.messages == 1 and second.errors == ["HTTP 429（限流）"]
    states = {r.kind: (r.state, r.attempts, r.last_error) for r in rows(sqlite_db)}
    assert states == {"digest": ("sent", 1, None), "veto": ("pending", 0, "HTTP 429（限流）"),
                      "due": ("pending", 0, None), "feed": ("pending", 0, None)}   # a 429 counts no attempt
    receiver.plan = ["hang:3"]                       # run 3, before the wait is over: nothing is due
    assert send_alerts(sqlite_db, settings, T).hooks[0].messages == 0 and receiver.requests == 3
    time.sleep(1.1)
    started = time.monotonic()
    third = send_alerts(sqlite_db, settings, T).hooks[0]   # the robot hangs past the 1 s timeout
    assert third.errors == ["超时（1 秒）"] and time.monotonic() - started < 3
    receiver.plan = []
    time.sleep(0.2)
    fourth = send_alerts(sqlite_db, settings, T).hooks[0]
    assert fourth.errors == [] and fourth.waiting == 0
    assert Counter(receiver.ids()) == Counter({i: 1 for i in receiver.ids()}) and len(receiver.ids()) == 5


def test_vendor_rate_code_waits_without_counting_an_attempt(sqlite_db, tmp_path, receiver) -> None:
    checked(sqlite_db, tmp_path)
    settings = load_settings(config(tmp_path, receiver, {"kind": "wecom", "name": "wecom"}))
    receiver.plan = ["rate"]
    hook = send_alerts(sqlite_db, settings, T).hooks[0]
    assert hook.errors == ["错误码 45009（限流）：api freq out of limit"]
    digest = next(r for r in rows(sqlite_db) if r.kind == "digest")
    assert digest.attempts == 0 and digest.state == "pending"
    assert 55 <= (digest.next_attempt_at - digest.created_at).total_seconds() <= 65


def test_rate_limit_per_minute_is_kept_and_the_rest_wait_for_the_next_run(sqlite_db, tmp_path, receiver) -> None:
    checked(sqlite_db, tmp_path)
    settings = load_settings(config(tmp_path, receiver, {"kind": "wecom", "name": "wecom", "rate_per_minute": 2},
                                    alerts="send_budget_seconds = 0.5"))
    hook = send_alerts(sqlite_db, settings, T).hooks[0]
    assert hook.messages == 2 and hook.waiting == 3 and hook.errors == []
    # Another run within the minute: the robot's two messages of this minute are counted from the database.
    assert send_alerts(sqlite_db, settings, T).hooks[0].messages == 0 and len(receiver.deliveries) == 2


def test_routing_by_region_and_kind(sqlite_db, tmp_path, receiver) -> None:
    checked(sqlite_db, tmp_path)
    settings = load_settings(config(tmp_path, receiver,
                                    {"kind": "json", "name": "fuzhou", "regions": [FUZHOU], "alerts": ["due", "veto"]},
                                    {"kind": "json", "name": "xiamen-digest", "regions": ["福建省/厦门市"], "alerts": ["digest", "feed"]}))
    receiver.secrets = {}
    send_alerts(sqlite_db, settings, T)
    by_hook = {}
    for row in rows(sqlite_db):
        by_hook.setdefault(row.webhook, []).append(row.key.split(":", 2)[:2])
    assert by_hook["fuzhou"] == [["veto", "weibo"], ["due", "weibo"], ["due", "weibo"]]
    assert by_hook["xiamen-digest"] == [["digest", "2026-09-30"], ["feed", "weibo"]]
    digest = next(d.payload for d in receiver.deliveries if d.payload["alerts"][0]["kind"] == "digest")
    data = digest["alerts"][0]["data"]
    assert (data["running"], data["veto"], data["due"], data["feeds_failing"]) == (2, 0, 0, 1)   # Xiamen's two accounts


def test_due_stages_once_each_and_a_new_post_makes_a_new_lapse(sqlite_db, tmp_path, receiver) -> None:
    checked(sqlite_db, tmp_path)
    settings = load_settings(config(tmp_path, receiver, {"kind": "json", "name": "json", "alerts": ["due"]}))
    receiver.secrets = {}
    send_alerts(sqlite_db, settings, T)
    assert [i.rsplit(":", 1)[1] for i in receiver.ids()] == ["2", "4"]       # weibo:3 at stage 2, weibo:2 at 4
    send_alerts(sqlite_db, settings, T + timedelta(days=1))                    # weibo:4 reaches 4 days; weibo:2 is at 3
    assert [i for i in receiver.ids()[2:]] == [f"due:weibo:4:no_update:{(T + timedelta(days=5)).isoformat()}:4"]
    send_alerts(sqlite_db, settings, T + timedelta(days=2))                    # weibo:2 reaches 2 days, weibo:4 is at 3
    assert receiver.ids()[3:] == [f"due:weibo:2:no_update:{(T + timedelta(days=4)).isoformat()}:2"]
    add_posts(sqlite_db, "weibo:2", ("new", T + timedelta(days=2, hours=-1)))  # it posts: the window starts again
    add_poll(sqlite_db, "weibo:2", T + timedelta(days=11), "ok", items=2)
    send_alerts(sqlite_db, settings, T + timedelta(days=12))
    assert receiver.ids()[4:] == [f"due:weibo:2:no_update:{(T + timedelta(days=16, hours=-1)).isoformat()}:4"]
    assert max(Counter(receiver.ids()).values()) == 1


def test_a_dead_robot_never_holds_up_or_fails_the_check(sqlite_db, tmp_path) -> None:
    checked(sqlite_db, tmp_path)
    with socket.socket() as sock:   # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    path = tmp_path / "dead.toml"
    path.write_text(f'[[alerts.webhooks]]\nkind = "wecom"\nname = "dead"\nurl = "http://127.0.0.1:{port}/cgi-bin/webhook/send?key=SECRETKEY99"\n',
                    encoding="utf-8")
    settings = load_settings(path)
    started = time.monotonic()
    run = run_claimed(sqlite_db, settings, "check", T, check_job)
    alerts = after_check(sqlite_db, settings, run)
    assert run.outcome == "ok" and run.counts["veto"] == 1 and time.monotonic() - started < 10
    assert alerts.outcome == "ok" and alerts.counts["alerts_delivered"] == 0 and alerts.counts["alerts_waiting"] == 5
    [error] = alerts.counts["alert_errors"]
    assert error.startswith("dead: ConnectError") and "SECRETKEY99" not in error
    assert after_check(sqlite_db, settings, run) is None   # the same check's alerts run once


SENDER = """
import sys
from tracker.cli.main import app
sys.argv = ["tracker", *sys.argv[1:]]
app()
"""


def test_a_killed_sender_loses_nothing_and_repeats_nothing(sqlite_url, tmp_path, receiver) -> None:
    db = open_database(sqlite_url)
    checked(db, tmp_path)
    db.dispose()
    receiver.secrets = {}
    path = config(tmp_path, receiver, {"kind": "json", "name": "json"}, timeout=3.0)
    receiver.plan = ["ok", "hang:30"]   # the second message never gets its answer: the sender is killed waiting
    command = [sys.executable, "-c", SENDER, "--db", sqlite_url, "--config", str(path), "alerts", "send", "--at", T.isoformat()]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while receiver.requests < 2 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.02)
    assert receiver.requests == 2, process.communicate()
    process.send_signal(signal.SIGKILL)
    process.wait(10)
    assert len(receiver.ids()) == 1   # the digest
    receiver.plan = []
    restarted = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert restarted.returncode == 0, restarted.stderr
    # The message in flight when it was killed stays leased for 3 × timeout + 5 s; the rest went.
    db = open_database(sqlite_url)
    try:
        leased = [r for r in rows(db) if r.state == "sending"]
        assert [r.kind for r in leased] == ["veto"]
        time.sleep(max(0.0, (leased[0].lease_until - now_utc()).total_seconds()) + 0.2)
        last = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
        assert last.returncode == 0, last.stderr
        assert {r.state for r in rows(db)} == {"sent"}
    finally:
        db.dispose()
    assert sorted(Counter(receiver.ids()).values()) == [1] * 5
    assert [i.split(":", 1)[0] for i in receiver.ids()] == ["digest", "due", "due", "feed", "veto"]


def test_preview_and_send_through_the_command_line(sqlite_url, tmp_path, receiver) -> None:
    db = open_database(sqlite_url)
    checked(db, tmp_path)
    db.dispose()
    path = config(tmp_path, receiver, {"kind": "wecom", "name": "wecom"})
    base = ["--db", sqlite_url, "--config", str(path), "alerts"]
    preview = runner.invoke(app, [*base, "preview", "--at", T.isoformat()])
    assert preview.exit_code == 0, preview.output
    assert "→ wecom（企业微信 127.0.0.1）：新 5" in preview.stdout and "[新] 【临期预警】还剩 2 天：发布3" in preview.stdout
    assert "wecomKEY" not in preview.stdout and receiver.requests == 0
    as_json = json.loads(runner.invoke(app, [*base, "preview", "--at", T.isoformat(), "--format", "json"]).stdout)
    assert [a["kind"] for a in as_json["webhooks"][0]["alerts"]] == KINDS
    receiver.plan = ["500"]
    failed = runner.invoke(app, [*base, "send", "--at", T.isoformat()])
    assert failed.exit_code == 1 and "失败：HTTP 500（稍后重试）" in failed.stderr and "wecomKEY" not in failed.output
    again = runner.invoke(app, [*base, "preview", "--at", T.isoformat()])
    assert "待发送 5" in again.stdout and "已试 1 次" in again.stdout and "HTTP 500" in again.stdout
    sent = runner.invoke(app, [*base, "send", "--at", T.isoformat(), "--format", "json"])
    assert sent.exit_code == 0, sent.output
    assert json.loads(sent.stdout)["alerts_delivered"] == 5


def test_alerts_test_and_no_robot(sqlite_url, tmp_path, receiver) -> None:
    path = config(tmp_path, receiver, {"kind": "feishu", "name": "feishu", "secret": "feishu-secret-1"})
    ok = runner.invoke(app, ["--db", sqlite_url, "--config", str(path), "alerts", "test", "feishu"])
    assert ok.exit_code == 0 and "已发送测试消息：feishu（飞书 127.0.0.1）" in ok.stdout
    assert "【测试】" in receiver.deliveries[0].text and receiver.deliveries[0].payload["sign"]
    by_number = runner.invoke(app, ["--db", sqlite_url, "--config", str(path), "alerts", "test", "1"])
    assert by_number.exit_code == 0
    receiver.plan = ["500"]
    bad = runner.invoke(app, ["--db", sqlite_url, "--config", str(path), "alerts", "test", "feishu"])
    assert bad.exit_code == 1 and "测试消息未送达" in bad.stderr and "feishuTOKEN" not in bad.output
    unknown = runner.invoke(app, ["--db", sqlite_url, "--config", str(path), "alerts", "test", "nope"])
    assert unknown.exit_code == 2 and "no webhook named 'nope' (webhooks: feishu)" in unknown.stderr
    none = runner.invoke(app, ["--db", sqlite_url, "alerts", "send"])
    assert none.exit_code == 2 and "[[alerts.webhooks]]" in none.stderr


def test_a_scheduled_check_sends_its_alerts_once_across_schedulers(sqlite_db, tmp_path, receiver) -> None:
    from tracker.jobs.runs import alerts_job, recent_runs
    from tracker.jobs.scheduler import _fire, schedule_triggers

    checked(sqlite_db, tmp_path)
    receiver.secrets = {}
    settings = load_settings(config(tmp_path, receiver, {"kind": "json", "name": "json"}))
    assert "alerts" in schedule_triggers(settings) and "alerts" not in schedule_triggers(load_settings())
    for host in ("a", "b"):   # two schedulers fire the same occurrence
        _fire(sqlite_db, settings, "check", check_job, host, T)
    runs = {(r.job, r.outcome) for r in recent_runs(sqlite_db)}
    assert runs == {("check", "ok"), ("notify", "ok")} and len(recent_runs(sqlite_db)) == 2
    assert len(receiver.ids()) == 5
    _fire(sqlite_db, settings, "alerts", alerts_job, "a", T + timedelta(minutes=10))   # nothing waits: no run recorded
    assert len(recent_runs(sqlite_db)) == 2

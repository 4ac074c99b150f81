"""Evidence of absence (CONTRACT §6.4): the update family fires only on spans the tool has seen;
elsewhere the account is 待核实 (`unverified`, info) with evidence saying what is missing.
Feeds are polled for real from a loopback server where the poll path matters."""

from __future__ import annotations

from datetime import timedelta
from email.utils import format_datetime
from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from connectors.base import ParsedFeed
from tests.polling.feedserver import FeedServer, Route, feed_server  # noqa: F401 - the fixture
from tests.rules.rules_helpers import add_poll, add_posts, registry
from tracker.cli.main import app
from tracker.domain.times import now_utc, to_local_iso
from tracker.judging.run import evaluate
from tracker.polling.poller import poll
from tracker.polling.store import store_poll_result
from tracker.rules.evidence import when
from tracker.settings import load_settings
from tracker.storage.db import Database
from tracker.storage.tables import PollOutcome

SETTINGS = load_settings()
SETTINGS.data["poll"].update(connect_timeout=1.0, read_timeout=1.0, total_timeout=2.0)
KEY = "weibo:2001"
EVIDENCE_KEYS = {"would_fire", "span", "seen_from", "seen_to", "missing", "last_ok_at", "failing_since",
                 "last_outcome", "history_from"}


def rss(*published) -> bytes:
    items = "".join(f"<item><title>福州市召开会议{i}</title><guid>g{i}</guid><link>https://fz.gov.cn/{i}</link>"
                    f"<pubDate>{format_datetime(moment)}</pubDate></item>" for i, moment in enumerate(published))
    return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>福州发布</title>{items}'
            f"</channel></rss>").encode()


def account(db: Database, tmp_path: Path, feed_url: str, key: str = KEY, **columns: str) -> str:
    platform, account_id = key.split(":", 1)
    registry(db, tmp_path, {"account_id": account_id, "platform": platform, "feed_url": feed_url,
                            "opened_on": "2025-01-01", **columns})
    return key


def update_findings(db: Database, at, key: str = KEY) -> dict[str, dict]:
    family = {"empty_shell", "dormant", "no_update", "low_frequency", "unverified"}
    return {f.rule: f.evidence for f in evaluate(db, SETTINGS, at) if f.account == key and f.rule in family}


def polled(db: Database, times: int = 1, key: str = KEY) -> list[str]:
    return [str(poll(db, SETTINGS, [key]).results[0].outcome) for _ in range(times)]


def test_a_feed_failing_on_every_poll_is_unverified_not_empty_shell(db: Database, tmp_path: Path,
                                                                     feed_server: FeedServer) -> None:
    url = feed_server.add("/down.xml", Route(body=b"busy", status=503))
    account(db, tmp_path, url)
    assert polled(db, 3) == ["http_error"] * 3
    with db.session() as session:
        first = session.execute(select(PollOutcome.started_at).order_by(PollOutcome.started_at)).scalars().first()
    at = now_utc()
    found = update_findings(db, at)
    assert set(found) == {"unverified"}
    evidence = found["unverified"]
    assert set(evidence) == EVIDENCE_KEYS
    assert evidence == {"would_fire": "empty_shell", "span": ["2025-01-01T00:00:00+08:00", when(at)],
                        "seen_from": None, "seen_to": None, "missing": "no_successful_fetch", "last_ok_at": None,
                        "failing_since": when(first), "last_outcome": "http_error", "history_from": None}
    finding = next(f for f in evaluate(db, SETTINGS, at) if f.rule == "unverified")
    assert finding.severity == "info"


def test_archived_posts_with_a_failing_feed_are_unverified_not_dormant(sqlite_db: Database, tmp_path: Path,
                                                                       feed_server: FeedServer) -> None:
    db = sqlite_db
    url = feed_server.add("/blocked.xml", Route(body="<html>请输入验证码</html>".encode(), status=403))
    account(db, tmp_path, url)
    old = now_utc() - timedelta(days=200)
    add_posts(db, KEY, ("a1", old), ("a2", old + timedelta(days=10)))
    polled(db, 2)
    found = update_findings(db, now_utc())
    assert set(found) == {"unverified"}
    assert found["unverified"]["would_fire"] == "dormant"
    assert found["unverified"]["history_from"] == found["unverified"]["seen_from"] == when(old)
    assert (found["unverified"]["seen_to"], found["unverified"]["missing"]) == (None, "no_successful_fetch")


def test_the_same_archive_without_a_feed_is_judged_as_fully_seen(sqlite_db: Database, tmp_path: Path) -> None:
    account(sqlite_db, tmp_path, "")
    add_posts(sqlite_db, KEY, ("a1", now_utc() - timedelta(days=200)))
    assert set(update_findings(sqlite_db, now_utc())) == {"dormant"}


def test_a_feed_whose_items_all_lie_after_the_window(sqlite_db: Database, tmp_path: Path,
                                                     feed_server: FeedServer) -> None:
    db = sqlite_db
    now = now_utc()
    newest = [now - timedelta(days=d) for d in (1, 2, 3)]
    account(db, tmp_path, feed_server.add("/fresh.xml", Route(body=rss(*newest))))
    assert polled(db) == ["ok"]
    past = now - timedelta(days=30)
    found = update_findings(db, past)
    assert set(found) == {"unverified"}
    evidence = found["unverified"]
    assert (evidence["would_fire"], evidence["missing"]) == ("empty_shell", "history_short")
    assert evidence["seen_from"] == evidence["history_from"] == when(newest[-1].replace(microsecond=0))
    assert evidence["last_ok_at"] is not None and evidence["failing_since"] is None
    assert update_findings(db, now) == {}  # three posts this week: nothing to say today


def test_a_successful_empty_feed_is_judged_with_seen_from_unbounded(sqlite_db: Database, tmp_path: Path,
                                                                    feed_server: FeedServer) -> None:
    db = sqlite_db
    account(db, tmp_path, feed_server.add("/empty.xml", Route(body=rss())))
    assert polled(db) == ["ok"]
    with db.session() as session:
        assert session.execute(select(PollOutcome.items)).scalars().all() == [0]
    found = update_findings(db, now_utc())
    assert set(found) == {"empty_shell"}
    assert found["empty_shell"]["posts"] == 0


def test_the_grace_boundary_36_hours_judged_and_one_second_more_not(sqlite_db: Database, tmp_path: Path) -> None:
    db = sqlite_db
    account(db, tmp_path, "https://rsshub.example.gov.cn/weibo/user/2001", key="weibo:2001")
    account(db, tmp_path, "https://rsshub.example.gov.cn/weibo/user/2002", key="weibo:2002", org_code="11350100MB1234567N")
    at = now_utc().replace(microsecond=0) - timedelta(days=2)
    store_poll_result(db, "weibo:2001", "ok", ParsedFeed("rss"), settings=SETTINGS, started_at=at - timedelta(hours=36))
    store_poll_result(db, "weibo:2002", "ok", ParsedFeed("rss"), settings=SETTINGS,
                      started_at=at - timedelta(hours=36, seconds=1))
    assert set(update_findings(db, at, "weibo:2001")) == {"empty_shell"}
    late = update_findings(db, at, "weibo:2002")
    assert set(late) == {"unverified"}
    assert late["unverified"]["missing"] == "fetch_failing"
    assert late["unverified"]["seen_to"] == when(at - timedelta(seconds=1))
    assert late["unverified"]["seen_from"] is None  # the empty fetch: unbounded below


def test_fetch_failing_since_names_the_first_failure_after_the_last_success(sqlite_db: Database,
                                                                            tmp_path: Path) -> None:
    db = sqlite_db
    account(db, tmp_path, "https://rsshub.example.gov.cn/weibo/user/2001")
    at = now_utc().replace(microsecond=0) - timedelta(days=1)
    store_poll_result(db, KEY, "ok", ParsedFeed("rss"), settings=SETTINGS, started_at=at - timedelta(days=9))
    add_poll(db, KEY, at - timedelta(days=8), "timeout")
    add_poll(db, KEY, at - timedelta(days=5), "blocked")
    evidence = update_findings(db, at)["unverified"]
    assert evidence["last_ok_at"] == when(at - timedelta(days=9))
    assert evidence["failing_since"] == when(at - timedelta(days=8))
    assert evidence["last_outcome"] == "blocked"
    assert evidence["missing"] == "fetch_failing"


def test_time_travel_a_later_fetch_reaching_back_far_enough_proves_a_past_window(
        sqlite_db: Database, tmp_path: Path, feed_server: FeedServer) -> None:
    db = sqlite_db
    now = now_utc()
    stale = [now - timedelta(days=d) for d in (25, 30, 35, 40)]
    route = Route(body=b"down", status=502)
    account(db, tmp_path, feed_server.add("/stale.xml", route))
    past = now - timedelta(days=10)
    add_poll(db, KEY, past - timedelta(days=1), "http_error", http_status=502)
    assert update_findings(db, past)["unverified"]["missing"] == "no_successful_fetch"
    route.body, route.status = rss(*stale), 200
    assert polled(db) == ["ok"]
    found = update_findings(db, past)  # the same past moment, seen now
    assert set(found) == {"no_update"}
    assert found["no_update"]["last_post_at"] == when(stale[0].replace(microsecond=0))


def _observe(db: Database, *args: str, code: int = 0) -> str:
    result = CliRunner().invoke(app, ["--db", db.url, "observe", KEY, "updates_seen", *args])
    assert result.exit_code == code, (result.output, result.stderr)
    return result.output + result.stderr


def test_updates_seen_with_a_time_judges_a_failing_feed(sqlite_db: Database, tmp_path: Path,
                                                        feed_server: FeedServer) -> None:
    db = sqlite_db
    account(db, tmp_path, feed_server.add("/down.xml", Route(body=b"", status=500)))
    polled(db, 3)
    now = now_utc().replace(microsecond=0)
    assert set(update_findings(db, now)) == {"unverified"}
    looked, newest = now - timedelta(hours=1), now - timedelta(days=20)
    _observe(db, "--at", to_local_iso(looked), "--latest", to_local_iso(newest), "--by", "王检查")
    found = update_findings(db, now)
    assert set(found) == {"no_update"}  # the inspector saw a post 20 days old: 14 days without one
    assert found["no_update"]["last_post_at"] == when(newest)
    assert update_findings(db, looked - timedelta(seconds=1))["unverified"]["would_fire"] == "empty_shell"
    later = now + timedelta(days=2)  # 36 h after the look nobody has seen the account
    assert update_findings(db, later)["unverified"]["seen_to"] == when(looked + timedelta(hours=36))


def test_updates_seen_none_judges_an_empty_shell_and_a_recent_post_clears_it(sqlite_db: Database, tmp_path: Path,
                                                                           feed_server: FeedServer) -> None:
    db = sqlite_db
    account(db, tmp_path, feed_server.add("/down.xml", Route(body=b"", status=500)))
    polled(db)
    now = now_utc().replace(microsecond=0)
    _observe(db, "--at", to_local_iso(now - timedelta(hours=2)), "--latest", "none")
    assert set(update_findings(db, now)) == {"empty_shell"}
    _observe(db, "--at", to_local_iso(now - timedelta(hours=1)), "--latest", to_local_iso(now - timedelta(days=1)))
    assert set(update_findings(db, now)) == {"low_frequency"}  # one post this week: judged, a warning


def test_updates_seen_is_refused_without_a_valid_latest(sqlite_db: Database, tmp_path: Path) -> None:
    account(sqlite_db, tmp_path, "")
    assert "--latest TIME" in _observe(sqlite_db, code=2)
    assert "cannot be later" in _observe(sqlite_db, "--at", "2026-11-01T10:00", "--latest", "2026-11-02T10:00", code=2)
    assert "not an ISO 8601 time" in _observe(sqlite_db, "--latest", "yesterday", code=2)
    result = CliRunner().invoke(app, ["--db", sqlite_db.url, "observe", KEY, "comments_disabled", "--latest", "none"])
    assert result.exit_code == 2 and "updates_seen only" in result.stderr


def test_apps_get_no_update_family(sqlite_db: Database, tmp_path: Path) -> None:
    db = sqlite_db
    registry(db, tmp_path, {"account_id": "ap1", "platform": "app", "opened_on": "2024-01-01",
                            "feed_url": "https://app.example.gov.cn/download"})
    add_poll(db, "app:ap1", now_utc() - timedelta(hours=3), "ok", http_status=200)
    rules = {f.rule for f in evaluate(db, SETTINGS, now_utc()) if f.account == "app:ap1"}
    assert rules == set()
    add_poll(db, "app:ap1", now_utc() - timedelta(hours=1), "unavailable", http_status=404)
    assert {f.rule for f in evaluate(db, SETTINGS, now_utc()) if f.account == "app:ap1"} == {"app_unavailable"}


def test_the_check_table_lists_unverified_apart_from_the_problems(sqlite_db: Database, tmp_path: Path,
                                                                  feed_server: FeedServer) -> None:
    db = sqlite_db
    account(db, tmp_path, feed_server.add("/down.xml", Route(body=b"", status=503)))
    registry(db, tmp_path, {"account_id": "2009", "account_name": "空壳号", "opened_on": "2025-01-01",
                            "org_code": "11350100MB1234567N"})
    polled(db, 2)  # a third failure would add feed_unreachable (info) among the problems
    result = CliRunner().invoke(app, ["--db", db.url, "check"])
    assert result.exit_code == 0, result.stderr
    head, problems_part, unverified_part = result.stdout.split("\n", 1)[0], *result.stdout.split("待核实（1）", 1)
    assert "待核实 1" in head and "发现 " in head
    assert "weibo:2001" not in problems_part and "weibo:2009" in problems_part
    assert "weibo:2001" in unverified_part and "不计入不合格" in unverified_part
    assert "待核实：订阅源从未成功抓取" in unverified_part and "weibo:2009" not in unverified_part

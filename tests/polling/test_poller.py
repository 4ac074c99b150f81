"""tracker.polling.poller against a hostile loopback server: every outcome classified, good feeds land in
the same run, memory stays bounded, nothing hostile is stored, failing accounts back off."""

from __future__ import annotations

import json
import time
import tracemalloc
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from tests.connectors.test_http import RSSHUB_503
from tests.polling.feedserver import FeedServer, Route, feed_server  # noqa: F401 - the fixture
from tests.polling.test_pipeline import add_account, count, posts_of
from tracker.cli.main import app
from tracker.polling.poller import poll
from tracker.settings import Settings, load_settings
from tracker.storage.db import Database
from tracker.storage.tables import FeedState, PollOutcome, PostRow, ProfileSnapshot

GB18030_RSS = ('<?xml version="1.0" encoding="GB18030"?><rss version="2.0"><channel><title>鼓楼区</title>'
               "<item><title>福州市鼓楼区召开㐀会议</title><guid>gb-1</guid>"
               "<pubDate>Mon, 23 Nov 2026 08:00:00 +0800</pubDate></item></channel></rss>").encode("gb18030")
WEIBO_USERINFO = json.dumps({"ok": 1, "data": {"userInfo": {
    "id": 2656274875, "screen_name": "福州发布", "verified": True, "verified_type": 1,
    "verified_reason": "福州市人民政府新闻办公室官方微博", "followers_count": "1193.2万"}}}, ensure_ascii=False).encode()
TEST_POLL = {"connect_timeout": 1.0, "read_timeout": 1.0, "total_timeout": 2.0, "max_body_bytes": 1 << 20}


def rss(prefix: str, items: int = 3, title: str = "福州市召开防汛工作会议") -> bytes:
    entries = "".join(
        f"<item><title>{title}{i}</title><guid>{prefix}-{i}</guid><link>https://fz.gov.cn/{prefix}/{i}</link>"
        f"<pubDate>Mon, 23 Nov 2026 0{i % 10}:00:00 +0800</pubDate><description>第{i}条 {title}</description></item>"
        for i in range(items))
    return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>{prefix}的微博</title>'
            f"{entries}</channel></rss>").encode()


def settings(**poll: float) -> Settings:
    loaded = load_settings()
    loaded.data["poll"].update(TEST_POLL, **poll)
    return loaded


def outcomes(report) -> dict[str, tuple]:
    return {r.account: (str(r.outcome), r.http_status) for r in report.results}


def hostile_routes(server: FeedServer, tmp_path: Path) -> dict[str, tuple[str, int | None]]:
    """Add one account per hostile source; returns account → expected (outcome, status)."""
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-XXE-MARKER", encoding="utf-8")
    billion = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
               + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">' for i in range(1, 10))
               + ']><rss version="2.0"><channel><item><title>&lol9;</title><guid>x</guid></item></channel></rss>').encode()
    xxe = (f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file://{secret}">]>'
           '<rss version="2.0"><channel><item><title>&xxe;</title><guid>xxe</guid></item></channel></rss>').encode()
    html = "text/html; charset=utf-8"
    routes = {
        "drip": (Route(body=rss("drip"), kind="drip"), ("timeout", None)),
        "hang": (Route(kind="hang"), ("timeout", None)),
        "huge": (Route(kind="huge", size=50 << 20), ("too_large", None)),
        "huge-streamed": (Route(kind="huge", size=50 << 20, content_length=False), ("too_large", None)),
        "bomb": (Route(kind="bomb", size=100 << 20), ("too_large", None)),
        "loop": (Route(kind="redirect_loop"), ("network_error", None)),
        "captcha": (Route(body="<html><head><title>安全验证</title></head><body>请输入验证码</body></html>".encode(),
                          content_type=html), ("blocked", 200)),
        "rsshub503": (Route(status=503, body=RSSHUB_503, content_type=html), ("blocked", 503)),
        "s404": (Route(status=404, body=b"not found", content_type="text/plain"), ("http_error", 404)),
        "s410": (Route(status=410, body=b"gone", content_type="text/plain"), ("http_error", 410)),
        "s500": (Route(status=500, body=b"oops", content_type="text/plain"), ("http_error", 500)),
        "malformed": (Route(body=b"<?xml version='1.0'?><rss version='2.0'><channel><item><title>a</title></channel>"),
                      ("parse_error", 200)),
        "laughs": (Route(body=billion), ("parse_error", 200)),
        "xxe": (Route(body=xxe), ("parse_error", 200)),
        "ok100": (Route(body=b'{"ok":-100,"url":"https://passport.weibo.cn/signin/welcome"}',
                        content_type="application/json"), ("platform_error", 200)),
    }
    for name, (route, _outcome) in routes.items():
        server.add(f"/{name}", route)
    return {f"weibo:{name}": outcome for name, (_route, outcome) in routes.items()}


def test_hostile_sources_are_classified_and_good_feeds_still_land(sqlite_db: Database, feed_server: FeedServer,
                                                                   tmp_path: Path) -> None:
    expected = hostile_routes(feed_server, tmp_path)
    for key in expected:
        add_account(sqlite_db, key, feed_url=feed_server.url("/" + key.split(":")[1]))
    good = [add_account(sqlite_db, f"weibo:good{i}", feed_url=feed_server.add(f"/good{i}", Route(body=rss(f"g{i}"))))
            for i in range(5)]
    gb = add_account(sqlite_db, "weibo:gb18030", feed_url=feed_server.add("/gb", Route(
        body=GB18030_RSS, content_type="application/xml")))
    profile = add_account(sqlite_db, "weibo:2656274875", feed_url=feed_server.add("/w/feed", Route(body=rss("w"))),
                          profile_url=feed_server.add("/w/profile", Route(
                              body=WEIBO_USERINFO, content_type="application/json")))
    tracemalloc.start()
    started = time.perf_counter()
    try:
        report = poll(sqlite_db, settings())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - started < 8
    got = outcomes(report)
    assert {key: got[key] for key in expected} == expected
    assert all(got[key] == ("ok", 200) for key in [*good, gb, profile])
    assert peak < 40 << 20  # 50 MB body, 100 MB bomb: never held
    for key in good:
        assert [p.post_id for p in posts_of(sqlite_db, key)] == [f"{key[6:].replace('good', 'g')}-{i}" for i in range(3)]
    assert posts_of(sqlite_db, gb)[0].title.startswith("福州市鼓楼区")
    with sqlite_db.session() as session:
        hostile_posts = session.execute(select(func.count()).select_from(PostRow).where(
            PostRow.account.in_(list(expected)))).scalar_one()
        leaked = session.execute(select(func.count()).select_from(PostRow).where(
            PostRow.text.contains("TOP-SECRET") | PostRow.title.contains("TOP-SECRET"))).scalar_one()
        snapshots = session.execute(select(ProfileSnapshot.account, ProfileSnapshot.followers)).all()
        stored = dict(session.execute(select(PollOutcome.account, PollOutcome.outcome)).all())
    assert hostile_posts == 0 and leaked == 0
    assert snapshots == [(profile, 11932000)]
    assert stored == {key: value[0] for key, value in got.items()}
    # the slow hostile sources never held up the good ones
    assert max(r.seconds for r in report.results if r.account in good) < 1.5


def test_second_poll_is_conditional_and_skips_unchanged_bodies(db: Database, feed_server: FeedServer) -> None:
    with_etag = add_account(db, "weibo:1", feed_url=feed_server.add("/etag", Route(body=rss("e"))))
    no_etag = add_account(db, "weibo:2", feed_url=feed_server.add("/plain", Route(body=rss("p"), validators=False)))
    first = poll(db, settings())
    assert outcomes(first) == {with_etag: ("ok", 200), no_etag: ("ok", 200)} and first.new_posts == 6
    second = poll(db, settings())
    assert outcomes(second) == {with_etag: ("not_modified", 304), no_etag: ("not_modified", 200)}
    assert {r.account: r.detail for r in second.results}[no_etag] == "body unchanged"
    feed_server.add("/plain", Route(body=rss("p", items=4), validators=False))
    third = poll(db, settings(), [no_etag])
    assert outcomes(third) == {no_etag: ("ok", 200)} and third.new_posts == 1
    assert count(db, PostRow) == 7


def test_failing_accounts_back_off_unless_named(sqlite_db: Database, feed_server: FeedServer) -> None:
    failing = add_account(sqlite_db, "weibo:down", feed_url=feed_server.add("/down", Route(status=500, body=b"x")))
    fine = add_account(sqlite_db, "weibo:up", feed_url=feed_server.add("/up", Route(body=rss("u"))))
    poll(sqlite_db, settings())
    report = poll(sqlite_db, settings())
    assert [r.account for r in report.results] == [fine] and report.skipped == [failing]
    assert feed_server.hits["/down"] == 1
    named = poll(sqlite_db, settings(), [failing])
    assert outcomes(named) == {failing: ("http_error", 500)} and feed_server.hits["/down"] == 2
    with sqlite_db.session() as session:
        assert session.get(FeedState, failing).consecutive_failures == 2


def test_per_host_limit_holds_and_does_not_starve_other_hosts(sqlite_db: Database, feed_server: FeedServer) -> None:
    local = feed_server.base_url.replace("127.0.0.1", "localhost")
    for i in range(8):
        add_account(sqlite_db, f"weibo:a{i}", feed_url=feed_server.add(f"/a{i}", Route(body=rss(f"a{i}"), kind="slow", delay=0.3)))
    for i in range(2):
        feed_server.add(f"/b{i}", Route(body=rss(f"b{i}"), kind="slow", delay=0.3))
        add_account(sqlite_db, f"weibo:b{i}", feed_url=f"{local}/b{i}")
    finished: list[str] = []
    report = poll(sqlite_db, settings(per_host=2), concurrency=4,
                  progress=lambda _done, _total, result: finished.append(result.account))
    assert set(outcomes(report).values()) == {("ok", 200)}
    port = feed_server.base_url.rsplit(":", 1)[1]
    assert feed_server.max_in_flight[f"127.0.0.1:{port}"] == 2
    # the accounts of the other host did not wait behind the eight of the busy one: they are
    # among the first four done (two a's and both b's in the first 0.3 s), not the last two
    assert {"weibo:b0", "weibo:b1"} <= set(finished[:4])
    assert max(r.seconds for r in report.results) < 0.9  # waiting for a slot is not the source's time


def test_app_probes(sqlite_db: Database, feed_server: FeedServer) -> None:
    apk = add_account(sqlite_db, "app:cn.gov.fz", feed_url=feed_server.add("/fz.apk", Route(
        body=b"PK\x03\x04" + b"\0" * 5000, content_type="application/vnd.android.package-archive")))
    gone = add_account(sqlite_db, "app:cn.gov.old", feed_url=feed_server.add("/old.apk", Route(status=404, body=b"no")))
    with FeedServer() as closed:
        refused_url = closed.url("/x.apk")
    refused = add_account(sqlite_db, "app:cn.gov.none", profile_url=refused_url)
    report = poll(sqlite_db, settings())
    assert outcomes(report) == {apk: ("ok", 200), gone: ("unavailable", 404), refused: ("unavailable", None)}
    assert count(sqlite_db, PostRow) == 0


def test_deregistered_and_urlless_accounts_are_not_fetched(sqlite_db: Database, feed_server: FeedServer) -> None:
    add_account(sqlite_db, "weibo:closed", feed_url=feed_server.add("/closed", Route(body=rss("c"))),
                status="deregistered")
    add_account(sqlite_db, "wechat:gh_0123456789ab")
    report = poll(sqlite_db, settings())
    assert report.results == [] and report.skipped == ["wechat:gh_0123456789ab"]
    assert feed_server.hits["/closed"] == 0


def test_cli_poll_json_and_table(sqlite_url: str, sqlite_db: Database, feed_server: FeedServer, tmp_path: Path) -> None:
    add_account(sqlite_db, "weibo:1", feed_url=feed_server.add("/1", Route(body=rss("one"))))
    add_account(sqlite_db, "weibo:2", feed_url=feed_server.add("/2", Route(status=410, body=b"gone")))
    config = tmp_path / "tracker.toml"
    config.write_text("[poll]\ntotal_timeout = 2.0\nconcurrency = 4\n", encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(app, ["--db", sqlite_url, "--config", str(config), "poll", "--format", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert [(a["account"], a["outcome"], a["http_status"], a["new_posts"]) for a in document["accounts"]] == [
        ("weibo:1", "ok", 200, 3), ("weibo:2", "http_error", 410, 0)]
    assert set(document["accounts"][0]) == {"account", "outcome", "http_status", "new_posts", "seconds", "detail"}
    assert document["summary"]["new_posts"] == 3 and document["summary"]["outcomes"] == {"http_error": 1, "ok": 1}
    table = runner.invoke(app, ["--db", sqlite_url, "--lang", "en", "poll", "weibo:1", "--concurrency", "2"])
    assert table.exit_code == 0 and "weibo:1" in table.stdout and "not_modified" in table.stdout
    unknown = runner.invoke(app, ["--db", sqlite_url, "poll", "weibo:nobody"])
    assert unknown.exit_code == 2 and "weibo:nobody" in unknown.stderr


KILLED_POLL = """
import sys
from tracker.polling.poller import poll
from tracker.settings import load_settings
from tracker.storage.db import open_database
settings = load_settings()
settings.data["poll"].update(total_timeout=5.0)
poll(open_database(sys.argv[1]), settings, concurrency=4)
"""


def test_poll_killed_with_sigkill_then_rerun_loses_and_duplicates_nothing(db_url: str, feed_server: FeedServer) -> None:
    import os
    import signal
    import subprocess
    import sys

    from tracker.storage.db import open_database

    database = open_database(db_url)
    keys = [add_account(database, f"weibo:k{i:03d}", feed_url=feed_server.add(
        f"/k{i}", Route(body=rss(f"k{i}", items=20), kind="slow", delay=0.04))) for i in range(120)]
    root = Path(__file__).resolve().parents[2]
    child = subprocess.Popen([sys.executable, "-c", KILLED_POLL, db_url], cwd=root,
                             env={**os.environ, "PYTHONPATH": str(root)})
    try:
        deadline = time.monotonic() + 60
        while count(database, PollOutcome) < 15 and time.monotonic() < deadline and child.poll() is None:
            time.sleep(0.02)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    with database.session() as session:
        polled = set(session.execute(select(PollOutcome.account)).scalars())
        per_account = dict(session.execute(select(PostRow.account, func.count()).group_by(PostRow.account)).all())
    assert 15 <= len(polled) < len(keys), "the poll was not killed half-way"
    # atomic: an account's posts are there exactly when its outcome is
    assert per_account == {key: 20 for key in polled}
    report = poll(database, settings(total_timeout=5.0))
    assert {str(r.outcome) for r in report.results} <= {"ok", "not_modified"}
    with database.session() as session:
        per_account = dict(session.execute(select(PostRow.account, func.count()).group_by(PostRow.account)).all())
    assert per_account == {key: 20 for key in keys}
    database.dispose()


def test_feed_and_profile_of_one_account_combine(sqlite_db: Database, feed_server: FeedServer) -> None:
    key = add_account(sqlite_db, "weibo:3", feed_url=feed_server.add("/3/feed", Route(body=rss("three"))),
                      profile_url=feed_server.add("/3/profile", Route(status=503, body=RSSHUB_503, content_type="text/html")))
    report = poll(sqlite_db, settings())
    [result] = report.results
    assert (str(result.outcome), result.http_status, result.new_posts) == ("blocked", 503, 3)
    assert result.detail.startswith("profile: ")
    feed_server.add("/3/profile", Route(body=WEIBO_USERINFO, content_type="application/json"))
    [again] = poll(sqlite_db, settings(), [key]).results
    # the feed's validators were not kept after the failure: fetched again, nothing new
    assert (str(again.outcome), again.new_posts) == ("ok", 0)
    assert count(sqlite_db, ProfileSnapshot) == 1 and count(sqlite_db, PostRow) == 3


def test_cli_poll_worker_joins_the_run(sqlite_url: str, sqlite_db: Database, feed_server: FeedServer) -> None:
    for i in range(3):
        add_account(sqlite_db, f"weibo:w{i}", feed_url=feed_server.add(f"/w{i}", Route(body=rss(f"w{i}"))))
    result = CliRunner().invoke(app, ["--db", sqlite_url, "poll", "--worker", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["accounts"] == 3 and count(sqlite_db, PostRow) == 9


def test_odd_urls_and_a_failing_parser_are_outcomes_not_crashes(sqlite_db: Database, feed_server: FeedServer,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    import tracker.polling.poller as poller_module

    def broken_parser(body: bytes, **_kwargs: object) -> None:
        if b"boom" in body:
            raise RecursionError("maximum recursion depth exceeded")
        return real_parser(body, **_kwargs)

    real_parser = poller_module.parse_body
    monkeypatch.setattr(poller_module, "parse_body", broken_parser)
    boom = add_account(sqlite_db, "weibo:boom", feed_url=feed_server.add("/boom", Route(body=b"<rss>boom</rss>")))
    ftp = add_account(sqlite_db, "weibo:ftp", feed_url="ftp://127.0.0.1/feed.xml")
    junk = add_account(sqlite_db, "weibo:junk", feed_url="http://[::1")
    fine = add_account(sqlite_db, "weibo:fine", feed_url=feed_server.add("/fine", Route(body=rss("fine"))))
    got = outcomes(poll(sqlite_db, settings()))
    assert got == {boom: ("parse_error", 200), ftp: ("network_error", None), junk: ("network_error", None),
                   fine: ("ok", 200)}

"""Issue 13 item 9: one value never aborts a poll — an out-of-range follower count spoils only
its own account's profile value (recorded as that account's outcome, which backs off), and an
out-of-range date spoils only its item; `ingest` refuses such a date line by line."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from tests.polling.feedserver import FeedServer, Route, feed_server  # noqa: F401 - the fixture
from tests.polling.test_pipeline import add_account, posts_of
from tests.polling.test_poller import rss, settings
from tracker.cli.main import app
from tracker.polling.poller import poll
from tracker.storage.db import Database
from tracker.storage.tables import FeedState, ProfileSnapshot


def userinfo(followers: object) -> bytes:
    return json.dumps({"ok": 1, "data": {"userInfo": {
        "id": 1, "screen_name": "福州发布", "verified": True, "verified_reason": "福州市人民政府新闻办公室官方微博",
        "followers_count": followers}}}, ensure_ascii=False).encode()


def test_out_of_range_follower_counts_spoil_only_their_account(db: Database, feed_server: FeedServer) -> None:
    json_type = "application/json"
    accounts = {}
    for name, followers in (("billions", "30亿"), ("huge", 1e20), ("fine", "1193.2万")):
        accounts[name] = add_account(
            db, f"weibo:{name}", feed_url=feed_server.add(f"/{name}/feed", Route(body=rss(name))),
            profile_url=feed_server.add(f"/{name}/profile", Route(body=userinfo(followers), content_type=json_type)))
    report = poll(db, settings())
    got = {r.account: r for r in report.results}
    assert str(got["weibo:fine"].outcome) == "ok"
    for name in ("billions", "huge"):
        result = got[accounts[name]]
        assert str(result.outcome) == "parse_error", result.detail
        assert "follower count" in result.detail and "out of range" in result.detail
    # every account's posts landed, the culprits' too (the feed itself was fine)
    assert {name: len(posts_of(db, key)) for name, key in accounts.items()} == {"billions": 3, "huge": 3, "fine": 3}
    with db.session() as session:
        snaps = {row.account: row for row in session.execute(select(ProfileSnapshot)).scalars()}
        states = {row.account: row for row in session.execute(select(FeedState)).scalars()}
    assert snaps["weibo:fine"].followers == 11_932_000
    assert snaps["weibo:billions"].followers is None and snaps["weibo:billions"].display_name == "福州发布"
    assert snaps["weibo:huge"].followers is None
    assert states["weibo:fine"].next_poll_at is None
    assert states["weibo:billions"].consecutive_failures == 1 and states["weibo:billions"].next_poll_at is not None
    assert states["weibo:huge"].next_poll_at is not None
    again = poll(db, settings())  # the culprits back off; the good account is polled again
    assert {r.account for r in again.results} == {"weibo:fine"}
    assert set(again.skipped) == {"weibo:billions", "weibo:huge"}


def atom(date: str) -> bytes:
    return (f'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>x</id>'
            f"<updated>{date}</updated>"
            f'<entry><id>odd</id><title>A</title><updated>{date}</updated><link href="https://fz.gov.cn/a"/></entry>'
            '<entry><id>good</id><title>B</title><updated>2026-11-23T08:00:00+08:00</updated>'
            '<link href="https://fz.gov.cn/b"/></entry></feed>').encode()


def test_an_out_of_range_date_spoils_only_its_item(db: Database, feed_server: FeedServer) -> None:
    keys = [add_account(db, f"weibo:d{i}", feed_url=feed_server.add(f"/d{i}", Route(body=atom(date),
                                                                               content_type="application/atom+xml")))
            for i, date in enumerate(("0001-01-01T00:00:00", "9999-12-31T23:59:59-12:00"))]
    report = poll(db, settings())
    assert {str(r.outcome) for r in report.results} == {"ok"}
    for key in keys:
        rows = {row.post_id: row.published_at for row in posts_of(db, key)}
        assert rows.keys() == {"odd", "good"} and rows["odd"] is None and rows["good"] is not None


def test_ingest_of_an_out_of_range_date_is_a_line_problem(db_url: str, db: Database, tmp_path: Path) -> None:
    add_account(db, "weibo:1")
    lines = [{"account": "weibo:1", "id": "p1", "published_at": "0001-01-01T00:00:00", "title": "a", "text": "b"},
             {"account": "weibo:1", "id": "p2", "published_at": "9999-12-31T23:59:59-12:00", "title": "a"},
             {"account": "weibo:1", "id": "p3", "published_at": "2026-07-01T08:00:00+08:00", "title": "a"}]
    archive = tmp_path / "odd.jsonl"
    archive.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    runner = CliRunner()
    refused = runner.invoke(app, ["--db", db_url, "--lang", "en", "ingest", str(archive)])
    assert (refused.exit_code != 0 and refused.exception is None) or isinstance(refused.exception, SystemExit)
    assert "Traceback" not in refused.output and "line 1" in refused.output and "out of range" in refused.output
    assert posts_of(db, "weibo:1") == []
    skipped = runner.invoke(app, ["--db", db_url, "--lang", "en", "ingest", "--skip-bad", str(archive)])
    assert skipped.exit_code == 0, skipped.output
    assert "line 2" in skipped.output and "skipped" in skipped.output
    assert [row.post_id for row in posts_of(db, "weibo:1")] == ["p3"]

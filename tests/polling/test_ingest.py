"""tracker ingest (CONTRACT §5.4): validated, all or nothing unless --skip-bad, idempotent, streaming."""

from __future__ import annotations

import json
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from connectors.base import Outcome, ParsedFeed
from tests.polling.test_pipeline import add_account, count, post
from tracker.cli.main import app
from tracker.domain.errors import FileProblems, TrackerError
from tracker.polling.ingest import ingest_file
from tracker.polling.store import store_poll_result
from tracker.settings import load_settings
from tracker.storage.db import Database
from tracker.storage.tables import PostRow

DATA = Path(__file__).resolve().parents[1] / "data" / "ingest"
ARCHIVE = DATA / "archive_2026q3.jsonl"
PROBLEMS = DATA / "problems.jsonl"
SETTINGS = load_settings()
ACCOUNTS = ("weibo:2656274875", "douyin:fzfb", "wechat:gh_0123456789ab")


@pytest.fixture
def registered(db: Database) -> Database:
    for key in ACCOUNTS:
        add_account(db, key)
    return db


def stored(db: Database) -> dict[str, PostRow]:
    with db.session() as session:
        return {row.post_id: row for row in session.execute(select(PostRow)).scalars()}


def test_archive_loads_every_field_and_twice_changes_nothing(registered: Database) -> None:
    report = ingest_file(registered, SETTINGS, ARCHIVE)
    assert (report.lines, report.loaded, report.duplicates, report.bad) == (6, 6, 0, 0)
    rows = stored(registered)
    first = rows["4951234567890123"]
    assert first.account == "weibo:2656274875" and first.source == "ingest"
    assert first.published_at == datetime(2026, 7, 1, 0, 0, tzinfo=UTC)
    assert (first.is_repost, first.is_pinned, first.is_ad, first.comments_enabled) == (False, False, False, None)
    assert rows["4951234567890124"].is_repost is True
    pinned = rows["4951234567890125"]  # a numeric id is an id
    assert pinned.is_pinned and pinned.comments_enabled is True
    assert pinned.published_at == datetime(2026, 7, 3, 10, 0, tzinfo=UTC)
    video = rows["7391234567890123456"]
    assert video.published_at == datetime(2026, 7, 5, 12, 15, tzinfo=UTC)  # no offset: Asia/Shanghai
    assert video.comments_enabled is False and video.title == ""
    notice = rows["2247483651_1"]
    assert notice.published_at == datetime(2026, 7, 7, 15, 59, 59, 999999, tzinfo=UTC)  # a bare date: end of day
    assert notice.links == ["https://mp.weixin.qq.com/s/XyZ"] and notice.url is None
    again = ingest_file(registered, SETTINGS, ARCHIVE)
    assert (again.loaded, again.duplicates) == (0, 6) and count(registered, PostRow) == 6


SIGNAL_LINES = [  # what government accounts post: hotlines, mobiles, IDs, links, stop notices, reposts
    ("s1", "咨询电话：0591-87654321，联系人王先生13912345678。", None),
    ("s2", "限时抢购 https://item.jd.com/100012043978.html 好物推荐", None),
    ("s3", "本账号即日起停止更新，相关信息请关注“福州发布”。", None),
    ("s4", "坚持中国特色社会主意，详情 www.fuzhou.gov.cn/zwgk", None),
    ("s5", "身份证号11010519491231002X，电话１３９１２３４５６７８", None),
    ("s6", "臺灣國 相关表述 //@福州发布:转发", "https://m.tb.cn/h.5xYzAbC"),
    ("s7", "市民服务热线12345，24小时受理。", "https://weibo.com/2656274875/O1aBcDeFi"),
]


def _signals(db: Database) -> dict[str, tuple]:
    with db.session() as session:
        rows = session.execute(select(PostRow.post_id, PostRow.sig_ad_domain, PostRow.sig_privacy,
                                      PostRow.sig_lexicon, PostRow.sig_stop_notice, PostRow.signals_version))
        return {row[0]: tuple(row[1:]) for row in rows}


def test_ingest_stores_the_signals_a_check_would_compute(registered: Database, tmp_path: Path) -> None:
    from sqlalchemy import update

    from tracker.judging.signals import refresh_signals

    path = tmp_path / "signals.jsonl"
    path.write_text("".join(json.dumps({"account": "weibo:2656274875", "id": key, "published_at": "2026-07-01T08:00:00+08:00",
                                        "text": text, "url": url}, ensure_ascii=False) + "\n"
                            for key, text, url in SIGNAL_LINES), encoding="utf-8")
    ingest_file(registered, SETTINGS, path)
    at_ingest = _signals(registered)
    assert at_ingest["s1"][1] == "手机号 139****5678" and at_ingest["s2"][0] == "item.jd.com"
    assert at_ingest["s3"][3] is True and at_ingest["s4"][2] and at_ingest["s5"][1].startswith("身份证号 110105")
    assert at_ingest["s6"][0] == "m.tb.cn" and at_ingest["s6"][2] and at_ingest["s7"][:4] == (None, None, None, False)
    assert refresh_signals(registered, SETTINGS) == 0  # the check has nothing left to compute
    with registered.write() as session:  # as if stored under other lists: the check recomputes them all
        session.execute(update(PostRow).values(signals_version="sig0", sig_ad_domain=None, sig_privacy=None,
                                               sig_lexicon=None, sig_stop_notice=False))
    assert refresh_signals(registered, SETTINGS) == len(SIGNAL_LINES)
    assert _signals(registered) == at_ingest


def test_a_post_seen_by_poll_and_by_ingest_is_stored_once(registered: Database) -> None:
    store_poll_result(registered, "weibo:2656274875", Outcome.OK, ParsedFeed("weibo", [post("4951234567890123")]),
                      settings=SETTINGS)
    report = ingest_file(registered, SETTINGS, ARCHIVE)
    assert (report.loaded, report.duplicates) == (5, 1) and count(registered, PostRow) == 6


def test_bad_lines_are_all_reported_and_nothing_loads(registered: Database) -> None:
    with pytest.raises(FileProblems) as caught:
        ingest_file(registered, SETTINGS, PROBLEMS)
    problems = [(p.row, p.column) for p in caught.value.problems]
    assert problems == [(2, "published_at"), (3, ""), (4, "account"), (5, "id"), (6, "is_repost"), (7, "")]
    message = str(caught.value)
    assert "line 4, field account: 'weibo:9999999999': unknown account" in message
    assert "nothing was written" in message and count(registered, PostRow) == 0


def test_skip_bad_loads_the_good_lines(registered: Database) -> None:
    report = ingest_file(registered, SETTINGS, PROBLEMS, skip_bad=True)
    assert (report.lines, report.loaded, report.bad) == (8, 2, 6)
    assert [p.row for p in report.problems] == [2, 3, 4, 5, 6, 7]
    assert sorted(stored(registered)) == ["p-ok-1", "p-ok-2"]


def test_cli_exit_codes_and_messages(sqlite_url: str, sqlite_db: Database) -> None:
    for key in ACCOUNTS:
        add_account(sqlite_db, key)
    runner = CliRunner()
    bad = runner.invoke(app, ["--db", sqlite_url, "ingest", str(PROBLEMS)])
    assert bad.exit_code == 2 and "line 3" in bad.stderr and "Traceback" not in bad.output
    assert count(sqlite_db, PostRow) == 0
    skipped = runner.invoke(app, ["--db", sqlite_url, "ingest", str(PROBLEMS), "--skip-bad", "--format", "json"])
    assert skipped.exit_code == 0 and "line 7" in skipped.stderr
    document = json.loads(skipped.stdout)
    assert (document["loaded"], document["bad"]) == (2, 6)
    good = runner.invoke(app, ["--db", sqlite_url, "--lang", "en", "ingest", str(ARCHIVE)])
    assert good.exit_code == 0 and "6 new posts" in good.stdout
    missing = runner.invoke(app, ["--db", sqlite_url, "ingest", str(DATA / "no-such-file.jsonl")])
    assert missing.exit_code == 2 and "no-such-file.jsonl" in missing.stderr


def test_missing_file_is_a_clear_error(registered: Database) -> None:
    with pytest.raises(TrackerError, match="cannot read"):
        ingest_file(registered, SETTINGS, DATA / "absent.jsonl")


def _write_posts(path: Path, lines: int) -> None:
    text = "福州市召开防汛工作会议，部署全市防汛防台风工作。" * 8
    with path.open("w", encoding="utf-8") as out:
        for number in range(lines):
            out.write(json.dumps({"account": ACCOUNTS[number % 3], "id": f"s{number}", "text": text,
                                  "published_at": "2026-07-01T08:00:00+08:00"}, ensure_ascii=False) + "\n")


def test_memory_stays_constant_as_the_file_grows(sqlite_db: Database, tmp_path: Path) -> None:
    for key in ACCOUNTS:
        add_account(sqlite_db, key)
    peaks = []
    for lines in (5_000, 20_000):  # 2 MB and 8 MB of posts
        path = tmp_path / f"{lines}.jsonl"
        _write_posts(path, lines)
        tracemalloc.start()
        try:
            report = ingest_file(sqlite_db, SETTINGS, path)
            peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
        assert report.loaded == lines - (5_000 if lines == 20_000 else 0)
    assert peaks[1] < peaks[0] * 1.5 and peaks[1] < 24 << 20  # about 16 MiB since ingest computes the signals (lexicon automaton)


def test_a_byte_order_mark_is_not_a_bad_line(registered: Database, tmp_path: Path) -> None:
    path = tmp_path / "bom.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + ARCHIVE.read_bytes())
    assert ingest_file(registered, SETTINGS, path).loaded == 6


def test_a_date_out_of_range_spoils_only_its_own_line(registered: Database, tmp_path: Path) -> None:
    lines = [{"account": "weibo:2656274875", "id": f"range-{n}", "published_at": when, "title": "t", "text": "x"}
             for n, when in enumerate(("0001-01-01T00:00:00", "9999-12-31T23:59:59-12:00",
                                       "2026-07-01T08:00:00+08:00"))]
    path = tmp_path / "range.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    with pytest.raises(FileProblems) as caught:
        ingest_file(registered, SETTINGS, path)
    assert [(p.row, p.column) for p in caught.value.problems] == [(1, "published_at"), (2, "published_at")]
    assert "out of range" in str(caught.value)
    report = ingest_file(registered, SETTINGS, path, skip_bad=True)
    assert (report.loaded, report.bad) == (1, 2)
    assert stored(registered)["range-2"].published_at.replace(tzinfo=UTC) == datetime(2026, 7, 1, 0, 0, tzinfo=UTC)


def _mixed_lines(lines: int) -> bytes:
    """Posts with the text signals, duplicates (in the file and across chunks), blank and bad lines."""
    texts = [text for _id, text, _url in SIGNAL_LINES] + ["福州市召开防汛工作会议。" * 5, "深沈的回覆 ｈｔｔｐｓ：／／ｉｔｅｍ．ｊｄ．ｃｏｍ／１"]
    out = []
    for number in range(lines):
        if number % 37 == 5:
            out.append(b"not json\n")
        elif number % 89 == 7:
            out.append(b"\n")
        else:
            out.append(json.dumps({"account": ACCOUNTS[number % 3], "id": f"m{number % 700}", "text": texts[number % len(texts)],
                                   "published_at": f"2026-07-{1 + number % 28:02d}T08:00:00+08:00",
                                   "url": f"https://weibo.com/{number}"}, ensure_ascii=False).encode() + b"\n")
    return b"".join(out)


def _all_rows(db: Database, *, ids: bool = True) -> list[tuple]:
    skipped = {"first_seen_at"} | (set() if ids else {"id"})
    with db.session() as session:
        return [tuple(row) for row in session.execute(select(*(
            column for column in PostRow.__table__.columns if column.name not in skipped)).order_by(PostRow.id))]


@pytest.mark.parametrize("skip_bad", [True, False])
def test_a_process_pool_stores_what_one_process_stores(db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     skip_bad: bool) -> None:
    """Chunks cut anywhere, prepared by two workers: the same rows in the same order (on SQLite the
    same ids), the same report, the same errors."""
    from tracker.polling import ingest

    monkeypatch.setattr(ingest, "_CHUNK_BYTES", 3000)  # many chunks, cut in the middle of lines
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + _mixed_lines(12_000))
    for key in ACCOUNTS:
        add_account(db, key)
    results = []
    for workers in (0, 2):
        try:
            report = ingest.ingest_file(db, SETTINGS, path, skip_bad=skip_bad, workers=workers)
            results.append((report.as_dict(), _all_rows(db, ids=db.dialect == "sqlite")))
        except FileProblems as problems:
            results.append(([str(p) for p in problems.problems], _all_rows(db)))
        with db.write() as session:
            session.execute(PostRow.__table__.delete())  # SQLite then numbers from 1 again
    assert results[0] == results[1]
    if skip_bad:
        report, rows = results[0]
        assert report["bad"] == len([n for n in range(12_000) if n % 37 == 5]) and len(rows) == 2100
        assert sum(1 for row in rows if row[-1] is not None) == 2100  # every post has its signals
    else:
        assert results[0][1] == [] and len(results[0][0]) == 201  # 200 listed, then "… and N more"


def test_a_big_load_rebuilds_the_indexes_it_dropped(sqlite_db: Database, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """On SQLite a load big for the table drops the secondary indexes and builds them again in the
    same transaction: the same schema, statistics and rows; a failed load keeps them all."""
    from tracker.polling import ingest
    from tracker.storage.db import open_database

    def schema(db: Database) -> list[tuple]:
        with db.session() as session:
            return [tuple(row) for row in session.connection().exec_driver_sql(
                "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'post' ORDER BY name")]

    other = open_database(f"sqlite:///{tmp_path}/other.db")
    for db in (sqlite_db, other):
        for key in ACCOUNTS:
            add_account(db, key)
        with db.write() as session:
            session.connection().exec_driver_sql("ANALYZE")
    before = schema(sqlite_db)
    with sqlite_db.session() as session:
        stats = session.connection().exec_driver_sql("SELECT * FROM sqlite_stat1 ORDER BY idx").all()
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(_mixed_lines(12_000))
    monkeypatch.setattr(ingest, "_REBUILD_MIN_POSTS", 100)
    dropped = []
    real = ingest._Loader._maybe_drop_indexes

    def spy(self, share: float) -> None:
        real(self, share)
        dropped.append(len(self.dropped))

    monkeypatch.setattr(ingest._Loader, "_maybe_drop_indexes", spy)
    late = tmp_path / "late.jsonl"  # the bad line last: thousands of posts written, indexes dropped, then rolled back
    late.write_bytes(_mixed_lines(12_000).replace(b"not json\n", b"") + b"not json\n")
    with pytest.raises(FileProblems):
        ingest.ingest_file(sqlite_db, SETTINGS, late)
    assert schema(sqlite_db) == before and count(sqlite_db, PostRow) == 0 and dropped == [4]
    report = ingest.ingest_file(sqlite_db, SETTINGS, path, skip_bad=True)
    assert dropped == [4, 4] and schema(sqlite_db) == before
    with sqlite_db.session() as session:
        assert session.connection().exec_driver_sql("SELECT * FROM sqlite_stat1 ORDER BY idx").all() == stats
        assert session.connection().exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    monkeypatch.setattr(ingest, "_REBUILD_MIN_POSTS", 10**9)
    plain = ingest.ingest_file(other, SETTINGS, path, skip_bad=True)
    assert report.as_dict() | {"file": ""} == plain.as_dict() | {"file": ""} and _all_rows(sqlite_db) == _all_rows(other)
    again = ingest.ingest_file(sqlite_db, SETTINGS, path, skip_bad=True)  # all stored already: nothing dropped
    monkeypatch.setattr(ingest, "_REBUILD_MIN_POSTS", 100)
    again = ingest.ingest_file(sqlite_db, SETTINGS, path, skip_bad=True)
    assert again.loaded == 0 and dropped[-1] == 0 and schema(sqlite_db) == before


@pytest.mark.parametrize("text", ['{"a": 1}\n', '{"a": 1}\r\n', '{"a": 1}', '{"a": 1} \n', '{"a": 1}\n\n', '{"a": 1}x\n',
                                  '{"a": 1}{"b": 2}\n', '{"a":\n', '{"a": NaN}\n', '{"a": "\\ud800"}\n', ' {"a": 1}\n',
                                  '{"a": [1, 2, {"b": null}]}\t\n', '{"a": 1}\u3000\n', '{', '{}', '[1]\n', '"s"\n', '{"a" 1}'])
def test_the_json_fast_path_reads_and_fails_like_json_loads(text: str) -> None:
    from tracker.polling.ingest import _loads

    try:
        expected: object = json.loads(text)
    except json.JSONDecodeError as exc:
        with pytest.raises(json.JSONDecodeError) as caught:
            _loads(text)
        assert (caught.value.msg, caught.value.pos, caught.value.colno) == (exc.msg, exc.pos, exc.colno)
        return
    assert _loads(text) == expected and type(_loads(text)) is type(expected)


def test_the_pool_is_for_big_files_and_spare_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    from tracker.polling import ingest

    for cores, on_sqlite, on_postgresql in ((1, 0, 0), (2, 0, 2), (3, 2, 3), (8, 4, 4)):
        monkeypatch.setattr(ingest.os, "sched_getaffinity", lambda _pid, n=cores: set(range(n)), raising=False)
        assert ingest.pool_workers(1 << 30) == on_sqlite
        assert ingest.pool_workers(1 << 30, sqlite=False) == on_postgresql
        assert ingest.pool_workers(1 << 20) == ingest.pool_workers(1 << 20, sqlite=False) == 0


def test_a_raw_control_character_is_named_once(registered: Database, tmp_path: Path) -> None:
    path = tmp_path / "control.jsonl"
    path.write_text('{"account": "weibo:2656274875", "id": "c1", "text": "a\x1bb"}\n', encoding="utf-8")
    with pytest.raises(FileProblems) as caught:
        ingest_file(registered, SETTINGS, path)
    reason = caught.value.problems[0].reason
    assert reason.startswith("not valid JSON (Invalid control character at column ") and " at at " not in reason

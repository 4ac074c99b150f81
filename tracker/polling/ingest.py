"""`tracker ingest FILE.jsonl`: archived posts, one JSON object a line (docs/contract.md §5.4).

One pass over the file, streamed (constant memory whatever its size), inside one transaction:
good lines are inserted in batches with `INSERT … ON CONFLICT (account, post_id) DO NOTHING`, so
loading a file twice changes nothing. Every bad line (not JSON, a field of the wrong type, a bad
time, an unknown account) is reported with its line number; unless `skip_bad`, one bad line
rolls everything back and nothing loads.
"""

from __future__ import annotations

import codecs
import gc
import io
import json
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from operator import itemgetter
from pathlib import Path
from typing import IO, Any

from sqlalchemy import select
from sqlmodel import col

from tracker.domain.errors import FileProblems, RowProblem, TrackerError
from tracker.domain.times import SHANGHAI, TimeParseError, now_utc, parse_at
from tracker.polling.store import stored_post_id
from tracker.rules.signals import SIGNAL_COLUMNS, SignalConfig, signal_config, text_signals
from tracker.settings import Settings
from tracker.storage.db import Database
from tracker.storage.tables import Account

_BATCH = 5000
_SQLITE_CACHE_KIB = 131072
_MAX_LISTED = 200  # problems listed in the error; the count covers them all
_CHUNK_BYTES = 1 << 20  # lines are read, parsed and given their signals a chunk at a time
_POOL_MIN_BYTES = 32 << 20  # files this big may be parsed by a process pool (see pool_workers)
_POOL_MAX_WORKERS = 4
# On SQLite, a load expected to add this many posts, and at least as many as the table holds,
# drops these indexes of `post` and builds them again before it commits (see _Loader): those
# whose keys land all over the B-tree. The others cost little as they are: the partial ones
# take few posts, signals_version appends (one key), and ON CONFLICT needs the unique one.
_REBUILD_MIN_POSTS = 200_000
_REBUILT_INDEXES = ("ix_post_account_published", "ix_post_published_at", "ix_post_account_comments", "ix_post_repost")


@dataclass(frozen=True)
class LineProblem(RowProblem):
    def __str__(self) -> str:
        if self.row == 0:  # a note about the list, not about one line
            return self.reason
        where = f"line {self.row}" + (f", field {self.column}" if self.column else "")
        shown = self.value if len(self.value) <= 60 else self.value[:57] + "…"
        return f"{where}: {shown!r}: {self.reason}"


@dataclass
class IngestReport:
    path: str
    lines: int = 0          # non-blank lines read
    loaded: int = 0         # posts new to the database
    duplicates: int = 0     # good lines whose post was already stored (or repeated in the file)
    bad: int = 0
    problems: list[LineProblem] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.path, "lines": self.lines, "loaded": self.loaded, "duplicates": self.duplicates,
                "bad": self.bad, "problems": [str(p) for p in self.problems]}


class _Bad(ValueError):
    def __init__(self, column: str, value: Any, reason: str) -> None:
        super().__init__(reason)
        self.column, self.value, self.reason = column, value, reason


def _text(record: dict, name: str, *, required: bool = False) -> str | None:
    value = record.get(name)
    if value is None:
        if required:
            raise _Bad(name, "", "required")
        return None
    if isinstance(value, int) and not isinstance(value, bool) and name == "id":
        return str(value)  # numeric ids (Weibo mid, Douyin aweme_id) are ids all the same
    if not isinstance(value, str):
        raise _Bad(name, value, f"must be a string, got {type(value).__name__}")
    if required and not value.strip():
        raise _Bad(name, value, "must not be empty")
    return value


def _flag(record: dict, name: str, *, nullable: bool = False) -> bool | None:
    value = record.get(name, None if nullable else False)
    if value is None and nullable:
        return None
    if not isinstance(value, bool):
        raise _Bad(name, value, "must be true or false" + (" or null" if nullable else ""))
    return value


def _time(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        try:
            return parse_at(text)  # bare dates and the other forms the contract accepts
        except TimeParseError as exc:
            raise _Bad("published_at", text, "not an ISO 8601 time") from exc
    if len(text) <= 10:
        return parse_at(text)
    try:
        return (moment if moment.tzinfo else moment.replace(tzinfo=SHANGHAI)).astimezone(UTC)
    except OverflowError as exc:  # 0001-01-01T00:00:00 in Shanghai, 9999-12-31T23:59:59-12:00
        raise _Bad("published_at", text, "out of range (before year 1 or after 9999 in UTC)") from exc


def _links(record: dict) -> tuple[str, ...]:
    value = record.get("links")
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise _Bad("links", value, "must be a list of strings")
    return tuple(value)


# One good line: (account, post_id, published_at, title, text, url, links, is_repost, is_pinned,
# is_ad, comments_enabled) — the fields of `Post` after the account, in its order.
Line = tuple


def _plain(record: Any, known: set[str] | frozenset[str]) -> Line | None:
    """The common line — every field present is of the right type — read without a call per
    field; anything else goes through the checks that name the problem."""
    if type(record) is not dict or "links" in record:
        return None
    get = record.get
    account, post_id, published = get("account"), get("id"), get("published_at")
    title, text, url = get("title"), get("text"), get("url")
    repost, pinned, ad, comments = get("is_repost", False), get("is_pinned", False), get("is_ad", False), \
        get("comments_enabled")
    if (type(account) is str and account in known and type(post_id) is str and post_id.strip()
            and type(published) is str and len(published) > 10
            and (title is None or type(title) is str) and (text is None or type(text) is str)
            and (url is None or type(url) is str) and type(repost) is bool and type(pinned) is bool
            and type(ad) is bool and (comments is None or type(comments) is bool)):
        return account, post_id, _time(published), title or "", text or "", url, (), repost, pinned, ad, comments
    return None


# What json.loads runs, without its two whitespace regexes (an instance attribute the stubs omit).
_SCAN: Callable[[str, int], tuple[Any, int]] = vars(json.JSONDecoder())["scan_once"]


def _loads(text: str) -> Any:
    """`json.loads(text)`: the usual line (an object, then the line break) straight from the
    scanner; anything else, and every error, through json.loads itself."""
    if text.startswith("{"):
        try:
            value, end = _SCAN(text, 0)
        except Exception:  # json.loads raises it again, as it words it
            return json.loads(text)
        if end == len(text) or text[end:] in ("\n", "\r\n"):
            return value
    return json.loads(text)


def parse_line(raw: bytes, known: set[str] | frozenset[str]) -> Line:
    """One line → its fields (see `Line`); raises _Bad naming the field."""
    shown = raw[:60].decode("utf-8", "replace").strip()
    try:
        record = _loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise _Bad("", shown, f"not UTF-8 (byte {exc.start + 1})") from exc
    except json.JSONDecodeError as exc:
        raise _Bad("", shown, f"not valid JSON ({exc.msg.removesuffix(' at')} at column {exc.colno})") from exc
    plain = _plain(record, known)
    if plain is not None:
        return plain
    if not isinstance(record, dict):
        raise _Bad("", shown, "not a JSON object")
    account = _text(record, "account", required=True)
    if account not in known:
        raise _Bad("account", account, "unknown account (not in the registry)")
    published = _text(record, "published_at", required=True)
    if published is None:  # `required` raised already
        raise _Bad("published_at", "", "required")
    return (account, _text(record, "id", required=True), _time(published), _text(record, "title") or "",
            _text(record, "text") or "", _text(record, "url"), _links(record), _flag(record, "is_repost"),
            _flag(record, "is_pinned"), _flag(record, "is_ad"), _flag(record, "comments_enabled", nullable=True))


_COLUMNS = ("account", "post_id", "published_at", "title", "text", "url", "links", "is_repost", "is_pinned",
            "is_ad", "comments_enabled", "first_seen_at", "source")


def _sqlite_time(moment: datetime | None) -> str | None:
    """SQLAlchemy's SQLite DATETIME text (naive UTC, always with microseconds), so that the
    rows compare and read back exactly like rows written through the ORM."""
    if moment is None:
        return None
    if moment.tzinfo is not UTC:
        moment = moment.astimezone(UTC)
    return moment.isoformat(" ", "microseconds")[:26]


def _naive_utc(moment: datetime | None) -> datetime | None:
    return None if moment is None else moment.astimezone(UTC).replace(tzinfo=None)


# What `_Prepare` makes of one chunk of the file: (rows for the driver, in file order; the first
# problems of the chunk, at most _MAX_LISTED; non-blank lines; bad lines; bytes).
Chunk = tuple[list[tuple[Any, ...]], list[LineProblem], int, int, int]


class _Prepare:
    """Turns a chunk of lines into rows ready for the driver: each line checked, parsed and given
    its text signals (`tracker.rules.signals.text_signals`), which are stored with the post — a
    check recomputes them only when the lexicons, domains or phrases change. The same work
    whether done here or in a worker process of the pool."""

    def __init__(self, known: frozenset[str], signals: SignalConfig, sqlite: bool, seen_at: datetime,
                 skip_bad: bool) -> None:
        self.known, self.signals, self.sqlite, self.skip_bad = known, signals, sqlite, skip_bad
        self.stored_time = _sqlite_time if sqlite else _naive_utc
        self.seen_at = self.stored_time(seen_at)

    def __call__(self, first: int, blob: bytes) -> Chunk:
        rows: list[tuple[Any, ...]] = []
        problems: list[LineProblem] = []
        lines = bad = 0
        known, signals, stored_time, seen_at = self.known, self.signals, self.stored_time, self.seen_at
        for number, raw in enumerate(io.BytesIO(blob), start=first):  # lines as iterating the file gives them
            if not raw.strip():
                continue
            lines += 1
            try:
                line = parse_line(raw, known)
            except _Bad as problem:
                bad += 1
                if len(problems) < _MAX_LISTED:
                    shown = problem.value if isinstance(problem.value, str) else \
                        json.dumps(problem.value, ensure_ascii=False)
                    problems.append(LineProblem(number, problem.column, shown, problem.reason))
                continue
            if bad and not self.skip_bad:  # nothing will load: only look for more bad lines
                continue
            account, post_id, published, title, text, url, links, repost, pinned, ad, comments = line
            rows.append((account, stored_post_id(post_id),
                         stored_time(published), title, text, url, json.dumps(links) if links else None, repost,
                         pinned, ad, comments, seen_at, "ingest",
                         *text_signals(title, text, url, links, published, signals)))
        return rows, problems, lines, bad, len(blob)


_WORKER: _Prepare | None = None  # a pool worker's `_Prepare`, inherited from the parent (fork)


def _prepare_in_worker(first: int, blob: bytes) -> Chunk:
    assert _WORKER is not None
    return _WORKER(first, blob)


def _chunks(handle: IO[bytes], size: int) -> Iterator[tuple[int, bytes]]:
    """(number of its first line, whole lines) of about `size` bytes at a time, in file order."""
    number = 1
    while blob := handle.read(size):
        if not blob.endswith(b"\n"):
            blob += handle.readline()
        if number == 1 and blob.startswith(codecs.BOM_UTF8):  # as Windows editors save UTF-8
            blob = blob[len(codecs.BOM_UTF8):]
        yield number, blob
        number += blob.count(b"\n")


def pool_workers(size: int, *, sqlite: bool = True) -> int:
    """Worker processes for a file of `size` bytes: none (all in this process) for small files.
    On SQLite this process is the writer and the critical path: on two cores, workers beside it
    slowed it more than they saved (2,000,000 posts: 97 s pooled, 86 s in one process), so the
    pool needs three cores, one left to the writer. On PostgreSQL the server writes, and two
    workers paid on two cores (127 s against 184 s; bench/results-ingest.txt). Fork only: a
    worker inherits the lexicon automata and the registry instead of rebuilding them."""
    if size < _POOL_MIN_BYTES or "fork" not in multiprocessing.get_all_start_methods():
        return 0
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if sqlite:
        return min(cores - 1, _POOL_MAX_WORKERS) if cores >= 3 else 0
    return min(cores, _POOL_MAX_WORKERS) if cores >= 2 else 0


@contextmanager
def _prepared(handle: IO[bytes], prepare: _Prepare, workers: int) -> Iterator[Iterator[Chunk]]:
    """The chunks of the file, prepared in order: here, or by `workers` processes with a few
    chunks in flight (memory stays bounded however big the file)."""
    if workers <= 0:
        yield (prepare(first, blob) for first, blob in _chunks(handle, _CHUNK_BYTES))
        return
    global _WORKER
    _WORKER = prepare  # set while the pool lives: a worker it forks again to replace one inherits it too
    pool = multiprocessing.get_context("fork").Pool(workers)

    def results() -> Iterator[Chunk]:
        pending: deque[Any] = deque()
        for first, blob in _chunks(handle, _CHUNK_BYTES):
            pending.append(pool.apply_async(_prepare_in_worker, (first, blob)))
            if len(pending) > 2 * workers:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()

    try:
        yield results()
    finally:
        pool.terminate()
        pool.join()
        _WORKER = None


class _Loader:
    """Inserts prepared rows in batches within the caller's transaction; counts the new ones.

    SQLAlchemy's per-row processing costs more than the insert itself, so the rows go to the
    driver: on SQLite through executemany, on PostgreSQL through COPY into a temporary table and
    one `INSERT … SELECT … ON CONFLICT DO NOTHING` per batch."""

    def __init__(self, session: Any, dialect: str) -> None:
        self.sqlite = dialect == "sqlite"
        self.connection = session.connection()
        self.driver = self.connection.connection.driver_connection
        self.columns = (*_COLUMNS, *SIGNAL_COLUMNS)
        stored = ", ".join(self.columns)
        if self.sqlite:
            # A bigger page cache keeps the (account, post_id) index in memory: several times
            # faster on big files, and still a fixed amount of memory.
            self.connection.exec_driver_sql(f"PRAGMA cache_size = -{_SQLITE_CACHE_KIB}")
            self.sql = (f"INSERT INTO post ({stored}) VALUES ({', '.join('?' * len(self.columns))}) "
                        "ON CONFLICT (account, post_id) DO NOTHING")
        else:
            self.connection.exec_driver_sql(
                "CREATE TEMPORARY TABLE IF NOT EXISTS ingest_batch (account text, post_id text, published_at timestamp, "
                "title text, text text, url text, links text, is_repost boolean, is_pinned boolean, is_ad boolean, "
                "comments_enabled boolean, first_seen_at timestamp, source text, sig_ad_domain text, sig_privacy text, "
                "sig_lexicon text, sig_stop_notice boolean, signals_version text) ON COMMIT DROP")
            self.sql = (f"INSERT INTO post ({stored}) SELECT {stored.replace('links', 'links::json', 1)} "
                        "FROM ingest_batch ON CONFLICT (account, post_id) DO NOTHING")
        self.rows: list[tuple[Any, ...]] = []
        self.loaded = 0
        self.expected = 0  # lines the file is expected to hold (set from its first chunk)
        self.decided = False
        self.dropped: list[tuple[str, str]] = []  # (name, CREATE INDEX …) of the indexes to build again
        self.stats: list[tuple[Any, ...]] = []

    def extend(self, rows: list[tuple[Any, ...]]) -> None:
        """Batches of exactly _BATCH rows in file order, however the chunks cut the file: the same
        inserts in the same order (and so the same ids) as line by line."""
        while rows:
            room = _BATCH - len(self.rows)
            if not self.rows and len(rows) >= _BATCH:
                self.rows = rows[:_BATCH]
            else:
                self.rows.extend(rows[:room])
            rows = rows[room:]
            if len(self.rows) >= _BATCH:
                self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        # Neighbouring keys update the index B-trees page by page; the sort is stable, so the
        # first of two lines with the same id is still the one stored.
        self.rows.sort(key=itemgetter(0, 1))
        if self.sqlite:
            cursor = self.driver.cursor()
            cursor.executemany(self.sql, self.rows)
            self.loaded += cursor.rowcount
            cursor.close()
            if not self.decided:
                self.decided = True
                self._maybe_drop_indexes(self.loaded / len(self.rows))
        else:
            with self.driver.cursor() as cursor:
                cursor.execute("TRUNCATE ingest_batch")
                with cursor.copy(f"COPY ingest_batch ({', '.join(self.columns)}) FROM STDIN") as copy:
                    for row in self.rows:
                        copy.write_row(row)
                cursor.execute(self.sql)
                self.loaded += cursor.rowcount
        self.rows = []

    def _maybe_drop_indexes(self, new_share: float) -> None:
        """Drop the _REBUILT_INDEXES of `post` when the load is big for the table: each takes a
        random B-tree insert per post, which beyond the page cache costs several times what
        sorting every row once does when the index is built again (at `close`, in the same
        transaction: a failed or interrupted load rolls the drop back with the rest). Only on
        SQLite, whose readers keep their snapshot; PostgreSQL would lock the table. A file of
        posts mostly stored already (a re-ingest) keeps them: the first batch tells."""
        expected_new = int(self.expected * new_share)
        if expected_new < _REBUILD_MIN_POSTS:
            return
        execute = self.driver.execute
        stored = execute("SELECT count(*) FROM post").fetchone()[0]
        if expected_new < stored:
            return
        self.dropped = [(name, sql) for name, sql in execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'post' AND sql IS NOT NULL")
            if name in _REBUILT_INDEXES and not sql.lstrip().upper().startswith("CREATE UNIQUE")]
        if execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchone():
            names = [name for name, _sql in self.dropped]
            self.stats = execute(f"SELECT tbl, idx, stat FROM sqlite_stat1 WHERE idx IN ({', '.join('?' * len(names))})",
                                 names).fetchall() if names else []
        for name, _sql in self.dropped:
            execute(f'DROP INDEX "{name}"')

    def close(self) -> None:
        self.flush()
        if self.sqlite:
            for _name, sql in self.dropped:
                self.driver.execute(sql)
            if self.stats:  # the planner's statistics as they were (DROP INDEX deletes them)
                self.driver.executemany("INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES (?, ?, ?)", self.stats)
            self.connection.exec_driver_sql("PRAGMA cache_size = -2000")  # SQLite's default again


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Loading makes millions of short-lived tuples and no cycles: the cycle collector would
    only walk them again and again (~10% of the time)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def ingest_file(db: Database, settings: Settings, path: str | Path, *, skip_bad: bool = False,
                workers: int | None = None) -> IngestReport:
    """Load the posts of a JSONL file; raises FileProblems (nothing loaded) on bad lines unless
    `skip_bad`, when the good lines load and the report lists the bad ones. `workers`: processes
    that parse the lines and compute their signals while this one writes (default
    `pool_workers`: none for small files); the rows and the report are the same either way."""
    path = Path(path)
    report = IngestReport(str(path))
    with db.session() as session:
        known = frozenset(session.execute(select(col(Account.account))).scalars())
    signals = signal_config(settings)
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise TrackerError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    with handle:
        file_size = os.fstat(handle.fileno()).st_size
        if workers is None:
            workers = pool_workers(file_size, sqlite=db.dialect == "sqlite")
        prepare = _Prepare(known, signals, db.dialect == "sqlite", now_utc(), skip_bad)
        # The pool forks before the transaction opens: the workers hold no part of it.
        with _no_cycle_collection(), _prepared(handle, prepare, workers) as chunks, db.write() as session:
            loader = _Loader(session, db.dialect)
            for rows, problems, lines, bad, size in chunks:
                if not loader.expected and size:
                    loader.expected = int(lines * file_size / size)
                report.lines += lines
                report.problems.extend(problems[:_MAX_LISTED - len(report.problems)])
                report.bad += bad
                if not report.bad or skip_bad:  # after a bad line without skip_bad, only look for more
                    loader.extend(rows)
            if report.bad and not skip_bad:
                more = [] if report.bad <= len(report.problems) else [
                    LineProblem(0, "", "", f"… and {report.bad - len(report.problems)} more bad line(s)")]
                raise FileProblems(str(path), [*report.problems, *more])
            loader.close()
            report.loaded = loader.loaded
            report.duplicates = report.lines - report.bad - report.loaded
    return report

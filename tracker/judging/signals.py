"""Post signals kept current: the ingest and poll streams store every post with its signals, so a
check recomputes only the `sig_*` columns of posts stored under other lists (ad domains,
lexicons, stop phrases) — or by a version that stored none — in batches, written through the
driver's executemany (no ORM, no per-row SQLAlchemy processing)."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlmodel import col

from tracker.rules.signals import SIGNAL_COLUMNS, signal_config, text_signals
from tracker.settings import Settings
from tracker.storage.db import Database
from tracker.storage.tables import PostRow

_BATCH = 5000


def refresh_signals(db: Database, settings: Settings) -> int:
    """Recompute the signals of posts stored under other lists; returns how many changed."""
    cfg = signal_config(settings)
    # Written as ranges so that the signals_version index answers "nothing stale" at once.
    version = col(PostRow.signals_version)
    terms = (version.is_(None), version < cfg.version, version > cfg.version)
    stale = or_(*terms)
    with db.session() as session:  # three index seeks: the usual answer is "nothing stale"
        if not any(session.execute(select(col(PostRow.id)).where(term).limit(1)).first() for term in terms):
            return 0
    columns = (col(PostRow.id), col(PostRow.published_at), col(PostRow.title), col(PostRow.text), col(PostRow.url),
               col(PostRow.links))
    mark = "?" if db.dialect == "sqlite" else "%s"
    sql = (f"UPDATE post SET {', '.join(f'{name} = {mark}' for name in SIGNAL_COLUMNS)} WHERE id = {mark}")
    done = 0
    last_id = 0
    while True:
        with db.session() as session:
            rows = session.execute(
                select(*columns).where(stale, columns[0] > last_id).order_by(columns[0]).limit(_BATCH)).all()
        if not rows:
            return done
        values = [(*text_signals(row.title, row.text, row.url, row.links or (), row.published_at, cfg), row.id)
                  for row in rows]
        with db.write() as session:
            session.connection().exec_driver_sql(sql, values)
        done += len(rows)
        last_id = rows[-1].id

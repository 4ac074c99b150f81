"""Post signals kept current: a check first recomputes the `sig_*` columns of posts stored under
other lists (ad domains, lexicons, stop phrases), in batches, with Core bulk updates."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select, update

from tracker.domain.models import Post
from tracker.rules.signals import post_signals, signal_config
from tracker.settings import Settings
from tracker.storage.db import Database
from tracker.storage.tables import PostRow

_BATCH = 2000


def _row_post(row: Any) -> Post:
    return Post(post_id=row.post_id, published_at=row.published_at, title=row.title or "", text=row.text or "",
                url=row.url, links=tuple(row.links or ()))


def refresh_signals(db: Database, settings: Settings) -> int:
    """Recompute the signals of posts stored under other lists; returns how many changed."""
    cfg = signal_config(settings)
    # Written as ranges so that the signals_version index answers "nothing stale" at once.
    stale = or_(PostRow.signals_version.is_(None), PostRow.signals_version < cfg.version,
                PostRow.signals_version > cfg.version)
    with db.session() as session:  # three index seeks: the usual answer is "nothing stale"
        if not any(session.execute(select(PostRow.id).where(term).limit(1)).first() for term in stale.clauses):
            return 0
    columns = (PostRow.id, PostRow.post_id, PostRow.published_at, PostRow.title, PostRow.text, PostRow.url, PostRow.links)
    done = 0
    last_id = 0
    while True:
        with db.session() as session:
            rows = session.execute(
                select(*columns).where(stale, PostRow.id > last_id).order_by(PostRow.id).limit(_BATCH)).all()
        if not rows:
            return done
        values = [{"id": row.id, **post_signals(_row_post(row), cfg)} for row in rows]
        with db.write() as session:
            session.execute(update(PostRow), values)
        done += len(rows)
        last_id = rows[-1].id

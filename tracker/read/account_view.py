"""One account for the command line (`tracker account show`, `tracker posts`): everything as
plain values, evidence as sentences in the UI language (`tracker.rules.sentences`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import col

from tracker.domain.errors import TrackerError
from tracker.domain.times import as_utc, local_date, to_local_iso
from tracker.judging.cases import case_status
from tracker.judging.context import states_as_of
from tracker.read.accounts import account_detail
from tracker.rules.catalogue import rule_name
from tracker.rules.sentences import sentence
from tracker.storage.db import Database
from tracker.storage.tables import Account, PollOutcome, PostRow, RectificationCase

LAST_POLLS = 5
NEWEST_POSTS = 5


def _iso(moment: datetime | None) -> str | None:
    return to_local_iso(as_utc(moment)) if moment is not None else None


def post_dict(post: PostRow) -> dict[str, Any]:
    return {"post_id": post.post_id, "published_at": _iso(post.published_at), "title": post.title,
            "url": post.url, "source": post.source,
            "flags": [name for name in ("is_repost", "is_pinned", "is_ad") if getattr(post, name)]
            + ([] if post.comments_enabled is None else ["comments_on" if post.comments_enabled else "comments_off"]),
            "signals": {k: v for k, v in (("ad_domain", post.sig_ad_domain), ("privacy", post.sig_privacy),
                                          ("lexicon", post.sig_lexicon), ("stop_notice", post.sig_stop_notice or None))
                        if v is not None}}


def account_view(db: Database, account: str, at: datetime, lang: str = "zh") -> dict[str, Any]:
    at = as_utc(at)
    detail = account_detail(db, account, at)
    if detail is None:
        raise TrackerError(f"no account {account!r} in the registry (platform:account_id)")
    with db.session() as session:
        state = states_as_of(session, at).get(account)
        polls = session.execute(select(PollOutcome).where(col(PollOutcome.account) == account, col(PollOutcome.started_at) <= at)
                                .order_by(col(PollOutcome.started_at).desc()).limit(LAST_POLLS)).scalars().all()
        cases = session.execute(select(RectificationCase).where(col(RectificationCase.account) == account)
                                .order_by(col(RectificationCase.id).desc())).scalars().all()
    open_case = next((c for c in cases if c.status == "open"), None)
    profile = detail.profile
    return {
        "account": account, "at": to_local_iso(at),
        "filed": None if state is None else {
            "name": state.account_name, "org_name": state.org_name, "org_code": state.org_code,
            "region": state.region, "platform": state.platform, "status": state.status,
            "opened_on": state.opened_on.isoformat(),
            "suspended_on": state.suspended_on.isoformat() if state.suspended_on else None},
        "filings": [{"kind": f.kind, "effective_on": f.effective_on.isoformat(), "by": f.by, "approver": f.approver,
                     "doc_no": f.doc_no, "payload": f.payload}
                    for f in detail.filings if f.effective_on <= local_date(at)],
        "polls": [{"started_at": _iso(p.started_at), "outcome": p.outcome, "http_status": p.http_status,
                   "new_posts": p.new_posts, "detail": p.detail} for p in polls],
        "profile": None if profile is None else {
            "taken_at": _iso(profile.taken_at), "display_name": profile.display_name, "verified": profile.verified,
            "verified_reason": profile.verified_reason, "followers": profile.followers},
        "posts": [post_dict(p) for p in detail.posts if p.published_at is None or as_utc(p.published_at) <= at][:NEWEST_POSTS],
        "findings": [{"rule": f.rule, "name": rule_name(f.rule, lang), "severity": f.severity, "active": f.active,
                      "first_seen_at": _iso(f.first_seen_at), "last_seen_at": _iso(f.last_seen_at),
                      "sentence": sentence(f.rule, f.evidence or {}, lang), "evidence": f.evidence}
                     for f in detail.findings],
        "observations": [{"kind": o.kind, "observed_at": _iso(o.observed_at), "inspector": o.inspector,
                          "note": o.note, "latest_at": _iso(o.latest_at)} for o in detail.observations
                         if as_utc(o.observed_at) <= at],
        "case": None if open_case is None else {
            "quarter": open_case.quarter, "rules": open_case.rules, "opened_at": _iso(open_case.opened_at),
            "due_on": open_case.due_on.isoformat(), "status": case_status(open_case, at)},
    }


def account_posts(db: Database, account: str, *, since: datetime | None = None, limit: int = 50) -> list[dict[str, Any]]:
    if limit < 1:
        raise TrackerError(f"--limit must be 1 or more, got {limit}")
    with db.session() as session:
        if session.execute(select(col(Account.id)).where(col(Account.account) == account)).first() is None:
            raise TrackerError(f"no account {account!r} in the registry (platform:account_id)")
        query = select(PostRow).where(col(PostRow.account) == account)
        if since is not None:
            query = query.where(col(PostRow.published_at) > as_utc(since))
        rows = session.execute(query.order_by(col(PostRow.published_at).desc().nulls_last(), col(PostRow.id).desc())
                               .limit(limit)).scalars().all()
    return [post_dict(row) for row in rows]

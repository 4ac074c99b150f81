"""Set-based queries behind the rules: each answers for every account at once, as of `at`
(never one query per account). "Latest per account" is a correlated MAX over the
(account, time) indexes, so it costs one index seek per account however long the history.
Times are aware UTC; windows are half-open `(lo, at]`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Integer, and_, case, func, literal_column, or_, select
from sqlalchemy.orm import Session

from tracker.domain.times import as_utc
from tracker.rules.facts import Coverage, PostSummary, ProbeCounts
from tracker.storage.tables import Account, FilingEventRow, ObservationRow, PollOutcome, PostRow, ProfileSnapshot, WebsitePoll, WebsiteProbe, table_of
from tracker.storage.types import UTCDateTime

# The Core columns of each table (typed `Column`; the rules' queries need no ORM entity).
_ACCOUNTS = table_of(Account)
_ACCOUNT = _ACCOUNTS.c
_FILING = table_of(FilingEventRow).c
_OBSERVATION = table_of(ObservationRow).c
_POLL = table_of(PollOutcome).c
_POST = table_of(PostRow).c
_PROFILE = table_of(ProfileSnapshot).c
_WEBSITE_POLL = table_of(WebsitePoll).c
_WEBSITE_PROBE = table_of(WebsiteProbe).c

_IN_CHUNK = 500
OK_OUTCOMES = ("ok", "not_modified")


def _rows(session: Session, query: Any) -> Sequence[Any]:
    return session.connection().execute(query).all()  # Core: no ORM overhead per row


def _newest(time_col: Any, table: Any, *conditions: Any) -> Any:
    """The newest `time_col` of the current `account` row meeting `conditions` (correlated)."""
    return (select(func.max(time_col)).where(table.account == _ACCOUNT.account, *conditions)
            .correlate(_ACCOUNTS).scalar_subquery())


def _chunks(names: Iterable[str]) -> Iterable[list[str]]:
    ordered = sorted(set(names))
    for start in range(0, len(ordered), _IN_CHUNK):
        yield ordered[start:start + _IN_CHUNK]


def latest_rows(session: Session, table: Any, time_col: Any, condition: Any, columns: Iterable[Any]) -> dict[str, Any]:
    """The newest row per account among rows meeting `condition` (ties: the highest id)."""
    newest = select(_ACCOUNT.account.label("account"), _newest(time_col, table, condition).label("newest")).subquery()
    query = (select(*columns, table.id)
             .join(newest, and_(table.account == newest.c.account, time_col == newest.c.newest)).where(condition))
    best: dict[str, Any] = {}
    for row in _rows(session, query):
        if row.account not in best or row.id > best[row.account].id:
            best[row.account] = row
    return best


def _known(query: Any, *names: str) -> Any:
    """Rows of `query` where any of the named columns is not NULL (filtered in SQL)."""
    inner = query.subquery()
    return select(inner).where(or_(*[inner.c[name].is_not(None) for name in names]))


def _count_since(start: datetime, at: datetime, *conditions: Any) -> Any:
    """Posts of the current `account` row published in (start, at] (correlated COUNT)."""
    return (select(func.count()).where(_POST.account == _ACCOUNT.account, _POST.published_at > start,
                                       _POST.published_at <= at, *conditions)
            .correlate(_ACCOUNTS).scalar_subquery())


def post_summary(session: Session, at: datetime, spans: tuple[float, ...], repost_span: float) -> dict[str, PostSummary]:
    """Per account with a post at or before `at`: its newest post, the posts in each window and
    the reposts in the repost window — one pass over the accounts, each value a walk of the
    (account, published_at) index (or the repost index) inside its window only."""
    newest = _newest(_POST.published_at, _POST, _POST.published_at <= at).label("newest")
    counts = [_count_since(at - timedelta(days=span), at) for span in spans]
    reposts = _count_since(at - timedelta(days=repost_span), at, _POST.is_repost == True)  # noqa: E712
    query = select(_ACCOUNT.account, newest, *counts, reposts)  # NULLs dropped here: SQL would compute twice
    return {account: PostSummary(last, dict(zip(spans, values[:-1], strict=True)), values[-1])
            for account, last, *values in _rows(session, query) if last is not None}


POST_EVIDENCE = (_POST.account, _POST.post_id, _POST.url, _POST.published_at)
_SIGNALS = {  # each signal has its own partial index (migration 0002_rules)
    "ix_post_sig_ad_domain": _POST.sig_ad_domain.is_not(None),
    "ix_post_is_ad": _POST.is_ad == True,  # noqa: E712 — `= true` matches the index condition
    "ix_post_sig_privacy": _POST.sig_privacy.is_not(None),
    "ix_post_sig_lexicon": _POST.sig_lexicon.is_not(None),
}


def signal_posts(session: Session, lo: datetime, at: datetime) -> list[Any]:
    """Posts in (lo, at] carrying an ad, privacy or lexicon signal, by account and time."""
    found: dict[int, Any] = {}
    for condition in _SIGNALS.values():
        query = (select(*POST_EVIDENCE, _POST.id, _POST.is_ad, _POST.sig_ad_domain, _POST.sig_privacy,
                        _POST.sig_lexicon)
                 .where(condition, _POST.published_at > lo, _POST.published_at <= at))
        found.update((row.id, row) for row in _rows(session, query))
    return sorted(found.values(), key=lambda row: (row.account, row.published_at, row.post_id))


def stop_notices(session: Session, until: datetime) -> dict[str, Any]:
    """Per account, the newest post announcing that it stops, published at or before `until`."""
    query = (select(*POST_EVIDENCE, _POST.id, _POST.title, _POST.text)
             .where(_POST.sig_stop_notice == True, _POST.published_at <= until))  # noqa: E712
    newest: dict[str, Any] = {}
    for row in _rows(session, query):
        if row.account not in newest or (row.published_at, row.id) > (newest[row.account].published_at, newest[row.account].id):
            newest[row.account] = row
    return newest


def latest_comment_flags(session: Session, at: datetime) -> dict[str, tuple[datetime, bool]]:
    """Per account, (time, enabled) of the newest post whose source says whether comments are on."""
    seen = _POST.published_at <= at
    off = _newest(_POST.published_at, _POST, _POST.comments_enabled == False, seen)  # noqa: E712
    on = _newest(_POST.published_at, _POST, _POST.comments_enabled == True, seen)  # noqa: E712
    flags = {}
    query = _known(select(_ACCOUNT.account, off.label("off_at"), on.label("on_at")), "off_at", "on_at")
    for account, off_at, on_at in _rows(session, query):
        if off_at is not None and (on_at is None or off_at > on_at):
            flags[account] = (off_at, False)
        elif on_at is not None:
            flags[account] = (on_at, True)
    return flags


def posts_at(session: Session, moments: dict[str, datetime], *conditions: Any) -> dict[str, Any]:
    """The post of each account published at the given moment (evidence for a few accounts)."""
    found: dict[str, Any] = {}
    for names in _chunks(moments):
        query = select(*POST_EVIDENCE, _POST.id).where(_POST.account.in_(names), *conditions)
        for row in _rows(session, query.where(_POST.published_at.in_({moments[n] for n in names}))):
            if row.published_at == moments[row.account] and (row.account not in found or row.id > found[row.account].id):
                found[row.account] = row
    return found


def latest_observations(session: Session, at: datetime, kinds: tuple[str, ...]) -> dict[str, Any]:
    """Per account, the newest observation among `kinds` made at or before `at` (a small table)."""
    query = (select(_OBSERVATION.account, _OBSERVATION.kind, _OBSERVATION.observed_at, _OBSERVATION.inspector,
                    _OBSERVATION.note, _OBSERVATION.id)
             .where(_OBSERVATION.kind.in_(list(kinds)), _OBSERVATION.observed_at <= at))
    return _newest_observations(_rows(session, query))


def _newest_observations(rows: Iterable[Any]) -> dict[str, Any]:
    """Per account, the observation row made last (ties: the highest id)."""
    newest: dict[str, Any] = {}
    for row in rows:
        held = newest.get(row.account)
        if held is None or (row.observed_at, row.id) > (held.observed_at, held.id):
            newest[row.account] = row
    return newest


def latest_profiles(session: Session, at: datetime, part: str) -> dict[str, Any]:
    """Per account, the newest profile snapshot at or before `at` that tells `part`: "name"
    (a display name) or "verification" (a verified flag or text)."""
    known = (_PROFILE.display_name.is_not(None) if part == "name"
             else or_(_PROFILE.verified.is_not(None), _PROFILE.verified_reason.is_not(None)))
    columns = (_PROFILE.account, _PROFILE.taken_at, _PROFILE.display_name,
               _PROFILE.verified, _PROFILE.verified_reason, _PROFILE.followers)
    return latest_rows(session, _PROFILE, _PROFILE.taken_at,
                       and_(known, _PROFILE.taken_at <= at), columns)


def follower_steps(session: Session, at: datetime) -> list[Any]:
    """Consecutive follower counts per account (previous and current snapshot) up to `at`
    where the count grew and no post was published in between (prev_at, taken_at]."""
    order = (_PROFILE.taken_at, _PROFILE.id)
    steps = (select(_PROFILE.account, _PROFILE.taken_at, _PROFILE.followers,
                    func.lag(_PROFILE.taken_at, type_=UTCDateTime()).over(partition_by=_PROFILE.account,
                                                                         order_by=order).label("prev_at"),
                    func.lag(_PROFILE.followers, type_=Integer()).over(partition_by=_PROFILE.account,
                                                                       order_by=order).label("prev_followers"))
             .where(_PROFILE.followers.is_not(None), _PROFILE.taken_at <= at).subquery())
    posted = (select(_POST.id).where(_POST.account == steps.c.account, _POST.published_at > steps.c.prev_at,
                                       _POST.published_at <= steps.c.taken_at).correlate(steps).exists())
    return list(_rows(session, select(steps).where(steps.c.prev_followers > 0, steps.c.followers > steps.c.prev_followers,
                                              ~posted)))


def failures_since_success(session: Session, at: datetime) -> dict[str, Any]:
    """Per account with failed polls: how many polls up to `at` came after its last successful
    one (ok or not modified), when that success was, and the newest poll."""
    seen = _POLL.started_at <= at
    base = select(_ACCOUNT.account.label("account"),
                  *[_newest(_POLL.started_at, _POLL, _POLL.outcome == outcome, seen).label(outcome)
                    for outcome in OK_OUTCOMES]).subquery()
    after = [or_(base.c[outcome].is_(None), _POLL.started_at > base.c[outcome]) for outcome in OK_OUTCOMES]
    failed = select(func.count()).where(_POLL.account == base.c.account, seen, *after).correlate(base)
    newest = select(func.max(_POLL.started_at)).where(_POLL.account == base.c.account, seen).correlate(base)
    counted = select(base, failed.scalar_subquery().label("failures"),
                     newest.scalar_subquery().label("last_poll_at")).subquery()
    return {row.account: row for row in _rows(session, select(counted).where(counted.c.failures > 0))}


def last_polls(session: Session, moments: dict[str, datetime]) -> dict[str, Any]:
    """The poll of each account started at the given moment (evidence for a few accounts)."""
    found: dict[str, Any] = {}
    for names in _chunks(moments):
        query = select(_POLL.account, _POLL.id, _POLL.started_at, _POLL.outcome,
                       _POLL.http_status).where(_POLL.account.in_(names),
                                                      _POLL.started_at.in_({moments[n] for n in names}))
        for row in _rows(session, query):
            held = found.get(row.account)
            if row.started_at == moments[row.account] and (held is None or row.id > held.id):
                found[row.account] = row
    return found


def latest_app_probes(session: Session, at: datetime, outcomes: tuple[str, ...]) -> dict[str, Any]:
    """Per `app` account, the newest probe whose outcome is one of `outcomes`."""
    seen = _POLL.started_at <= at
    columns = [_newest(_POLL.started_at, _POLL, _POLL.outcome == o, seen).label(o) for o in outcomes]
    newest: dict[str, datetime] = {}
    for account, *times in _rows(session, select(_ACCOUNT.account, *columns).where(_ACCOUNT.platform == "app")):
        known = [t for t in times if t is not None]
        if known:
            newest[account] = max(known)
    found: dict[str, Any] = {}
    for names in _chunks(newest):
        query = select(_POLL.account, _POLL.id, _POLL.started_at, _POLL.outcome,
                       _POLL.http_status, _POLL.detail).where(
            _POLL.account.in_(names), _POLL.outcome.in_(list(outcomes)),
            _POLL.started_at.in_({newest[n] for n in names}))
        for row in _rows(session, query):
            held = found.get(row.account)
            if row.started_at == newest[row.account] and (held is None or row.id > held.id):
                found[row.account] = row
    return found


def judged_filings(session: Session, until: date) -> list[Any]:
    """Filing events effective on or before `until`, except those of the first registry import
    (they load accounts already running; their effective date is the opening date)."""
    source = _FILING.payload["source"].as_string()
    query = (select(_FILING.id, _FILING.account, _FILING.kind, _FILING.effective_on,
                    _FILING.recorded_at)
             .where(_FILING.effective_on <= until, or_(source.is_(None), source != "import"))
             .order_by(_FILING.account, _FILING.effective_on, _FILING.id))
    return list(_rows(session, query))



def coverage(session: Session, at: datetime, grace_hours: float) -> dict[str, Coverage]:
    """Per account with a `feed_url` (apps aside): the span its feed and the inspectors have seen.
    Fetches count at any time (a later fetch that reaches back far enough proves a past window);
    `updates_seen` observations count when made at or before `at`. Two queries in all: one
    pass over the accounts (each value an index probe) and the small observation table."""
    newest_ok = [_newest(_POLL.started_at, _POLL, _POLL.outcome == outcome).label(outcome)
                 for outcome in OK_OUTCOMES]
    # `items` is written for successful fetches only; `= 0` as a literal probes ix_poll_outcome_empty
    empty = (select(_POLL.id).where(_POLL.account == _ACCOUNT.account, _POLL["items"] == literal_column("0"))
             .correlate(_ACCOUNTS).exists().label("empty"))
    oldest = (select(func.min(_POST.published_at)).where(_POST.account == _ACCOUNT.account)
              .correlate(_ACCOUNTS).scalar_subquery().label("oldest"))
    query = (select(_ACCOUNT.account, *newest_ok, empty, oldest)
             .where(_ACCOUNT.feed_url.is_not(None), _ACCOUNT.feed_url != "", _ACCOUNT.platform.not_in(("app", "website"))))
    seen: dict[str, list[datetime]] = {}
    unbounded: set[str] = set()
    looks = (select(_OBSERVATION.account, _OBSERVATION.observed_at, _OBSERVATION.latest_at)
             .where(_OBSERVATION.kind == "updates_seen", _OBSERVATION.observed_at <= at))
    for account, observed_at, latest_at in _rows(session, looks):
        seen.setdefault(account, []).append(observed_at)
        if latest_at is None:
            unbounded.add(account)
        else:
            seen[account].append(latest_at)  # the earliest time named bounds seen_from below
    grace = timedelta(hours=grace_hours)
    found: dict[str, Coverage] = {}
    for account, ok_at, not_modified_at, was_empty, oldest_at in _rows(session, query):
        looked = seen.get(account, [])
        last_ok = max((t for t in (ok_at, not_modified_at) if t is not None), default=None)
        ends = [t for t in (last_ok, *looked) if t is not None]
        starts = [t for t in (oldest_at, *looked) if t is not None]
        found[account] = Coverage(seen_from=min(starts, default=None), seen_to=max(ends) + grace if ends else None,
                                  unbounded=bool(was_empty) or account in unbounded, last_ok_at=last_ok,
                                  oldest_post_at=oldest_at)
    return found


def latest_updates_seen(session: Session, at: datetime) -> dict[str, Any]:
    """Per account, the newest `updates_seen` observation made at or before `at`."""
    query = (select(_OBSERVATION.account, _OBSERVATION.observed_at, _OBSERVATION.latest_at, _OBSERVATION.id)
             .where(_OBSERVATION.kind == "updates_seen", _OBSERVATION.observed_at <= at))
    return _newest_observations(_rows(session, query))


def failing_polls(session: Session, accounts: Iterable[str]) -> dict[str, tuple[datetime | None, str | None]]:
    """For a few accounts: the first failed poll after the last successful fetch (or the first
    failed poll ever) and the outcome of the newest failed poll — evidence of 待核实."""
    failed = _POLL.outcome.not_in(OK_OUTCOMES)
    moments: dict[str, tuple[datetime | None, datetime]] = {}
    for names in _chunks(accounts):
        base = select(_ACCOUNT.account.label("account"),
                      *[_newest(_POLL.started_at, _POLL, _POLL.outcome == outcome).label(outcome)
                        for outcome in OK_OUTCOMES]).where(_ACCOUNT.account.in_(names)).subquery()
        after = [or_(base.c[outcome].is_(None), _POLL.started_at > base.c[outcome]) for outcome in OK_OUTCOMES]
        first = (select(func.min(_POLL.started_at)).where(_POLL.account == base.c.account, failed, *after)
                 .correlate(base).scalar_subquery())
        newest = (select(func.max(_POLL.started_at)).where(_POLL.account == base.c.account, failed)
                  .correlate(base).scalar_subquery())
        for account, since, last in _rows(session, select(base.c.account, first, newest)):
            if last is not None:
                moments[account] = (since, last)
    outcomes = last_polls(session, {account: last for account, (_since, last) in moments.items()})
    return {account: (since, outcomes[account].outcome if account in outcomes else None)
            for account, (since, _last) in moments.items()}


def newest_post_times(session: Session, at: datetime, n: int) -> dict[str, list[datetime]]:
    """Per account with a post at or before `at`: the times of its `n` newest such posts, newest
    first — one correlated `n`-th-newest seek per account, then the posts at or after it."""
    nth = (select(_POST.published_at).where(_POST.account == _ACCOUNT.account, _POST.published_at <= at)
           .order_by(_POST.published_at.desc()).offset(n - 1).limit(1).correlate(_ACCOUNTS).scalar_subquery())
    floor = select(_ACCOUNT.account.label("account"), nth.label("nth")).subquery()
    query = (select(_POST.account, _POST.published_at).join(floor, _POST.account == floor.c.account)
             .where(_POST.published_at <= at, or_(floor.c.nth.is_(None), _POST.published_at >= floor.c.nth)))
    found: dict[str, list[datetime]] = {}
    for account, published in _rows(session, query):
        found.setdefault(account, []).append(published)
    return {account: sorted(times, reverse=True)[:n] for account, times in found.items()}


class SqlFacts:
    """`tracker.rules.facts.Facts` from the database: each fact computed once per check (the
    rules of one family often ask for the same fact with the same arguments)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._memo: dict[tuple, Any] = {}

    def _once(self, func: Any, *args: Any) -> Any:
        key = (func.__name__, *args)
        if key not in self._memo:
            self._memo[key] = func(self.session, *args)
        return self._memo[key]

    def post_summary(self, at: datetime, spans: tuple[float, ...], repost_span: float) -> dict[str, PostSummary]:
        return self._once(post_summary, at, spans, repost_span)

    def signal_posts(self, lo: datetime, at: datetime) -> list[Any]:
        return self._once(signal_posts, lo, at)

    def stop_notices(self, until: datetime) -> dict[str, Any]:
        return self._once(stop_notices, until)

    def latest_comment_flags(self, at: datetime) -> dict[str, tuple[datetime, bool]]:
        return self._once(latest_comment_flags, at)

    def comments_off_posts_at(self, moments: dict[str, datetime]) -> dict[str, Any]:
        return posts_at(self.session, moments, _POST.comments_enabled == False)  # noqa: E712

    def latest_observations(self, at: datetime, kinds: tuple[str, ...]) -> dict[str, Any]:
        return self._once(latest_observations, at, kinds)

    def latest_profiles(self, at: datetime, part: str) -> dict[str, Any]:
        return self._once(latest_profiles, at, part)

    def follower_steps(self, at: datetime) -> list[Any]:
        return self._once(follower_steps, at)

    def failures_since_success(self, at: datetime) -> dict[str, Any]:
        return self._once(failures_since_success, at)

    def last_polls(self, moments: dict[str, datetime]) -> dict[str, Any]:
        return last_polls(self.session, moments)

    def latest_app_probes(self, at: datetime, outcomes: tuple[str, ...]) -> dict[str, Any]:
        return self._once(latest_app_probes, at, outcomes)

    def judged_filings(self, until: date) -> list[Any]:
        return self._once(judged_filings, until)

    def coverage(self, at: datetime, grace_hours: float) -> dict[str, Coverage]:
        return self._once(coverage, at, grace_hours)

    def latest_updates_seen(self, at: datetime) -> dict[str, Any]:
        return self._once(latest_updates_seen, at)

    def failing_polls(self, accounts: Iterable[str]) -> dict[str, tuple[datetime | None, str | None]]:
        return failing_polls(self.session, accounts)

    def newest_post_times(self, at: datetime, n: int) -> dict[str, list[datetime]]:
        return self._once(newest_post_times, at, n)

    def website_probes(self, since: datetime, at: datetime) -> dict[str, ProbeCounts]:
        return self._once(website_probes, since, at)

    def website_polls(self, at: datetime) -> dict[str, Any]:
        return self._once(website_polls, at)


def website_probes(session: Session, since: datetime, at: datetime) -> dict[str, ProbeCounts]:
    """Per website with probes in (since, at]: counts by outcome, one grouped query."""
    failed = func.sum(case((_WEBSITE_PROBE.outcome != "ok", 1), else_=0))
    timeouts = func.sum(case((_WEBSITE_PROBE.outcome == "timeout", 1), else_=0))
    query = (select(_WEBSITE_PROBE.account, func.count(), failed, timeouts, func.min(_WEBSITE_PROBE.probed_at),
                    func.max(_WEBSITE_PROBE.probed_at))
             .where(_WEBSITE_PROBE.probed_at > since, _WEBSITE_PROBE.probed_at <= at).group_by(_WEBSITE_PROBE.account))
    return {account: ProbeCounts(int(total), int(bad or 0), int(slow or 0), as_utc(first) if first else None,
                                 as_utc(last) if last else None)
            for account, total, bad, slow, first, last in session.execute(query)}


def website_polls(session: Session, at: datetime) -> dict[str, Any]:
    """Per website, its newest successful poll at or before `at`."""
    newest = (select(_WEBSITE_POLL.account, func.max(_WEBSITE_POLL.polled_at).label("at"))
              .where(_WEBSITE_POLL.outcome == "ok", _WEBSITE_POLL.polled_at <= at).group_by(_WEBSITE_POLL.account).subquery())
    query = select(WebsitePoll).join(newest, (newest.c.account == _WEBSITE_POLL.account) & (newest.c.at == _WEBSITE_POLL.polled_at)) \
        .where(_WEBSITE_POLL.outcome == "ok")
    return {row.account: row for row in session.execute(query).scalars()}

"""SQLModel tables. Natural keys (`account` = "platform:account_id", `org_code`, region path) are
stored as text so that set-based queries join without lookups.

Schema changes go through Alembic (`tracker/storage/migrations/versions`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Table, Text, UniqueConstraint
from sqlalchemy.orm import class_mapper
from sqlmodel import Field, SQLModel

from tracker.storage.types import UTCDateTime


def _utc(**kwargs: Any) -> Any:
    nullable = kwargs.pop("nullable", False)
    index = kwargs.pop("index", False)
    return Field(sa_column=Column(UTCDateTime(), nullable=nullable, index=index), **kwargs)


def _json(nullable: bool = True) -> Any:
    return Field(default=None, sa_column=Column(JSON, nullable=nullable))


def table_of(model: type[SQLModel]) -> Table:
    """The Core table of a table model: `model.__table__`, which SQLModel's type hints do not declare."""
    table = class_mapper(model).local_table
    assert isinstance(table, Table)
    return table


class Region(SQLModel, table=True):
    __tablename__ = "region"
    id: int | None = Field(default=None, primary_key=True)
    path: str = Field(unique=True, max_length=512)
    name: str = Field(max_length=128)
    parent_path: str | None = Field(default=None, max_length=512, index=True)
    level: int  # 1 = province (本级), 2 = city, 3 = county …


class Organisation(SQLModel, table=True):
    __tablename__ = "organisation"
    id: int | None = Field(default=None, primary_key=True)
    org_code: str = Field(unique=True, max_length=18)
    org_name: str = Field(max_length=256)


class Account(SQLModel, table=True):
    """The current state of an account, derived from its filing events (a cache of the replay)."""

    __tablename__ = "account"
    __table_args__ = (  # the UI's per-region counts and (region, account) pages (migration 0002_tui)
        Index("ix_account_region_status_opened", "region", "status", "opened_on"),
        Index("ix_account_region_platform_status_opened", "region", "platform", "status", "opened_on"),
        Index("ix_account_region_account", "region", "account"),
    )
    id: int | None = Field(default=None, primary_key=True)
    account: str = Field(unique=True, max_length=300)  # platform:account_id
    platform: str = Field(max_length=32, index=True)
    account_id: str = Field(max_length=256)
    account_name: str = Field(max_length=256)
    org_code: str = Field(max_length=18, index=True)
    org_name: str = Field(max_length=256)
    region: str = Field(max_length=512)  # indexed by (region, status, opened_on) and (region, account)
    status: str = Field(max_length=16, index=True)
    opened_on: date
    suspended_on: date | None = None
    closed_on: date | None = None
    notice_from: date | None = None
    feed_url: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    profile_url: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    filing_no: str | None = Field(default=None, max_length=128)
    version: int = 1  # optimistic concurrency for the derived state
    last_event_id: int | None = None


class FilingEventRow(SQLModel, table=True):
    """Append-only: the database rejects UPDATE and DELETE (triggers in the first migration)."""

    __tablename__ = "filing_event"
    __table_args__ = (Index("ix_filing_event_account_id", "account", "id"),)
    id: int | None = Field(default=None, primary_key=True)
    account: str = Field(max_length=300)
    kind: str = Field(max_length=16)
    effective_on: date = Field(index=True)
    recorded_at: datetime = _utc()
    by: str = Field(max_length=128)
    approver: str | None = Field(default=None, max_length=128)
    doc_no: str | None = Field(default=None, max_length=128)
    payload: dict | None = _json()


class PostRow(SQLModel, table=True):
    __tablename__ = "post"
    __table_args__ = (
        UniqueConstraint("account", "post_id", name="uq_post_account_post_id"),
        Index("ix_post_account_published", "account", "published_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    account: str = Field(max_length=300)
    post_id: str = Field(max_length=256)
    published_at: datetime | None = _utc(nullable=True, index=True)
    title: str = Field(default="", sa_column=Column(Text, nullable=False))
    text: str = Field(default="", sa_column=Column(Text, nullable=False))
    url: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    links: list | None = _json()
    is_repost: bool = False
    is_pinned: bool = False
    is_ad: bool = False
    comments_enabled: bool | None = None
    first_seen_at: datetime = _utc()
    source: str = Field(default="poll", max_length=16)  # poll | ingest
    # Post-level signals, computed once when stored (tracker.rules.signals) and recomputed
    # only when the lexicon or domain lists change (signals_version names those lists).
    sig_ad_domain: str | None = Field(default=None, max_length=256)
    sig_privacy: str | None = Field(default=None, max_length=64)
    sig_lexicon: str | None = Field(default=None, max_length=256)
    sig_stop_notice: bool = False
    signals_version: str | None = Field(default=None, max_length=64)


class ProfileSnapshot(SQLModel, table=True):
    __tablename__ = "profile_snapshot"
    __table_args__ = (Index("ix_profile_account_taken", "account", "taken_at"),)
    id: int | None = Field(default=None, primary_key=True)
    account: str = Field(max_length=300)
    taken_at: datetime = _utc()
    display_name: str | None = Field(default=None, max_length=256)
    verified: bool | None = None
    verified_reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    followers: int | None = None


class ObservationRow(SQLModel, table=True):
    __tablename__ = "observation"
    __table_args__ = (Index("ix_observation_account_at", "account", "observed_at"),)
    id: int | None = Field(default=None, primary_key=True)
    account: str = Field(max_length=300)
    kind: str = Field(max_length=32)
    observed_at: datetime = _utc()
    recorded_at: datetime = _utc()
    inspector: str = Field(max_length=128)
    note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    latest_at: datetime | None = _utc(nullable=True)  # updates_seen: the newest post seen (NULL: none)


class FeedState(SQLModel, table=True):
    """Per-account polling state: validators for conditional GET, back-off and the worker lease."""

    __tablename__ = "feed_state"
    account: str = Field(primary_key=True, max_length=300)
    etag: str | None = Field(default=None, max_length=512)
    last_modified: str | None = Field(default=None, max_length=128)
    body_hash: str | None = Field(default=None, max_length=64)
    profile_etag: str | None = Field(default=None, max_length=512)
    profile_last_modified: str | None = Field(default=None, max_length=128)
    profile_hash: str | None = Field(default=None, max_length=64)
    consecutive_failures: int = 0
    next_poll_at: datetime | None = _utc(nullable=True, index=True)
    last_polled_at: datetime | None = _utc(nullable=True)
    last_outcome: str | None = Field(default=None, max_length=32)
    lease_owner: str | None = Field(default=None, max_length=128)
    lease_until: datetime | None = _utc(nullable=True)
    # Set by `tracker poll --worker` when it has handled the account in a run (tracker.polling.workers),
    # so an account the poller chose to skip is not claimed again in the same run.
    worker_done_at: datetime | None = _utc(nullable=True)


class PollOutcome(SQLModel, table=True):
    __tablename__ = "poll_outcome"
    __table_args__ = (Index("ix_poll_outcome_account_started", "account", "started_at"),)
    id: int | None = Field(default=None, primary_key=True)
    account: str = Field(max_length=300)
    run_id: str | None = Field(default=None, max_length=64, index=True)
    started_at: datetime = _utc()
    seconds: float = 0.0
    outcome: str = Field(max_length=32)  # ok not_modified http_error timeout too_large parse_error blocked platform_error network_error
    http_status: int | None = None
    detail: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    new_posts: int = 0
    items: int | None = None  # items a successful fetch held (0: an empty feed); NULL otherwise


class CheckRun(SQLModel, table=True):
    __tablename__ = "check_run"
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _utc(index=True)
    ran_at: datetime = _utc()
    region: str | None = Field(default=None, max_length=512)
    accounts_checked: int = 0
    findings: int = 0
    failed: int | None = None  # checked accounts with a veto finding (NULL: a run before 0006)


class FindingRow(SQLModel, table=True):
    """A finding of (account, rule), kept across checks with when it was first and last seen."""

    __tablename__ = "finding"
    __table_args__ = (UniqueConstraint("account", "rule", name="uq_finding_account_rule"),)
    id: int | None = Field(default=None, primary_key=True)
    account: str = Field(max_length=300, index=True)
    rule: str = Field(max_length=64, index=True)
    severity: str = Field(max_length=16)
    evidence: dict | None = _json()
    source: str = Field(default="", sa_column=Column(Text, nullable=False))
    first_seen_at: datetime = _utc()
    last_seen_at: datetime = _utc(index=True)
    active: bool = Field(default=True, index=True)
    resolved_at: datetime | None = _utc(nullable=True)


class Inspection(SQLModel, table=True):
    __tablename__ = "inspection"
    id: int | None = Field(default=None, primary_key=True)
    quarter: str = Field(max_length=8, index=True)
    ratio: float
    seed: int
    planned_at: datetime = _utc()
    registry_at: datetime = _utc()  # the registry state the sample was drawn from
    sample_size: int = 0
    run_at: datetime | None = _utc(nullable=True)
    at: datetime | None = _utc(nullable=True)  # T of the run
    current: bool = True  # False once a later plan/run replaces it (kept for history)


class InspectionSample(SQLModel, table=True):
    __tablename__ = "inspection_sample"
    inspection_id: int = Field(primary_key=True, foreign_key="inspection.id")
    account: str = Field(primary_key=True, max_length=300)
    stratum: str = Field(max_length=600)


class InspectionFinding(SQLModel, table=True):
    __tablename__ = "inspection_finding"
    id: int | None = Field(default=None, primary_key=True)
    inspection_id: int = Field(foreign_key="inspection.id", index=True)
    account: str = Field(max_length=300)
    rule: str = Field(max_length=64)
    severity: str = Field(max_length=16)
    evidence: dict | None = _json()


class RectificationCase(SQLModel, table=True):
    __tablename__ = "rectification_case"
    __table_args__ = (UniqueConstraint("account", "quarter", name="uq_case_account_quarter"),)
    id: int | None = Field(default=None, primary_key=True)
    account: str = Field(max_length=300, index=True)
    quarter: str = Field(max_length=8, index=True)
    rules: list | None = _json()
    opened_at: datetime = _utc()
    due_on: date
    status: str = Field(default="open", max_length=16, index=True)  # open | closed
    closed_at: datetime | None = _utc(nullable=True)
    repeat_offender: bool = False


class JobRun(SQLModel, table=True):
    __tablename__ = "job_run"
    __table_args__ = (UniqueConstraint("job", "occurrence", name="uq_job_run_occurrence"),)
    id: int | None = Field(default=None, primary_key=True)
    job: str = Field(max_length=32)
    occurrence: datetime = _utc()
    started_at: datetime = _utc()
    finished_at: datetime | None = _utc(nullable=True)
    outcome: str = Field(default="running", max_length=16)
    counts: dict | None = _json()
    host: str | None = Field(default=None, max_length=256)


class TrackerUser(SQLModel, table=True):
    """A PostgreSQL login role and its jurisdiction, read by the row-level security policies."""

    __tablename__ = "tracker_user"
    pg_role: str = Field(primary_key=True, max_length=63)
    role: str = Field(max_length=16)  # admin | registrar | inspector
    region: str = Field(default="", max_length=512)  # "" = everywhere
    created_at: datetime = _utc()


class WebsiteProbe(SQLModel, table=True):
    """One availability probe of a 政府网站's homepage (docs/contract.md §10): one GET, no retry."""

    __tablename__ = "website_probe"
    __table_args__ = (Index("ix_website_probe_account_at", "account", "probed_at"),)
    id: int | None = Field(default=None, primary_key=True)
    account: str = Field(max_length=300)
    run_id: str | None = Field(default=None, max_length=64)
    probed_at: datetime = _utc()
    outcome: str = Field(max_length=16)  # ok timeout error
    http_status: int | None = None
    seconds: float = 0.0
    detail: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class WebsitePoll(SQLModel, table=True):
    """What one poll of a 政府网站 found: the homepage's newest date, its columns (栏目) with their
    newest dates, the links checked and broken, the footer marks, the 找错 entry, the page tags
    and IPv6. `outcome` is the homepage fetch's (ok or a poll outcome); the rest is NULL unless ok."""

    __tablename__ = "website_poll"
    __table_args__ = (Index("ix_website_poll_account_at", "account", "polled_at"),)
    id: int | None = Field(default=None, primary_key=True)
    account: str = Field(max_length=300)
    run_id: str | None = Field(default=None, max_length=64)
    polled_at: datetime = _utc()
    seconds: float = 0.0
    outcome: str = Field(max_length=32)
    http_status: int | None = None
    detail: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    homepage_url: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    homepage_newest: date | None = None      # the latest date printed on the homepage
    homepage_dates: int | None = None        # how many dates the homepage prints
    columns: list | None = _json()           # [{name, kind, url, outcome, newest, dates}]
    links_checked: int | None = None
    broken_links: list | None = _json()      # [{url, text, outcome, status}]
    marks: dict | None = _json()             # mark → evidence (url / text) or null when missing
    jiucuo: str | None = Field(default=None, sa_column=Column(Text, nullable=True))  # the entry's URL, NULL: none
    page_tags: list | None = _json()         # [{url, column, missing: [...]}] pages lacking tags
    ipv6_aaaa: bool | None = None
    ipv6_ok: bool | None = None


class AlertOutbox(SQLModel, table=True):
    """One alert for one webhook (docs/contract.md §8): made once — unique on (webhook, key) — and
    sent once. `state` pending → sending (leased to one sender while its POST is in flight) →
    sent, or back to pending with `next_attempt_at` after a failure, or dead after
    `[alerts] max_attempts`. `body` is the alert's title, lines and data; each robot's format is
    made from it when it is sent."""

    __tablename__ = "alert_outbox"
    __table_args__ = (
        UniqueConstraint("webhook", "key", name="uq_alert_outbox_webhook_key"),
        Index("ix_alert_outbox_webhook_state", "webhook", "state", "next_attempt_at"),
        Index("ix_alert_outbox_webhook_sent", "webhook", "sent_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    webhook: str = Field(max_length=128)
    key: str = Field(max_length=400)          # the alert's identity, e.g. "due:wechat:gh_1:no_update:2026-12-11:4"
    kind: str = Field(max_length=16)          # veto due case feed digest
    account: str | None = Field(default=None, max_length=300)
    region: str = Field(default="", max_length=512)
    body: dict | None = _json()
    created_at: datetime = _utc()
    state: str = Field(default="pending", max_length=16)   # pending sending sent dead
    attempts: int = 0
    next_attempt_at: datetime | None = _utc(nullable=True)
    lease_owner: str | None = Field(default=None, max_length=64)
    lease_until: datetime | None = _utc(nullable=True)
    message_id: str | None = Field(default=None, max_length=64)  # the robot message that carried it
    sent_at: datetime | None = _utc(nullable=True)
    last_error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))

"""Plain dataclasses passed between the layers (connectors → pipeline → rules → reports).

They hold no database state; `tracker.storage.tables` maps them to rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from connectors.base import Post, Profile  # noqa: F401  (re-exported: what a feed yields is the connectors' own type)


class Platform(StrEnum):
    WECHAT = "wechat"
    WEIBO = "weibo"
    DOUYIN = "douyin"
    TOUTIAO = "toutiao"
    KUAISHOU = "kuaishou"
    BILIBILI = "bilibili"
    XIAOHONGSHU = "xiaohongshu"
    APP = "app"
    WEBSITE = "website"  # 政府网站: account_id is the 网站标识码, feed_url the homepage (docs/contract.md §10)
    OTHER = "other"


class AccountStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    DEREGISTERED = "deregistered"


class FilingKind(StrEnum):
    OPEN = "open"
    RENAME = "rename"
    TRANSFER = "transfer"
    SUSPEND = "suspend"
    CLOSE = "close"
    UPDATE = "update"  # registry import --update: changed non-status fields (feed URL, …)
    RESUME = "resume"  # registry import --update: a suspended account back to active


class Severity(StrEnum):
    VETO = "veto"
    WARNING = "warning"
    INFO = "info"


class ObservationKind(StrEnum):
    COMMENTS_DISABLED = "comments_disabled"
    COMMENTS_ENABLED = "comments_enabled"
    APP_UNAVAILABLE = "app_unavailable"
    APP_AVAILABLE = "app_available"
    FAKE_ENGAGEMENT = "fake_engagement"
    UPDATES_SEEN = "updates_seen"  # the inspector opened the account and saw its newest post (or none)


def account_key(platform: str, account_id: str) -> str:
    """The public identifier of an account: `platform:account_id`."""
    return f"{platform}:{account_id}"


@dataclass(frozen=True, slots=True)
class AccountRecord:
    """One account as filed: a registry row, or the registry state as of some time."""

    region: str
    org_name: str
    org_code: str
    platform: str
    account_id: str
    account_name: str
    opened_on: date
    status: str = AccountStatus.ACTIVE
    feed_url: str | None = None
    profile_url: str | None = None
    filing_no: str | None = None

    @property
    def key(self) -> str:
        return account_key(self.platform, self.account_id)


@dataclass(frozen=True, slots=True)
class FilingEvent:
    """One append-only filing (备案) event."""

    account: str
    kind: str
    effective_on: date
    recorded_at: datetime
    by: str
    approver: str | None = None
    doc_no: str | None = None
    payload: dict[str, Any] = field(default_factory=dict)
    id: int | None = None


@dataclass(frozen=True, slots=True)
class Observation:
    account: str
    kind: str
    observed_at: datetime
    inspector: str
    note: str | None = None
    latest_at: datetime | None = None  # updates_seen: the newest post seen; None: no post at all


@dataclass(frozen=True, slots=True)
class Finding:
    account: str
    rule: str
    severity: str
    evidence: dict[str, Any]
    source: str

"""The connector interface: result types, the parser Protocol and the registry of parsers.

A parser is a pure function of bytes (and the fetch time, for relative timestamps): no I/O.
Formats are detected from the body, never from the URL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Protocol, TypeVar
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")  # a time without a zone in a Chinese source is China Standard Time


@dataclass(frozen=True, slots=True)
class Post:
    """A normalized post. Times are timezone-aware UTC."""

    post_id: str
    published_at: datetime | None
    title: str = ""
    text: str = ""
    url: str | None = None
    links: tuple[str, ...] = ()
    is_repost: bool = False
    is_pinned: bool = False
    is_ad: bool = False
    comments_enabled: bool | None = None


@dataclass(frozen=True, slots=True)
class Profile:
    """A profile snapshot as a source reports it."""

    display_name: str | None = None
    verified: bool | None = None
    verified_reason: str | None = None
    followers: int | None = None
    # Values the source sent but the parser dropped (a follower count beyond any integer …),
    # one line each: the poll stores the rest and records these as the account's outcome.
    warnings: tuple[str, ...] = ()


def as_utc(moment: datetime) -> datetime:
    """Aware UTC; a naive value is taken to be UTC already (as stored)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


_Item = TypeVar("_Item")
_Result = TypeVar("_Result")
# What reading one odd item can raise (a value out of range, a field of an unforeseen type).
ITEM_ERRORS = (ArithmeticError, AttributeError, LookupError, TypeError, ValueError, RecursionError)


def each_item(items: Iterable[_Item], convert: Callable[[_Item], _Result]) -> list[_Result]:
    """`convert` applied to every item; an item it cannot read is left out and spoils only
    itself, never the rest of the feed (docs/contract.md §5.2)."""
    results = []
    for item in items:
        try:
            results.append(convert(item))
        except ITEM_ERRORS:
            continue
    return results


class Outcome(StrEnum):
    """How one poll of one account ended; stored per account."""

    OK = "ok"
    NOT_MODIFIED = "not_modified"      # 304, or a body identical to the last one
    HTTP_ERROR = "http_error"          # 4xx/5xx (status recorded)
    TIMEOUT = "timeout"
    TOO_LARGE = "too_large"            # body (after decompression) over the cap
    PARSE_ERROR = "parse_error"        # not a feed we can read, malformed, hostile XML
    BLOCKED = "blocked"                # captcha / login page with 200, RSSHub error page
    PLATFORM_ERROR = "platform_error"  # platform error codes such as Weibo ok:-100
    NETWORK_ERROR = "network_error"    # refused, DNS, TLS, too many redirects
    UNAVAILABLE = "unavailable"        # app probe: cannot be downloaded or used

    @property
    def failed(self) -> bool:
        return self not in (Outcome.OK, Outcome.NOT_MODIFIED)


class SourceError(Exception):
    """A classified failure of a source; `outcome` says which kind."""

    def __init__(self, outcome: Outcome, detail: str, http_status: int | None = None,
                 retry_after: str | None = None) -> None:
        super().__init__(detail)
        self.outcome = outcome
        self.detail = detail
        self.http_status = http_status
        self.retry_after = retry_after  # the Retry-After header of an error answer, as sent


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """What a parser found in one body."""

    format: str
    posts: list[Post] = field(default_factory=list)
    profile: Profile | None = None


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a body came from: the (final) URL it was fetched from and the response's
    `Content-Location`, if any. Relative links are resolved against `base` (docs/contract.md §5.2:
    xml:base inside the document first, then Content-Location, then the feed URL)."""

    url: str | None = None
    content_location: str | None = None

    @property
    def base(self) -> str | None:
        candidates: list[str | None] = []
        if self.content_location and self.content_location.strip():
            try:
                candidates.append(urljoin(self.url or "", self.content_location.strip()))
            except ValueError:
                pass
        candidates.append(self.url)
        for candidate in candidates:
            try:
                if candidate and urlsplit(candidate).scheme in ("http", "https") and urlsplit(candidate).netloc:
                    return candidate
            except ValueError:
                continue
        return None


class Parser(Protocol):
    """One body format. `sniff` looks at the first bytes; `parse` is pure and raises SourceError."""

    name: str

    def sniff(self, head: bytes) -> bool: ...

    def parse(self, body: bytes, *, fetched_at: datetime, content_type: str | None = None,
              origin: Origin | None = None) -> ParsedFeed: ...


class DocumentParser(Parser, Protocol):
    """A JSON format: the registry decodes a JSON body once and asks each such parser whether
    the document is its own (`matches`); key order makes byte sniffing unreliable for JSON."""

    def matches(self, document: Any) -> bool: ...

    def parse_document(self, document: Any, *, fetched_at: datetime, origin: Origin | None = None) -> ParsedFeed: ...


_PARSERS: list[Parser] = []


_ENTRY_POINTS_LOADED = False


def register_parser(parser: Parser) -> Parser:
    """Add a parser to the registry; the built-ins and plugins come from the entry points of
    group `govmedia.parsers` (a class, instantiated, or a parser object)."""
    if any(existing.name == parser.name for existing in _PARSERS):
        raise ValueError(f"parser {parser.name!r} registered twice")
    _PARSERS.append(parser)
    return parser


def parsers() -> list[Parser]:
    """Every registered parser, the entry points' loaded on first use (built-ins first)."""
    global _ENTRY_POINTS_LOADED
    if not _ENTRY_POINTS_LOADED:
        from connectors.plugins import PARSERS, load  # here, not at the top: plugins import this module

        for _name, found in load(PARSERS):
            parser = found() if isinstance(found, type) else found
            if not any(existing.name == parser.name for existing in _PARSERS):
                _PARSERS.append(parser)
        _ENTRY_POINTS_LOADED = True
    return list(_PARSERS)


ParseFunction = Callable[[bytes, datetime], ParsedFeed]

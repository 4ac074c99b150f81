"""The one validator for what a user types into the registry: account ids, region paths and
free text (names, org names, who filed…), used by `registry import`, `file …` and the TUI forms.

Normalisation where it is safe (NFKC: full-width digits and letters → ASCII; whitespace around
the value is dropped), refusal where it is not (control characters, bidi overrides, zero-width
characters, inner whitespace, `:` or `/` in an id, `.`/`..`/empty region segments). Lengths are
those of the database columns (tracker/storage/tables.py), checked before anything is written.
"""

from __future__ import annotations

import re
import unicodedata

from tracker.domain.errors import TrackerError

# Column lengths of table `account`, `region`, `organisation` and `filing_event`.
MAX_LENGTH = {
    "region": 512, "region_segment": 128, "org_name": 256, "org_code": 18, "platform": 32,
    "account_id": 256, "account_name": 256, "filing_no": 128, "by": 128, "approver": 128,
    "doc_no": 128, "inspector": 128,
}

# Every C0 control (tab and newline too), DEL, every C1 control, and the bidirectional
# overrides, embeddings, isolates and marks that reorder how a name is displayed.
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200d\u2060-\u2064\ufeff]")  # zero-width and soft hyphen
_SPACE = re.compile(r"\s")
_HIDDEN = re.compile(f"{CONTROL.pattern}|{_INVISIBLE.pattern}")


class InvalidValue(TrackerError, ValueError):
    """A value typed or filed that the registry refuses; the message names the field."""


def text_problem(value: str, max_length: int | None = None) -> str | None:
    """Why a free-text value (a name, an org name…) is refused, or None."""
    if CONTROL.search(value):
        return "contains control characters (line breaks, tabs, ESC, bidi overrides…)"
    if max_length is not None and len(value) > max_length:
        return f"too long: {len(value)} characters, at most {max_length}"
    return None


def check_text(field: str, value: str | None, max_length: int | None = None) -> str | None:
    """`value` stripped, or InvalidValue naming `field`."""
    if value is None:
        return None
    cleaned = value.strip()
    reason = text_problem(value if CONTROL.search(value) else cleaned, max_length if max_length is not None else MAX_LENGTH.get(field))
    if reason:
        raise InvalidValue(f"{_option(field)} {_shown(value)}: {reason}")
    return cleaned


def _option(field: str) -> str:
    return "--" + field.replace("_", "-")


def _shown(value: str) -> str:
    shown = value if len(value) <= 60 else value[:57] + "…"
    escaped = _HIDDEN.sub(lambda m: ascii(m.group())[1:-1], shown)  # ESC shows as \x1b, not acting
    return f"'{escaped}'"


def _nfkc(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip()


def account_id_problem(value: str) -> str | None:
    """Why an account id (already normalised) is refused, or None."""
    if not value:
        return "the account id is empty"
    if CONTROL.search(value) or _INVISIBLE.search(value):
        return "contains control or zero-width characters"
    if _SPACE.search(value):
        return "may not contain spaces"
    if ":" in value or "/" in value or "\\" in value:
        return "may not contain ':', '/' or '\\'"
    if value in (".", ".."):
        return "may not be '.' or '..'"
    if len(value) > MAX_LENGTH["account_id"]:
        return f"too long: {len(value)} characters, at most {MAX_LENGTH['account_id']}"
    return None


def normalise_account_id(value: str) -> str:
    return _nfkc(value)


def region_problem(value: str) -> str | None:
    """Why a region path (already normalised) is refused, or None."""
    if CONTROL.search(value) or _INVISIBLE.search(value):
        return "contains control or zero-width characters"
    if len(value) > MAX_LENGTH["region"]:
        return f"too long: {len(value)} characters, at most {MAX_LENGTH['region']}"
    segments = value.split("/")
    if any(not segment.strip() for segment in segments):
        return "empty segment; write the path from the top like 福建省/福州市/鼓楼区"
    if any(segment != segment.strip() for segment in segments):
        return "spaces around a '/' segment"
    if any(segment in (".", "..") for segment in segments):
        return "'.' and '..' are not region names; write the path from the top like 福建省/福州市/鼓楼区"
    if any(len(segment) > MAX_LENGTH["region_segment"] for segment in segments):
        return f"a segment longer than {MAX_LENGTH['region_segment']} characters"
    return None


def normalise_region(value: str) -> str:
    return _nfkc(value)


def check_region(value: str, field: str = "region") -> str:
    """The normalised region path, or InvalidValue."""
    region = normalise_region(value)
    reason = region_problem(value if _HIDDEN.search(value) else region)
    if reason:
        raise InvalidValue(f"{_option(field)} {_shown(value)}: {reason}")
    return region


def parse_account_key(text: str) -> tuple[str, str]:
    """`platform:account_id` → (platform, account_id), normalised (NFKC, outer spaces dropped)."""
    from tracker.domain.models import Platform

    if _HIDDEN.search(text):
        raise InvalidValue(f"account {_shown(text)}: contains control or zero-width characters (line breaks, tabs, ESC…)")
    value = _nfkc(text)
    platform, sep, account_id = value.partition(":")
    if not sep or not account_id:
        raise InvalidValue(f"account must be written platform:account_id (e.g. weibo:1234567890), got {_shown(text)}")
    if platform not in {p.value for p in Platform}:
        raise InvalidValue(f"unknown platform {_shown(platform)} in {_shown(text)}; use one of {', '.join(p.value for p in Platform)}")
    reason = account_id_problem(account_id)
    if reason:
        raise InvalidValue(f"account {_shown(text)}: the id {reason}")
    return platform, account_id

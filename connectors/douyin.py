"""Douyin web JSON: `{"status_code":0,"aweme_list":[…]}` (posts, profile from `author`) and
`{"status_code":0,"user":{…}}` (profile). `status_code != 0` is a platform error."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from connectors.base import Outcome, ParsedFeed, SourceError
from connectors.counts import parse_count
from connectors.feedtime import from_epoch
from connectors.htmltext import bare_urls, clean_links, plain_text, short_title, stable_id
from connectors.jsondoc import load_json
from tracker.models import Post, Profile


def _flag(value: Any) -> bool | None:
    """Douyin writes booleans as true/false or 1/0."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value != 0
    return None


def _deleted(aweme: dict[str, Any]) -> bool:
    """A post the author deleted (Douyin still lists it for a while): not on the account."""
    status = aweme.get("status")
    return isinstance(status, dict) and bool(status.get("is_delete"))


def aweme_to_post(aweme: dict[str, Any]) -> Post:
    text = plain_text(str(aweme.get("desc") or ""))
    raw_id = aweme.get("aweme_id") or aweme.get("group_id")
    post_id = str(raw_id) if raw_id else stable_id(aweme.get("share_url"), text)
    url = f"https://www.douyin.com/video/{raw_id}" if raw_id else aweme.get("share_url")
    control = aweme.get("aweme_control") if isinstance(aweme.get("aweme_control"), dict) else {}
    return Post(
        post_id=post_id,
        published_at=from_epoch(aweme["create_time"]) if aweme.get("create_time") else None,
        title=short_title(text),
        text=text,
        url=url,
        links=tuple(link for link in clean_links(bare_urls(text)) if link != url),
        is_repost=False,
        is_pinned=bool(_flag(aweme.get("is_top"))),
        is_ad=bool(_flag(aweme.get("is_ads"))),
        comments_enabled=_flag(control.get("can_comment")),
    )


def author_to_profile(author: dict[str, Any]) -> Profile:
    reason = (author.get("enterprise_verify_reason") or author.get("custom_verify") or "").strip()
    verification_fields = ("enterprise_verify_reason", "custom_verify", "verification_type")
    return Profile(
        display_name=author.get("nickname") or None,
        verified=bool(reason) if any(key in author for key in verification_fields) else None,
        verified_reason=reason or None,
        followers=parse_count(author.get("follower_count", author.get("mplatform_followers_count"))),
    )


def parse_douyin_document(doc: dict[str, Any], fetched_at: datetime) -> ParsedFeed:
    status = doc.get("status_code")
    if status != 0:
        message = doc.get("status_msg") or doc.get("message") or ""
        raise SourceError(Outcome.PLATFORM_ERROR, f"Douyin status_code {status} {message}".strip())
    awemes = [a for a in doc.get("aweme_list") or [] if isinstance(a, dict) and not _deleted(a)]
    posts = [aweme_to_post(aweme) for aweme in awemes]
    profile = None
    if isinstance(doc.get("user"), dict):
        profile = author_to_profile(doc["user"])
    else:
        authors = [a["author"] for a in awemes if isinstance(a.get("author"), dict)]
        if authors:
            profile = author_to_profile(authors[0])
    return ParsedFeed(format="douyin", posts=posts, profile=profile)


class DouyinParser:
    name = "douyin"

    def matches(self, doc: Any) -> bool:
        return isinstance(doc, dict) and "status_code" in doc and (
            "aweme_list" in doc or "user" in doc or doc.get("status_code") != 0)

    def sniff(self, head: bytes) -> bool:
        return head.lstrip().startswith(b"{") and b'"status_code"' in head

    def parse(self, body: bytes, *, fetched_at: datetime, content_type: str | None = None) -> ParsedFeed:
        doc = load_json(body)
        if not self.matches(doc):
            raise SourceError(Outcome.PARSE_ERROR, "not a Douyin API document")
        return self.parse_document(doc, fetched_at=fetched_at)

    def parse_document(self, doc: Any, *, fetched_at: datetime) -> ParsedFeed:
        return parse_douyin_document(doc, fetched_at)

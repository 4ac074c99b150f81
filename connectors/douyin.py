"""Douyin web JSON: `{"status_code":0,"aweme_list":[…]}` (posts, profile from `author`) and
`{"status_code":0,"user":{…}}` (profile). `status_code != 0` is a platform error.

A post without `create_time` (2020-era answers) takes the time its `aweme_id` encodes,
`aweme_id >> 32` Unix seconds (docs/contract.md §5.2), when that is a plausible time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from connectors.base import Origin, Outcome, ParsedFeed, Post, Profile, SourceError, each_item
from connectors.counts import read_count
from connectors.feedtime import from_epoch
from connectors.htmltext import bare_urls, clean_links, plain_text, short_title, stable_id
from connectors.jsondoc import dict_of, list_of, load_json, text_of


def _flag(value: Any) -> bool | None:
    """Douyin writes booleans as true/false or 1/0."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value != 0
    return None


def _deleted(aweme: dict[str, Any]) -> bool:
    """A post the author deleted (Douyin still lists it for a while): not on the account."""
    return bool(_flag(dict_of(aweme.get("status")).get("is_delete")))


_DOUYIN_LAUNCH = datetime(2016, 9, 1, tzinfo=UTC)


def aweme_id_time(aweme_id: str, fetched_at: datetime | None = None) -> datetime | None:
    """The second an `aweme_id` encodes (`aweme_id >> 32`), if it lies between Douyin's launch
    and the fetch (a day's leeway); else None."""
    if not aweme_id.isdigit() or len(aweme_id) > 20:
        return None
    moment = from_epoch(int(aweme_id) >> 32)
    latest = (fetched_at or datetime.now(UTC)) + timedelta(days=1)
    if moment is None or not _DOUYIN_LAUNCH <= moment <= latest:
        return None
    return moment


def aweme_to_post(aweme: dict[str, Any], fetched_at: datetime | None = None) -> Post:
    text = plain_text(text_of(aweme.get("desc")) or "")
    raw_id = (text_of(aweme.get("aweme_id")) or text_of(aweme.get("group_id")) or "").strip()
    share_url = text_of(aweme.get("share_url"))
    post_id = raw_id or stable_id(share_url, text)
    url = f"https://www.douyin.com/video/{raw_id}" if raw_id else share_url
    control = dict_of(aweme.get("aweme_control"))
    created = aweme.get("create_time")
    published = from_epoch(created) if created is not None and text_of(created) else None
    if published is None and not text_of(created):
        published = aweme_id_time(text_of(aweme.get("aweme_id")) or "", fetched_at)
    return Post(
        post_id=post_id,
        published_at=published,
        title=short_title(text),
        text=text,
        url=url,
        links=tuple(link for link in clean_links(bare_urls(text)) if link != url),
        is_repost=False,
        is_pinned=bool(_flag(aweme.get("is_top"))),
        is_ad=bool(_flag(aweme.get("is_ads"))),
        comments_enabled=_flag(control.get("can_comment")),
    )


def author_to_profile(author: dict[str, Any], *, zero_followers_unknown: bool = False) -> Profile:
    """Profile of a `user` object, or of a post's `author` (zero_followers_unknown: the post
    list often sends follower_count 0 for accounts with millions; 0 there means "not sent",
    and storing it would look like a jump in followers at the next real count)."""
    reason = (text_of(author.get("enterprise_verify_reason")) or text_of(author.get("custom_verify")) or "").strip()
    verification_fields = ("enterprise_verify_reason", "custom_verify", "verification_type")
    followers, problem = read_count(author.get("follower_count", author.get("mplatform_followers_count")))
    return Profile(
        display_name=text_of(author.get("nickname")) or None,
        verified=bool(reason) if any(key in author for key in verification_fields) else None,
        verified_reason=reason or None,
        followers=None if zero_followers_unknown and followers == 0 else followers,
        warnings=(problem,) if problem else (),
    )


def parse_douyin_document(doc: dict[str, Any], fetched_at: datetime, origin: Origin | None = None) -> ParsedFeed:
    status = doc.get("status_code")
    if status not in (0, "0"):
        message = text_of(doc.get("status_msg")) or text_of(doc.get("message")) or ""
        raise SourceError(Outcome.PLATFORM_ERROR, f"Douyin status_code {status} {message}".strip())
    awemes = [a for a in list_of(doc.get("aweme_list")) if isinstance(a, dict) and not _deleted(a)]
    posts = each_item(awemes, lambda aweme: aweme_to_post(aweme, fetched_at))
    profile = None
    if isinstance(doc.get("user"), dict):
        profile = author_to_profile(doc["user"])
    else:
        authors = [a["author"] for a in awemes if isinstance(a.get("author"), dict)]
        if authors:
            profile = author_to_profile(authors[0], zero_followers_unknown=True)
    return ParsedFeed(format="douyin", posts=posts, profile=profile)


class DouyinParser:
    name = "douyin"

    def matches(self, doc: Any) -> bool:
        return isinstance(doc, dict) and "status_code" in doc and (
            "aweme_list" in doc or "user" in doc or doc.get("status_code") not in (0, "0"))

    def sniff(self, head: bytes) -> bool:
        return head.lstrip().startswith(b"{") and b'"status_code"' in head

    def parse(self, body: bytes, *, fetched_at: datetime, content_type: str | None = None,
              origin: Origin | None = None) -> ParsedFeed:
        doc = load_json(body)
        if not self.matches(doc):
            raise SourceError(Outcome.PARSE_ERROR, "not a Douyin API document")
        return self.parse_document(doc, fetched_at=fetched_at, origin=origin)

    def parse_document(self, doc: Any, *, fetched_at: datetime, origin: Origin | None = None) -> ParsedFeed:
        return parse_douyin_document(doc, fetched_at)

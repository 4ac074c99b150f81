"""Format detection and the one entry point for parsing: `parse_body`.

The format is read from the body, never from the URL or the Content-Type (which is only a
charset hint): JSON documents go to the parser whose `matches` accepts them, XML feeds to the
RSS/RDF/Atom parser, and anything else is classified — a captcha, login or RSSHub error page is
`blocked`, the rest `parse_error`.
"""

from __future__ import annotations

from datetime import datetime

from connectors.base import Origin, Outcome, ParsedFeed, SourceError, parsers
from connectors.blockpage import block_reason
from connectors.jsondoc import load_json, looks_like_json
from connectors.xmlprep import decode_body, refuse_entity_declarations

UNFORESEEN = "unreadable document (unforeseen shape)"
_SNIFF_BYTES = 65_536  # enough for the longest prolog (comments, DOCTYPE) before the root


def detect_format(body: bytes) -> str | None:
    """Name of the registered parser for this body, or None (no I/O, no full parse of XML)."""
    head = body[:_SNIFF_BYTES]
    if looks_like_json(head):
        try:
            document = load_json(body)
        except SourceError:
            return None
        return next((p.name for p in parsers() if hasattr(p, "matches") and p.matches(document)), None)
    return next((p.name for p in parsers() if not hasattr(p, "matches") and p.sniff(head)), None)


def parse_body(body: bytes, *, fetched_at: datetime, content_type: str | None = None,
               origin: Origin | None = None) -> ParsedFeed:
    """Bytes of a feed or API answer → posts and profile; raises a classified SourceError.

    `origin` (the URL fetched and the response's Content-Location) is what relative links are
    resolved against and tells the Weibo parser whose posts the answer should hold. A feed with
    items none of which has a readable time is a parse_error, not an empty feed (docs/contract.md §5.2)."""
    try:
        parsed = _parse(body, fetched_at, content_type, origin)
    except SourceError:
        raise
    except (ArithmeticError, AttributeError, LookupError, TypeError, ValueError, RecursionError) as exc:
        # A shape no parser foresaw must cost one account a parse_error, never the whole poll.
        raise SourceError(Outcome.PARSE_ERROR, f"{UNFORESEEN}: {type(exc).__name__}: {exc}") from exc
    if parsed.posts and all(post.published_at is None for post in parsed.posts):
        raise SourceError(Outcome.PARSE_ERROR,
                          f"none of the {len(parsed.posts)} items has a readable publication time")
    return parsed


def _parse(body: bytes, fetched_at: datetime, content_type: str | None, origin: Origin | None) -> ParsedFeed:
    if not body or not body.strip():
        raise SourceError(Outcome.PARSE_ERROR, "empty body")
    if looks_like_json(body[:_SNIFF_BYTES]):
        document = load_json(body)
        for parser in parsers():
            if hasattr(parser, "matches") and parser.matches(document):
                return parser.parse_document(document, fetched_at=fetched_at, origin=origin)
        raise SourceError(Outcome.PARSE_ERROR, "JSON document of no known feed or API format")
    text = decode_body(body, content_type)
    refuse_entity_declarations(text)
    head = body[:_SNIFF_BYTES]
    for parser in parsers():
        if not hasattr(parser, "matches") and parser.sniff(head):
            return parser.parse(body, fetched_at=fetched_at, content_type=content_type, origin=origin)
    reason = block_reason(text)
    if reason:
        raise SourceError(Outcome.BLOCKED, reason)
    raise SourceError(Outcome.PARSE_ERROR, "not a feed: no RSS, Atom, RDF or known JSON format")

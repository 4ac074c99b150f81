"""JSON bodies: decoding (UTF-8/16/32 per RFC 8259, GB18030 as a last resort) and sniffing."""

from __future__ import annotations

import json
from typing import Any

from connectors.base import Outcome, SourceError


def looks_like_json(head: bytes) -> bool:
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return stripped[:1] in (b"{", b"[") or stripped[:2] in (b"{\x00", b"[\x00")


def load_json(body: bytes) -> Any:
    """The parsed document; a body that is not JSON raises parse_error."""
    try:
        return json.loads(body)
    except UnicodeDecodeError:
        try:
            return json.loads(body.decode("gb18030"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise SourceError(Outcome.PARSE_ERROR, f"malformed JSON: {exc}") from exc
    except (ValueError, RecursionError) as exc:
        raise SourceError(Outcome.PARSE_ERROR, f"malformed JSON: {exc}") from exc

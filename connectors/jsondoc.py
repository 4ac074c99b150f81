"""JSON bodies: decoding (UTF-8/16/32 per RFC 8259, GB18030 as a last resort) and sniffing."""

from __future__ import annotations

import codecs
import json
from typing import Any

from connectors.base import Outcome, SourceError

_BOMS = ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"), (codecs.BOM_UTF8, "utf-8"),
         (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))


def looks_like_json(head: bytes) -> bool:
    """Whether the body starts like a JSON object or array (in UTF-8, or UTF-16/32 with a BOM)."""
    for bom, name in _BOMS:
        if head.startswith(bom):
            return head[len(bom):].decode(name, errors="ignore").lstrip()[:1] in ("{", "[")
    return head.lstrip(b" \t\r\n")[:1] in (b"{", b"[")


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


# Platform JSON is loosely typed (ids as numbers or strings, objects that are sometimes null or
# a list): the parsers read every field through these, so a wrong type is "absent", never a crash.
def text_of(value: Any) -> str | None:
    """A string field; numbers (ids, counts) as their decimal text; anything else None."""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def dict_of(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def list_of(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []

"""Text normalization before matching: traditional → simplified (OpenCC t2s), full-width →
half-width (NFKC), and every space and zero-width character removed, so that 臺灣國, 台 湾 国
and 台\u200b湾国 all read 台湾国."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Zero-width and invisible format characters that editors and copy-paste leave inside words.
_INVISIBLE = "\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff\u00ad\u180e"
_STRIP = re.compile(rf"[\s{_INVISIBLE}]+")


@lru_cache(maxsize=1)
def _converter():  # noqa: ANN202 — opencc has no type hints
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    return _converter().convert(text) if text else text


def normalize(text: str | None) -> str:
    """The form every text rule matches on (lexicon terms, stop notices, names)."""
    if not text:
        return ""
    if len(text) <= 64:  # names and terms repeat across accounts: remember them
        return _normalize_short(text)
    return _normalize(text)


@lru_cache(maxsize=65536)
def _normalize_short(text: str) -> str:
    return _normalize(text)


def _normalize(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text)
    return to_simplified(_STRIP.sub("", folded)).lower()

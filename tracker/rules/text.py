"""Text normalization before matching: traditional → simplified (OpenCC t2s), full-width →
half-width (NFKC), and every space and zero-width character removed, so that 臺灣國, 台 湾 国
and 台\u200b湾国 all read 台湾国."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

# Zero-width and invisible format characters that editors and copy-paste leave inside words.
_INVISIBLE = "\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff\u00ad\u180e"
_STRIP = re.compile(rf"[\s{_INVISIBLE}]+")
_HAS_INVISIBLE = re.compile(f"[{_INVISIBLE}]")
_T2S_CHARS = Path(__file__).resolve().parent.parent / "data" / "opencc_t2s.txt"


@lru_cache(maxsize=1)
def _converter():
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    return _converter().convert(text) if text else text


def t2s_characters() -> tuple[str, str]:
    """(every character OpenCC t2s converts on its own, the characters its phrases change): what the
    installed OpenCC does, asked character by character (a second or so; `_t2s_trigger` reads the
    lists from tracker/data/opencc_t2s.txt when they are of this OpenCC version)."""
    points = [point for point in range(0x80, 0x40000) if not 0xD800 <= point < 0xE000]
    converted = _converter().convert("\n".join(map(chr, points))).split("\n")
    if len(converted) != len(points):
        raise RuntimeError("OpenCC t2s changed the line breaks between characters")
    own = "".join(chr(point) for point, out in zip(points, converted, strict=True) if out != chr(point))
    return own, _read_t2s_lists()[2]


def _read_t2s_lists() -> tuple[str, str, str]:
    version, own, phrases = (line for line in _T2S_CHARS.read_text(encoding="utf-8").splitlines()
                             if not line.startswith("#"))
    return version.removeprefix("opencc "), own, phrases


@lru_cache(maxsize=1)
def _t2s_trigger() -> re.Pattern[str]:
    """Finds a character that OpenCC t2s may change. Conversion is longest-match over the
    dictionaries' phrases and characters, each replaced by its value: in a text with no character
    that t2s converts on its own and none that a phrase changes (深沈 → 深沉, though 深 and 沈 stay
    as they are alone), every match is replaced by itself, so the text converts to itself."""
    import opencc

    version, own, phrases = _read_t2s_lists()
    if version != opencc.__version__:  # another OpenCC: ask it (slower, the same answer)
        own, phrases = t2s_characters()
    # Characters beyond the BMP all count (they are rare): a class of hundreds of them would make
    # every search crawl, while the BMP ones compile to a bitmap.
    bmp = sorted({char for char in own + phrases if ord(char) < 0x10000})
    return re.compile("[" + "".join(map(re.escape, bmp)) + "\U00010000-\U0010ffff]")


def _simplified(text: str) -> str:
    """`to_simplified`, without calling OpenCC for text it would leave as it is (most text)."""
    return _converter().convert(text) if _t2s_trigger().search(text) else text


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


# The full-width punctuation of Chinese text (，：；！？（）and the ideographic space): replaced by
# what NFKC makes of them, most texts are then NFKC already, which `is_normalized` confirms at a
# fraction of what `normalize` costs on CJK text.
_COMMON_WIDE = tuple((wide, unicodedata.normalize("NFKC", wide)) for wide in "，：；！？（）\u3000")


def nfkc(text: str) -> str:
    """`unicodedata.normalize("NFKC", text)`, fast for the usual ASCII and CJK text."""
    if unicodedata.is_normalized("NFKC", text):
        return text
    for wide, narrow in _COMMON_WIDE:  # each is NFKC's own mapping of the character: same result
        if wide in text:
            text = text.replace(wide, narrow)
    return text if unicodedata.is_normalized("NFKC", text) else unicodedata.normalize("NFKC", text)


def normalize_folded(folded: str) -> str:
    """`normalize` of text already through `nfkc`. `str.split()` splits on exactly what `\\s`
    matches (Unicode white space), and does so several times faster than `_STRIP.sub`."""
    stripped = "".join(folded.split())
    if _HAS_INVISIBLE.search(stripped):
        stripped = _STRIP.sub("", stripped)
    return (stripped if stripped.isascii() else _simplified(stripped)).lower()


def _normalize(text: str) -> str:
    return normalize_folded(nfkc(text))

"""Personal data in post text: 18-digit resident ID numbers (GB 11643-1999) and mainland mobile
numbers. Only unmasked numbers count: `110101********1234` and `138****5678` are what a careful
editor publishes, so they never match."""

from __future__ import annotations

import re
from datetime import date

from tracker.rules.text import nfkc

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"  # ISO 7064 MOD 11-2: remainder → check character
# Numbers are judged on maximal digit runs: an ID is a run of 18 digits, or 17 and an X, with
# nothing more; a mobile is a run of exactly 11 digits (part of an ID or an order number is not).
_DIGIT_RUN = re.compile(r"\d+")
# No 11 ASCII digits in a row: neither an ID nor a mobile (both are ASCII runs of 11 or more). A
# leading literal class lets the regex engine skip to the digits: several times faster than \d{11}.
_LONG_RUN = re.compile(r"[0-9][0-9]{10}")
_MOBILE = re.compile(r"1[3-9]\d{9}")
_EARLIEST_BIRTH = date(1900, 1, 1)


def check_character(first17: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def _plausible_birth(number: str, today: date) -> bool:
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    return _EARLIEST_BIRTH <= born <= today


def is_resident_id(number: str, *, today: date | None = None) -> bool:
    """An 18-character resident ID with a valid check character and a plausible birth date."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    if number[0] == "0" or not _plausible_birth(number, today or date.today()):
        return False
    return check_character(number[:17]) == number[17].upper()


def _runs(text: str) -> list[tuple[str, str]]:
    """(digit run, the two characters after it) of every maximal run of ASCII digits."""
    return _folded_runs(nfkc(text or ""))


def _folded_runs(folded: str) -> list[tuple[str, str]]:
    return [(m.group(0), folded[m.end():m.end() + 2]) for m in _DIGIT_RUN.finditer(folded) if m.group(0).isascii()]


def find_resident_ids(text: str, *, today: date | None = None) -> list[str]:
    return _ids_in_runs(_runs(text), today)


def _ids_in_runs(runs: list[tuple[str, str]], today: date | None) -> list[str]:
    found = []
    for run, after in runs:
        x_follows = after[:1] in ("X", "x")
        if len(run) == 18 and not x_follows:
            number = run
        elif len(run) == 17 and x_follows and not after[1:].isdigit():
            number = run + after[0]
        else:
            continue
        if is_resident_id(number, today=today):
            found.append(number)
    return found


def find_mobiles(text: str) -> list[str]:
    return _mobiles_in_runs(_runs(text))


def _mobiles_in_runs(runs: list[tuple[str, str]]) -> list[str]:
    return [run for run, _after in runs if len(run) == 11 and _MOBILE.fullmatch(run)]


def mask_id(number: str) -> str:
    return f"{number[:6]}********{number[-4:]}"


def mask_mobile(number: str) -> str:
    return f"{number[:3]}****{number[-4:]}"


def privacy_matches(text: str, *, today: date | None = None) -> list[str]:
    """Masked descriptions of every unmasked ID and mobile number in `text`, IDs first."""
    return folded_privacy_matches(nfkc(text or ""), today=today)


def folded_privacy_matches(folded: str, *, today: date | None = None) -> list[str]:
    """`privacy_matches` of text already through `text.nfkc`; text without a run of 11 digits
    is answered without splitting it into runs."""
    if not _LONG_RUN.search(folded):
        return []
    runs = _folded_runs(folded)
    found = [f"身份证号 {mask_id(n)}" for n in _ids_in_runs(runs, today)]
    found += [f"手机号 {mask_mobile(n)}" for n in _mobiles_in_runs(runs)]
    return found

"""统一社会信用代码 (unified social credit identifier), GB 32100-2015.

18 characters from a 31-character alphabet (no I, O, Z, S, V); the last is a check character
computed with the weights below, modulo 31.
"""

from __future__ import annotations

import operator

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_VALUE = {char: index for index, char in enumerate(ALPHABET)}


def check_character(first17: str) -> str:
    if len(first17) != len(WEIGHTS):
        raise ValueError(f"expected {len(WEIGHTS)} characters, got {len(first17)}")
    total = sum(map(operator.mul, map(_VALUE.__getitem__, first17), WEIGHTS))  # one C loop: registry import checks every row
    return ALPHABET[(31 - total % 31) % 31]


def org_code_problem(code: str) -> str | None:
    """Why `code` is not a valid 统一社会信用代码, or None when it is."""
    if len(code) != 18:
        return f"must be 18 characters, got {len(code)}"
    bad = sorted({char for char in code if char not in _VALUE})
    if bad:
        return f"characters not allowed by GB 32100-2015: {''.join(bad)}"
    expected = check_character(code[:17])
    if code[17] != expected:
        return f"check character is {code[17]}, GB 32100-2015 gives {expected}"
    return None


def make_org_code(body17: str) -> str:
    """Complete 17 characters with their check character (used by the demo and tests)."""
    return body17 + check_character(body17)

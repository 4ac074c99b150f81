"""The official order of regions: administrative division codes (GB/T 2260).

Every region list the tool shows (report rows, named lists, the dashboard, filters, the
inspection plan) follows the codes where the names are known, a province-level row before its
cities; names the table does not know (平潭综合实验区, a 开发区, a typo) follow their known
siblings in the order they first appear in the registry.

The table (`divisions.tsv` beside this module) holds the county-level and higher codes; its
header names its source and how it was generated (`python -m tracker.domain.divisions build`).
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from tracker.domain.regions import segments

TABLE = Path(__file__).with_name("divisions.tsv")
# Groupings of the code table that are no region of their own: their children sit one level up.
HEADER = """\
# 中华人民共和国县级以上行政区划代码 (GB/T 2260): 6-digit code and name.
# Source: resources/adcodes.csv of the PyPI package cpca 0.5.5 (MIT licence, file dated 2020-11-07),
# which its authors compiled from the 民政部 and 国家统计局 code lists (2020).
# Generated 2026-12-07 with: python -m tracker.domain.divisions build adcodes.csv > tracker/domain/divisions.tsv
"""
_GROUPINGS = ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划")


@lru_cache(maxsize=1)
def _children() -> dict[str, dict[str, str]]:
    """Parent code ("" for the country) → child name → code."""
    children: dict[str, dict[str, str]] = {}
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        code, name = line.split("\t")
        if name in _GROUPINGS:
            continue
        if code.endswith("0000"):
            parent = ""
        elif code.endswith("00") or code[2:4] == "90":
            parent = code[:2] + "0000"  # a city, or a county the province governs directly (济源市)
        else:
            parent = code[:4] + "00"
            if parent[2:4] in ("01", "02") and code[:2] in ("11", "12", "31", "50"):
                parent = code[:2] + "0000"  # districts of 北京 天津 上海 重庆 sit under the municipality
        children.setdefault(parent, {})[name] = code
    return children


def division_code(path: str) -> str | None:
    """The code of the last segment of `path`, each segment looked up under the one before."""
    parent = ""
    for name in segments(path):
        code = _children().get(parent, {}).get(name)
        if code is None:
            return None
        parent = code
    return parent or None


class RegionOrder:
    """A sort key for region paths: by code where known, else by first appearance (`appearance`:
    the registry's regions, oldest first)."""

    def __init__(self, appearance: Iterable[str] = ()) -> None:
        self._first: dict[str, int] = {}
        for path in appearance:
            parts = segments(path)
            for depth in range(1, len(parts) + 1):
                self._first.setdefault("/".join(parts[:depth]), len(self._first))

    def key(self, path: str) -> tuple:
        parts = segments(path)
        key: list[tuple] = []
        parent: str | None = ""
        for depth in range(1, len(parts) + 1):
            prefix = "/".join(parts[:depth])
            code = _children().get(parent, {}).get(parts[depth - 1]) if parent is not None else None
            if code is not None:
                key.append((0, code, 0))
            else:
                key.append((1, "", self._first.get(prefix, len(self._first)), prefix))
            parent = code
        return tuple(key)

    def sorted(self, paths: Iterable[str]) -> list[str]:
        return sorted(paths, key=self.key)


def build(source: Path) -> str:
    """divisions.tsv from an `adcode,name,…` CSV of 12-digit codes (cpca's resources/adcodes.csv)."""
    with source.open(encoding="utf-8") as handle:
        rows = sorted((row["adcode"][:6], row["name"].strip()) for row in csv.DictReader(handle))
    return HEADER + "".join(f"{code}\t{name}\n" for code, name in rows)


if __name__ == "__main__":  # python -m tracker.domain.divisions build adcodes.csv
    if len(sys.argv) != 3 or sys.argv[1] != "build":
        sys.exit("usage: python -m tracker.domain.divisions build ADCODES.csv")
    sys.stdout.write(build(Path(sys.argv[2])))

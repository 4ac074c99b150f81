"""Region paths (`福建省/福州市/鼓楼区`): subtrees, ancestors, the 通报 row and the level.

The 通报 tables of the seeds group by the second level (设区市); units of one segment are
province-level (省直/本级) and form their own row.
"""

from __future__ import annotations

LEVELS = ("省级", "市级", "县级")


def segments(region: str) -> list[str]:
    return [part.strip() for part in region.split("/") if part.strip()]


def in_region(path: str, region: str | None) -> bool:
    """Whether `path` lies in the subtree of `region` (None or empty: everywhere)."""
    if not region:
        return True
    top = segments(region)
    return segments(path)[: len(top)] == top


def ancestors(path: str) -> list[str]:
    """`a/b/c` → [`a`, `a/b`, `a/b/c`]."""
    parts = path.split("/")
    return ["/".join(parts[: index + 1]) for index in range(len(parts))]


def row_region(region: str) -> str:
    """The 通报 row of a region: its first two segments (a province-level unit its own one)."""
    return "/".join(segments(region)[:2])


def is_province_level(region: str) -> bool:
    return len(segments(region)) <= 1


def region_level(region: str) -> str:
    """省级 for one segment, 市级 for two, 县级 for three or more (乡镇 count with their county)."""
    depth = len(segments(region))
    return LEVELS[min(max(depth, 1), 3) - 1]

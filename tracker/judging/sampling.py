"""The reproducible stratified sample of an inspection.

The sample depends only on the seed and the registry: accounts are sorted by key and every
stratum (second-level region × platform) draws with its own `random.Random` seeded by the seed
and the stratum's name, so row order in the database and the other strata never matter.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Iterable

from tracker.domain.errors import TrackerError
from tracker.domain.models import AccountRecord
from tracker.domain.times import quarter_bounds
from tracker.judging.population import stratum_of


def default_seed(quarter: str) -> int:
    first, _ = quarter_bounds(quarter)
    return first.year * 10 + (first.month - 1) // 3 + 1


def parse_ratio(text: str | float) -> float:
    """`0.3`, `30%` → 0.3; anything outside (0, 1] is refused."""
    raw = str(text).strip()
    try:
        value = float(raw[:-1]) / 100 if raw.endswith("%") else float(raw)
    except ValueError as exc:
        raise TrackerError(f"--ratio must be a fraction like 0.3 or a percentage like 30%, got {raw!r}") from exc
    if not 0 < value <= 1 or math.isnan(value):
        raise TrackerError(f"--ratio must be above 0 and at most 1 (100%), got {raw!r}")
    return value


def draw_sample(records: Iterable[AccountRecord], ratio: float, seed: int,
                website_ratio: float | None = None) -> dict[str, list[str]]:
    """Stratum → sampled account keys: ceil(ratio × size), at least one, per stratum; the strata
    of 政府网站 (platform website) draw at `website_ratio` when given (`[inspection] website_ratio`)."""
    strata: dict[str, list[str]] = defaultdict(list)
    for record in records:
        strata[stratum_of(record)].append(record.key)
    sample: dict[str, list[str]] = {}
    for stratum in sorted(strata):
        keys = sorted(set(strata[stratum]))
        # round() first: 0.3 × 10 is 3.0000000000000004 in floating point, which is 3, not 4
        share = website_ratio if website_ratio is not None and stratum.endswith("|website") else ratio
        size = min(len(keys), max(1, math.ceil(round(share * len(keys), 9))))
        sample[stratum] = sorted(random.Random(f"{seed}|{stratum}").sample(keys, size))
    return sample

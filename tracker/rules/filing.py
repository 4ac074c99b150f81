"""late_filing (备案不及时): a filing recorded more than `working_days` Chinese working days after
the date it took effect. The first registry import is not a filing of those accounts (it loads
the accounts already running) and is not judged; `registry import --update` changes are."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tracker.domain.times import local_date
from tracker.rules.catalogue import rule
from tracker.rules.context import CheckContext
from tracker.rules.evidence import when
from tracker.rules.workdays import workdays_after


@rule("late_filing", name_zh="备案不及时", name_en="late filing", family="filing", order=40,
      source="国办发〔2018〕123号 建立政务新媒体分级备案制度，开设、变更、关停、注销报主管单位备案")
def late_filing(ctx: CheckContext) -> Iterator[tuple[str, dict]]:
    limit = ctx.config("late_filing")["working_days"]
    late: dict[str, list[dict[str, Any]]] = {}
    for event in ctx.facts.judged_filings(ctx.at_date):
        if event.account not in ctx.checked:
            continue
        recorded_on = local_date(event.recorded_at)
        days, known = workdays_after(event.effective_on, recorded_on)
        if days > limit:
            entry = {"filing_id": event.id, "kind": event.kind, "effective_on": event.effective_on.isoformat(),
                     "recorded_at": when(event.recorded_at), "working_days": days}
            if not known:
                entry["calendar"] = "weekends only (outside the holiday calendar's years)"
            late.setdefault(event.account, []).append(entry)
    for key, filings in late.items():
        yield key, {"working_days_allowed": limit, "filings": filings}

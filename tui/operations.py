"""The UI's actions: each parses what the user typed the way the CLI does and calls the same
`tracker.*` function; it returns a line for the user or raises OperationError with the message
the CLI would print. Heavy modules are imported on use so the dashboard paints at once.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from tracker.domain.errors import TrackerError
from tracker.domain.times import parse_at, parse_date
from tracker.settings import Settings
from tracker.storage.db import Database
from tui.i18n import t


class OperationError(Exception):
    pass


USER_ERRORS = (TrackerError,)  # the one root of every error a user can cause


def guarded(function):
    """Turn the errors the CLI reports into an OperationError carrying the same text."""

    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except OperationError:
            raise
        except USER_ERRORS as exc:
            raise OperationError(f"error: {exc}") from exc

    wrapper.__name__ = function.__name__
    return wrapper


def date_option(value: str | None, option: str) -> date | None:
    """A date typed in a form, checked like the CLI's `--effective` and friends."""
    if not value or not value.strip():
        return None
    try:
        return parse_date(value)
    except ValueError as exc:
        raise OperationError(f"error: {option}: {exc}") from exc


def time_option(value: str | None) -> datetime | None:
    return parse_at(value) if value and value.strip() else None


def _default_at(quarter: str, now: datetime | None) -> datetime:
    """T of a quarter's inspection or report left blank: its end, or the UI's time (now) while
    the quarter is still running — never the future (docs/contract.md §7)."""
    from tracker.judging import inspections

    return inspections.default_at(inspections.normalise_quarter(quarter), now)


@guarded
def run_check(db: Database, settings: Settings, at: datetime | None) -> str:
    from tracker.domain.times import now_utc  # deferred: the UI paints before this loads
    from tracker.judging.run import run_check as check  # deferred: the UI paints before this loads

    result = check(db, settings, at or now_utc())
    return t("rep.check_done", accounts=result.accounts_checked, findings=len(result.findings))


@guarded
def poll_all(db: Database, settings: Settings, at: datetime | None = None) -> str:
    from collections import Counter

    from tracker.polling.poller import poll  # deferred: the UI paints before this loads

    report = poll(db, settings)
    outcomes = Counter(result.outcome for result in report.results)
    summary = ", ".join(f"{outcome} {count}" for outcome, count in sorted(outcomes.items())) or "0"
    return t("rep.poll_done", summary=f"{summary} ({report.seconds:.1f} s)")


@guarded
def plan_inspection(db: Database, quarter: str, ratio: str, seed: str) -> str:
    from tracker.judging import inspections  # deferred: the UI paints before this loads
    seed_value = int(seed) if seed.strip() else None
    plan = inspections.plan_inspection(db, quarter, inspections.parse_ratio(ratio), seed_value)
    return t("rep.plan_done", quarter=plan.quarter, size=plan.sample_size)


@guarded
def run_inspection(db: Database, settings: Settings, quarter: str, at: str, now: datetime | None = None) -> str:
    from tracker.judging import inspections  # deferred: the UI paints before this loads
    result = inspections.run_inspection(db, settings, quarter, time_option(at) or _default_at(quarter, now))
    return t("rep.run_done", quarter=result.quarter, checked=result.checked, failed=len(result.failed), opened=result.cases_opened)


@guarded
def export_report(db: Database, settings: Settings, quarter: str, at: str, region: str, fmt: str, output: str,
                  now: datetime | None = None) -> str:
    from tracker.judging import inspections  # deferred: the UI paints before this loads
    from tracker.reports import report_format  # deferred: the UI paints before this loads
    from tracker.reports.builder import build_report  # deferred: the UI paints before this loads
    from tracker.reports.files import write_report  # deferred: the UI paints before this loads

    chosen = report_format(fmt)
    if not output.strip():
        raise TrackerError(f"--format {fmt} writes a file: give -o FILE")
    data = build_report(db, settings, inspections.normalise_quarter(quarter), time_option(at) or _default_at(quarter, now),
                        region.strip() or None)
    path = write_report(data, chosen, Path(output.strip()).expanduser())  # a failed write keeps the old file
    return t("rep.export_done", path=path)


@guarded
def file_filing(db: Database, kind: str, account: str, values: dict[str, str], deny_networks: list[str] | None = None) -> str:
    """One filing from a form's values (field names as the CLI options, without dashes); feed URLs
    into `deny_networks` (the office's `[poll] deny_networks`, as the CLI passes it) are refused."""
    from tracker.registry import service as registry  # deferred: the UI paints before this loads
    fields: dict[str, object] = {}
    if kind == "open":
        opened = date_option(values.get("opened_on"), "--opened-on") or date_option(values.get("effective"), "--effective")
        fields = {name: values.get(name) for name in ("region", "org_name", "account_name", "feed_url", "profile_url", "filing_no")}
        fields.update(org_code=(values.get("org_code") or "").strip().upper(), opened_on=opened)
    elif kind == "rename":
        fields = {"account_name": values.get("name")}
    elif kind == "transfer":
        region = (values.get("region") or "").strip() or None
        fields = {"org_code": (values.get("org_code") or "").strip().upper(), "org_name": values.get("org_name"), "region": region}
    elif kind == "close":
        fields = {"notice_from": date_option(values.get("notice_from"), "--notice-from")}
    event = registry.file_event(
        db, kind, account, effective_on=date_option(values.get("effective"), "--effective"),
        by=values.get("by") or None, approver=values.get("approver") or None, doc_no=values.get("doc") or None, deny_networks=deny_networks,
        **fields,
    )
    return t("form.done", what=f"{event.kind} {event.account} #{event.id} {event.effective_on}")


@guarded
def observe(db: Database, account: str, fact: str, at: str, inspector: str, note: str) -> str:
    from tracker.domain.times import now_utc  # deferred: the UI paints before this loads
    from tracker.judging.observations import record_observation  # deferred: the UI paints before this loads

    record_observation(db, account, fact, at=time_option(at) or now_utc(), inspector=inspector, note=note)
    return t("form.done", what=f"{fact} {account}")

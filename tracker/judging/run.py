"""Check as of T and record it: the rules evaluated (`judging.evaluate`), the findings stored with
when they were first and last seen and the run in `check_run` (`judging.findings`), and the case
of every 不合格 account opened (`judging.cases`)."""

from __future__ import annotations

from datetime import datetime

from tracker.judging.cases import open_cases_from_check
from tracker.judging.evaluate import _check, evaluate
from tracker.judging.findings import store_check
from tracker.rules.engine import SEVERITY_RANK, CheckResult
from tracker.settings import Settings
from tracker.storage.db import Database

__all__ = ["SEVERITY_RANK", "CheckResult", "evaluate", "run_check"]


def run_check(db: Database, settings: Settings, at: datetime, *, region: str | None = None) -> CheckResult:
    """Evaluate and store: findings keep when they were first and last seen, and every 不合格
    account gets its quarter's rectification case; re-running the same check changes nothing."""
    result = _check(db, settings, at, region, None)
    result.run_id = store_check(db, result)
    open_cases_from_check(db, settings, result.at, result.findings)
    return result

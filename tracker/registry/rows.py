"""Validating registry rows (docs/contract.md §3): every problem of the file is collected, none is fatal
on its own, so the user sees them all at once."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path

from connectors.netguard import DenyList, deny_list
from connectors.netguard import url_problem as _url_problem
from tracker.domain import ids
from tracker.domain.errors import FileProblems, RowProblem, TrackerError
from tracker.domain.models import AccountRecord
from tracker.domain.orgcode import org_code_problem
from tracker.domain.times import future_date_problem, read_date
from tracker.registry.columns import COLUMNS, MAX_LENGTH, REQUIRED, header_key, platform_of, status_of
from tracker.registry.file import RawTable

_CONTROL = ids.CONTROL  # the one definition: every C0 and C1 control, DEL, bidi overrides


_SPACE = re.compile(r"\s")


# The deny list `url_problem` applies: the built-in `[poll] deny_networks` unless an import or
# filing runs inside `denying(settings' list)`.
_DENY: ContextVar[DenyList | None] = ContextVar("deny_networks", default=None)


@contextmanager
def denying(entries: Iterable[str] | None) -> Iterator[None]:
    """Judge URLs against `entries` (`[poll] deny_networks`) within the block."""
    if entries is None:
        yield
        return
    try:
        deny = deny_list(tuple(entries))
    except ValueError as exc:
        raise TrackerError(f"[poll] deny_networks: {exc}") from exc
    token = _DENY.set(deny)
    try:
        yield
    finally:
        _DENY.reset(token)


def url_problem(value: str) -> str | None:
    """The one URL validator of import, filings and the poller (connectors.netguard)."""
    return _url_problem(value, _DENY.get())


region_problem = lru_cache(maxsize=65536)(ids.region_problem)


def _opened_on_problem(value: str) -> str | None:
    day = read_date(value)
    if day is None:
        return "not a date; write YYYY-MM-DD"
    return future_date_problem(day)


_cached_org_code_problem = lru_cache(maxsize=65536)(org_code_problem)


def map_headers(path: str, headers: list[str]) -> dict[str, int]:
    """Column name → index. Unknown, duplicate and missing required headers are errors."""
    problems: list[RowProblem] = []
    mapping: dict[str, int] = {}
    for index, name in enumerate(headers):
        if not name.strip():
            continue
        key = header_key(name)
        if key is None:
            problems.append(RowProblem(1, name, name, f"unknown column; expected one of {', '.join(COLUMNS)} or their Chinese names"))
        elif key in mapping:
            problems.append(RowProblem(1, name, name, f"column {key} appears twice"))
        else:
            mapping[key] = index
    for key in REQUIRED:
        if key not in mapping:
            problems.append(RowProblem(1, key, "", "required column is missing"))
    if problems:
        raise FileProblems(path, problems)
    return mapping


def _validate_cell(column: str, value: str) -> str | None:
    if len(value) > MAX_LENGTH[column]:
        return f"too long: {len(value)} characters, at most {MAX_LENGTH[column]}"
    if _CONTROL.search(value):
        return "contains control characters"
    if column in REQUIRED and not value:
        return "required value is empty"
    return None


_CHECKS: dict[str, Callable[[str], str | None]] = {
    "platform": lambda v: None if platform_of(v) else ("unknown platform; use wechat weibo douyin toutiao kuaishou bilibili xiaohongshu app website other "
                                                        "or 微信 微博 抖音 头条号 快手 B站 小红书 客户端 政府网站"),
    "status": lambda v: None if status_of(v) else "unknown status; use active suspended deregistered or 正常 停更 已注销",
    "opened_on": _opened_on_problem,
    "org_code": _cached_org_code_problem,
    "region": region_problem,
    "account_id": ids.account_id_problem,
    "feed_url": lambda v: url_problem(v) if v else None,
    "profile_url": lambda v: url_problem(v) if v else None,
}


def _quick_cells_ok(values: dict[str, str]) -> bool:
    """One pass for the common case: every cell short, present where required, no control characters."""
    if _CONTROL.search("".join(values.values())):
        return False
    return all(len(values[c]) <= MAX_LENGTH[c] for c in values) and all(values.get(c) for c in REQUIRED)


def _value_problems(values: dict[str, str]) -> list[tuple[str, str]]:
    """(column, reason) for every bad value of one row; a column is judged once."""
    found: list[tuple[str, str]] = []
    if not _quick_cells_ok(values):
        for column, value in values.items():
            reason = _validate_cell(column, value)
            if reason:
                found.append((column, reason))
    bad = {column for column, _ in found}
    for column, check in _CHECKS.items():
        if column in values and column not in bad:
            reason = check(values[column])
            if reason:
                found.append((column, reason))
    return found


def website_problems(platform: str | None, account_id: str, feed_url: str | None) -> list[tuple[str, str]]:
    """A 政府网站 (docs/contract.md §10): its id is the 10-digit 网站标识码 and its homepage is required."""
    if platform != "website":
        return []
    found = []
    if not (len(account_id) == 10 and account_id.isascii() and account_id.isdigit()):
        found.append(("account_id", "a website's id is its 网站标识码: 10 digits"))
    if not feed_url:
        found.append(("feed_url", "a website needs its homepage (http/https) as feed_url"))
    return found


def _row_record(row: int, values: dict[str, str], problems: list[RowProblem]) -> AccountRecord | None:
    found = _value_problems(values)
    if not found:
        found = website_problems(platform_of(values["platform"]), values["account_id"], values.get("feed_url") or None)
    if found:
        problems.extend(RowProblem(row, column, values[column], reason) for column, reason in found)
        return None
    platform, opened_on, status = platform_of(values["platform"]), read_date(values["opened_on"]), status_of(values.get("status", ""))
    assert platform is not None and opened_on is not None and status is not None  # checked by _value_problems
    return AccountRecord(
        region=values["region"], org_name=values["org_name"], org_code=values["org_code"],
        platform=platform, account_id=values["account_id"],
        account_name=values["account_name"], opened_on=opened_on,
        status=status, feed_url=values.get("feed_url") or None,
        profile_url=values.get("profile_url") or None, filing_no=values.get("filing_no") or None,
    )


def validate_table(path: str | Path, table: RawTable) -> list[tuple[int, AccountRecord]]:
    """All rows as records, or FileProblems naming every bad row, column and value."""
    return [record for batch in validate_batches(path, table) for record in batch]


BATCH_ROWS = 2000


def validate_batches(path: str | Path, table: RawTable, size: int = BATCH_ROWS) -> Iterator[list[tuple[int, AccountRecord]]]:
    """The good rows in batches of `size`, read as the file is read (memory: the batch and one
    key per row for the duplicate check). After the last batch, FileProblems names every bad
    row, column and value of the whole file — a caller writing batches rolls back then."""
    name = str(path)
    mapping = map_headers(name, table.headers)
    problems: list[RowProblem] = []
    records: list[tuple[int, AccountRecord]] = []
    first_row_of: dict[str, int] = {}
    for row, cells in table.rows:
        if len(cells) > len(table.headers) and any(cell.strip() for cell in cells[len(table.headers):]):
            problems.append(RowProblem(row, "", ",".join(cells[len(table.headers):]), f"{len(cells)} cells but the header has {len(table.headers)} columns"))
            continue
        values = {column: (cells[index].strip() if index < len(cells) else "") for column, index in mapping.items()}
        values["org_code"] = values["org_code"].upper()
        values["account_id"] = ids.normalise_account_id(values["account_id"])  # NFKC: full-width digits → ASCII
        values["region"] = ids.normalise_region(values["region"])
        platform = platform_of(values["platform"])
        key = f"{platform}:{values['account_id']}" if platform and values["account_id"] else None
        first = first_row_of.get(key) if key is not None else None
        duplicate = first is not None  # whatever else is wrong with either row
        if duplicate:
            problems.append(RowProblem(row, "account_id", values["account_id"], f"duplicate account {key}; first at row {first}"))
        elif key is not None:
            first_row_of[key] = row
        record = _row_record(row, values, problems)
        if record is not None and not duplicate:
            records.append((row, record))
            if len(records) >= size:
                yield records
                records = []
    if records:
        yield records
    if problems:
        raise FileProblems(name, [_with_file_header(problem, mapping, table.headers) for problem in problems])


def _with_file_header(problem: RowProblem, mapping: dict[str, int], headers: list[str]) -> RowProblem:
    """Name the column as the file does (a Chinese header keeps its English key beside it)."""
    index = mapping.get(problem.column)
    if index is None:
        return problem
    header = headers[index].strip().lstrip("\ufeff")
    column = problem.column if header.lower() == problem.column else f"{header} ({problem.column})"
    return RowProblem(problem.row, column, problem.value, problem.reason)

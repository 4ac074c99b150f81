"""Validating registry rows (CONTRACT §3): every problem of the file is collected, none is fatal
on its own, so the user sees them all at once."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

from tracker.errors import FileProblems, RowProblem
from tracker.models import AccountRecord
from tracker.orgcode import org_code_problem
from tracker.registry_columns import COLUMNS, MAX_LENGTH, REQUIRED, header_key, platform_of, status_of
from tracker.registry_file import RawTable

_DATE_FORMS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def parse_registry_date(text: str) -> date | None:
    value = text.strip()
    if "T" in value or " " in value:  # a spreadsheet datetime at midnight
        value = re.split(r"[T ]", value, maxsplit=1)[0]
    for form in _DATE_FORMS:
        match = form.match(value)
        if match:
            try:
                return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
            except ValueError:
                return None
    return None


def url_problem(value: str) -> str | None:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return "must be an http(s) URL"
    if any(char.isspace() for char in value):
        return "a URL may not contain spaces"
    return None


def region_problem(value: str) -> str | None:
    segments = value.split("/")
    if any(not segment.strip() for segment in segments):
        return "empty segment; write the path from the top like 福建省/福州市/鼓楼区"
    if any(segment != segment.strip() for segment in segments):
        return "spaces around a '/' segment"
    return None


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


def _validate_cell(row: int, column: str, value: str) -> str | None:
    if len(value) > MAX_LENGTH[column]:
        return f"too long: {len(value)} characters, at most {MAX_LENGTH[column]}"
    if _CONTROL.search(value):
        return "contains control characters"
    if column in REQUIRED and not value:
        return "required value is empty"
    return None


def _row_record(row: int, values: dict[str, str], problems: list[RowProblem]) -> AccountRecord | None:
    before = len(problems)
    for column, value in values.items():
        reason = _validate_cell(row, column, value)
        if reason:
            problems.append(RowProblem(row, column, value, reason))
    if len(problems) > before:
        return None
    platform = platform_of(values["platform"])
    if platform is None:
        problems.append(RowProblem(row, "platform", values["platform"], "unknown platform; use wechat weibo douyin toutiao kuaishou bilibili xiaohongshu app other or 微信 微博 抖音 头条号 快手 B站 小红书 客户端"))
    status = status_of(values.get("status", ""))
    if status is None:
        problems.append(RowProblem(row, "status", values["status"], "unknown status; use active suspended deregistered or 正常 停更 已注销"))
    opened_on = parse_registry_date(values["opened_on"])
    if opened_on is None:
        problems.append(RowProblem(row, "opened_on", values["opened_on"], "not a date; write YYYY-MM-DD"))
    code_reason = org_code_problem(values["org_code"])
    if code_reason:
        problems.append(RowProblem(row, "org_code", values["org_code"], code_reason))
    region_reason = region_problem(values["region"])
    if region_reason:
        problems.append(RowProblem(row, "region", values["region"], region_reason))
    if ":" in values["account_id"] or any(char.isspace() for char in values["account_id"]):
        problems.append(RowProblem(row, "account_id", values["account_id"], "may not contain ':' or spaces"))
    for column in ("feed_url", "profile_url"):
        if values.get(column):
            reason = url_problem(values[column])
            if reason:
                problems.append(RowProblem(row, column, values[column], reason))
    if len(problems) > before:
        return None
    return AccountRecord(
        region=values["region"], org_name=values["org_name"], org_code=values["org_code"],
        platform=platform, account_id=values["account_id"], account_name=values["account_name"],
        opened_on=opened_on, status=status, feed_url=values.get("feed_url") or None,
        profile_url=values.get("profile_url") or None, filing_no=values.get("filing_no") or None,
    )


def validate_table(path: str | Path, table: RawTable) -> list[tuple[int, AccountRecord]]:
    """All rows as records, or FileProblems naming every bad row, column and value."""
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
        record = _row_record(row, values, problems)
        if record is None:
            continue
        if record.key in first_row_of:
            problems.append(RowProblem(row, "account_id", record.account_id, f"duplicate account {record.key}; first at row {first_row_of[record.key]}"))
            continue
        first_row_of[record.key] = row
        records.append((row, record))
    if problems:
        raise FileProblems(name, problems)
    return records

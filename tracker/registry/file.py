"""Reading a registry file (CSV in UTF-8 with or without BOM or GB18030, or XLSX) into rows of
text cells. Only the bytes and their layout are judged here; the values in registry_rows."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from tracker.domain.errors import TrackerError
from tracker.domain.text_out import csv_value

MAX_FILE_BYTES = 512 * 1024 * 1024
MAX_FIELD_CHARS = 1024 * 1024


@dataclass(frozen=True)
class RawTable:
    headers: list[str]
    rows: list[tuple[int, list[str]]]  # (row number, cells); the header is row 1


def read_table(path: str | Path) -> RawTable:
    file = Path(path)
    if not file.exists():
        raise TrackerError(f"{file}: no such file")
    if file.is_dir():
        raise TrackerError(f"{file}: is a directory, not a registry file")
    if file.stat().st_size > MAX_FILE_BYTES:
        raise TrackerError(f"{file}: larger than {MAX_FILE_BYTES // 2**20} MiB")
    data = file.read_bytes()
    if not data.strip():
        raise TrackerError(f"{file}: the file is empty; expected a header row and data rows")
    if data[:4] == b"PK\x03\x04":
        table = _read_xlsx(file, data)
    elif file.suffix.lower() in (".xlsx", ".xlsm"):
        raise TrackerError(f"{file}: not a valid XLSX file (no ZIP signature); save it again as .xlsx or CSV")
    else:
        table = _read_csv(file, data)
    if not table.rows:
        raise TrackerError(f"{file}: only a header row, no data rows")
    return table


def _decode(file: Path, data: bytes) -> str:
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        raise TrackerError(f"{file}: row {line}: contains NUL bytes; this is a binary file, not a CSV")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise TrackerError(f"{file}: row {line}: bytes that are neither UTF-8 nor GB18030 text") from exc


def _check_delimiter(file: Path, header_line: str) -> None:
    if "," in header_line:
        return
    for delimiter, name in (("\t", "tab"), (";", "semicolon"), ("|", "vertical bar"), ("，", "full-width comma")):
        if delimiter in header_line:
            raise TrackerError(
                f"{file}: row 1: the header is separated by {name}s; a registry CSV must be comma-separated"
            )


def _read_csv(file: Path, data: bytes) -> RawTable:
    text = _decode(file, data)
    if "\x00" in text:
        raise TrackerError(f"{file}: contains NUL characters; this is not a CSV")
    first_line = text.lstrip("\ufeff").split("\n", 1)[0]
    _check_delimiter(file, first_line)
    csv.field_size_limit(MAX_FIELD_CHARS)
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), strict=True)
    rows: list[tuple[int, list[str]]] = []
    headers: list[str] | None = None
    number = 0
    try:
        for cells in reader:
            number += 1
            if headers is None:
                headers = cells
                continue
            if any(cell.strip() for cell in cells):
                rows.append((number, [csv_value(cell) for cell in cells]))  # `registry export` neutralised formulas
    except csv.Error as exc:
        raise TrackerError(f"{file}: row {number + 1}: not valid CSV: {exc}") from exc
    return RawTable(headers=headers or [], rows=rows)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_xlsx(file: Path, data: bytes) -> RawTable:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise TrackerError(f"{file}: not a readable XLSX workbook ({exc.__class__.__name__}: {exc})") from exc
    except Exception as exc:  # openpyxl raises many kinds on a corrupt workbook
        raise TrackerError(f"{file}: not a readable XLSX workbook ({exc.__class__.__name__})") from exc
    try:
        sheet = workbook.worksheets[0]
        rows: list[tuple[int, list[str]]] = []
        headers: list[str] | None = None
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [_cell_text(value) for value in values]
            if headers is None:
                headers = cells
                continue
            if any(cell.strip() for cell in cells):
                rows.append((number, cells))
    except Exception as exc:  # noqa: BLE001 — a corrupt sheet inside a valid ZIP
        raise TrackerError(f"{file}: not a readable XLSX workbook ({exc.__class__.__name__})") from exc
    finally:
        workbook.close()
    while headers and not headers[-1].strip():
        headers.pop()
    return RawTable(headers=headers or [], rows=rows)

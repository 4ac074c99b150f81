"""Reading a registry file (CSV in UTF-8 with or without BOM or GB18030, or XLSX) into rows of
text cells. Only the bytes and their layout are judged here; the values in registry_rows."""

from __future__ import annotations

import codecs
import csv
import itertools
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import BinaryIO

from tracker.domain.errors import TrackerError
from tracker.domain.text_out import csv_value

MAX_FILE_BYTES = 512 * 1024 * 1024
MAX_FIELD_CHARS = 1024 * 1024


@dataclass(frozen=True)
class RawTable:
    """The header and the data rows of a file. `rows` is read lazily, once, in file order
    (constant memory in the file size); a problem with the bytes raises TrackerError while
    the rows are read."""

    headers: list[str]
    rows: Iterable[tuple[int, list[str]]]  # (row number, cells); the header is row 1


_CHUNK = 1 << 20


def read_table(path: str | Path) -> RawTable:
    file = Path(path)
    if not file.exists():
        raise TrackerError(f"{file}: no such file")
    if file.is_dir():
        raise TrackerError(f"{file}: is a directory, not a registry file")
    if file.stat().st_size > MAX_FILE_BYTES:
        raise TrackerError(f"{file}: larger than {MAX_FILE_BYTES // 2**20} MiB")
    with file.open("rb") as handle:
        head = handle.read(_CHUNK)
        blank = not head.strip() and not _has_text(handle)
    if blank:
        raise TrackerError(f"{file}: the file is empty; expected a header row and data rows")
    if head[:4] == b"PK\x03\x04":
        table = _read_xlsx(file)
    elif file.suffix.lower() in (".xlsx", ".xlsm"):
        raise TrackerError(f"{file}: not a valid XLSX file (no ZIP signature); save it again as .xlsx or CSV")
    else:
        table = _read_csv(file)
    rows = iter(table.rows)
    first = next(rows, None)
    if first is None:
        raise TrackerError(f"{file}: only a header row, no data rows")
    return RawTable(table.headers, itertools.chain((first,), rows))


def _has_text(handle: BinaryIO) -> bool:
    while chunk := handle.read(_CHUNK):
        if chunk.strip():
            return True
    return False


def _encoding(file: Path) -> str:
    """utf-8-sig or gb18030, judged in one pass of bounded memory (both decoders side by side);
    NUL bytes and bytes that are neither are refused with their row."""
    utf8, gb = codecs.getincrementaldecoder("utf-8")(), codecs.getincrementaldecoder("gb18030")()
    utf8_ok, utf8_problem, gb_problem, line = True, 1, None, 1
    with file.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            nul = chunk.find(b"\x00")
            if nul >= 0:
                row = line + chunk.count(b"\n", 0, nul)
                raise TrackerError(f"{file}: row {row}: contains NUL bytes; this is a binary file, not a CSV")
            if utf8_ok:
                try:
                    utf8.decode(chunk)
                except UnicodeDecodeError as exc:
                    utf8_ok, utf8_problem = False, line + chunk.count(b"\n", 0, max(exc.start, 0))
            if gb_problem is None:
                try:
                    gb.decode(chunk)
                except UnicodeDecodeError as exc:
                    gb_problem = line + chunk.count(b"\n", 0, max(exc.start, 0))
            if not utf8_ok and gb_problem is not None:
                break
            line += chunk.count(b"\n")
    if utf8_ok:
        try:
            utf8.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8_ok = False
    if utf8_ok:
        return "utf-8-sig"
    if gb_problem is None:
        try:
            gb.decode(b"", final=True)
        except UnicodeDecodeError:
            gb_problem = line
    if gb_problem is not None:  # the row where the reading that got further stopped
        raise TrackerError(f"{file}: row {max(gb_problem, utf8_problem)}: bytes that are neither UTF-8 nor GB18030 text")
    return "gb18030"


def _check_delimiter(file: Path, header_line: str) -> None:
    if "," in header_line:
        return
    for delimiter, name in (("\t", "tab"), (";", "semicolon"), ("|", "vertical bar"), ("，", "full-width comma")):
        if delimiter in header_line:
            raise TrackerError(
                f"{file}: row 1: the header is separated by {name}s; a registry CSV must be comma-separated"
            )


def _read_csv(file: Path) -> RawTable:
    encoding = _encoding(file)
    csv.field_size_limit(MAX_FIELD_CHARS)
    handle = file.open(encoding=encoding, newline="")
    number = 0
    try:
        first_line = handle.readline()
        _check_delimiter(file, first_line.lstrip("\ufeff").split("\n", 1)[0])
        handle.seek(0)
        reader = csv.reader(handle, strict=True)
        headers = next(reader, [])
        number = 1
    except UnicodeDecodeError as exc:
        handle.close()
        raise TrackerError(f"{file}: row {number + 1}: bytes that are neither UTF-8 nor GB18030 text") from exc
    except csv.Error as exc:
        handle.close()
        raise TrackerError(f"{file}: row 1: not valid CSV: {exc}") from exc
    except BaseException:
        handle.close()
        raise
    if headers:
        headers = [headers[0].lstrip("\ufeff"), *headers[1:]]

    def rows() -> Iterator[tuple[int, list[str]]]:
        nonlocal number
        with handle:
            try:
                for cells in reader:
                    number += 1
                    joined = "".join(cells)
                    if joined.strip():  # some cell is not blank
                        # `registry export` neutralised formulas with a leading "'"
                        yield number, [csv_value(cell) for cell in cells] if "'" in joined else cells
            except csv.Error as exc:
                raise TrackerError(f"{file}: row {number + 1}: not valid CSV: {exc}") from exc
            except UnicodeDecodeError as exc:
                raise TrackerError(f"{file}: row {number + 1}: bytes that are neither UTF-8 nor GB18030 text") from exc

    return RawTable(headers=headers, rows=rows())


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


def _read_xlsx(file: Path) -> RawTable:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise TrackerError(f"{file}: not a readable XLSX workbook ({exc.__class__.__name__}: {exc})") from exc
    except Exception as exc:  # openpyxl raises many kinds on a corrupt workbook
        raise TrackerError(f"{file}: not a readable XLSX workbook ({exc.__class__.__name__})") from exc
    try:
        values = enumerate(workbook.worksheets[0].iter_rows(values_only=True), start=1)
        first = next(values, None)
    except Exception as exc:
        workbook.close()
        raise TrackerError(f"{file}: not a readable XLSX workbook ({exc.__class__.__name__})") from exc
    headers = [_cell_text(value) for value in first[1]] if first else []
    while headers and not headers[-1].strip():
        headers.pop()

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            for number, cells_values in values:
                cells = [_cell_text(value) for value in cells_values]
                if any(cell.strip() for cell in cells):
                    yield number, cells
        except TrackerError:
            raise
        except Exception as exc:
            raise TrackerError(f"{file}: not a readable XLSX workbook ({exc.__class__.__name__})") from exc
        finally:
            workbook.close()

    return RawTable(headers=headers, rows=rows())

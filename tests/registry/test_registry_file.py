"""Bad registry files: a clear message naming file and row, exit 2, the database unchanged."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import DATA
from tests.registry.registry_helpers import dump
from tracker.cli.main import app
from tracker.registry.service import import_registry, registry_as_of
from tracker.storage.db import open_database

REGISTRY = DATA / "registry"
HEADER = "region,org_name,org_code,platform,account_id,account_name,status,opened_on\n"
GOOD = "福建省,福建省人民政府办公厅,113500000035910001,weibo,1,福建发布,active,2020-01-01\n"


def _bad_files(tmp: Path) -> dict[str, tuple[Path, str]]:
    corrupt = tmp / "corrupt.xlsx"
    with zipfile.ZipFile(corrupt, "w") as archive:
        archive.writestr("xl/workbook.xml", "<not really a workbook")
    files = {
        "corrupt_xlsx": (corrupt, "not a readable XLSX"),
        "fake_xlsx": (tmp / "fake.xlsx", "not a valid XLSX"),
        "binary": (tmp / "binary.csv", "binary file"),
        "empty": (tmp / "empty.csv", "empty"),
        "header_only": (tmp / "header.csv", "only a header row"),
        "semicolons": (tmp / "semi.csv", "semicolon"),
        "nul_bytes": (tmp / "nul.csv", "NUL"),
        "huge_field": (tmp / "huge.csv", "too long"),
        "bad_dates": (tmp / "dates.csv", "not a date"),
        "missing_column": (tmp / "missing.csv", "required column is missing"),
        "unknown_column": (tmp / "unknown.csv", "unknown column"),
    }
    files["fake_xlsx"][0].write_bytes(b"this is a text file named xlsx")
    files["binary"][0].write_bytes(bytes(range(256)) * 40)
    files["empty"][0].write_bytes(b"")
    files["header_only"][0].write_text(HEADER, encoding="utf-8")
    files["semicolons"][0].write_text(HEADER.replace(",", ";") + GOOD.replace(",", ";"), encoding="utf-8")
    files["nul_bytes"][0].write_bytes((HEADER + GOOD).encode() + b"\x00\x00\n")
    files["huge_field"][0].write_text(HEADER + GOOD.replace("福建发布", "长" * 100_000), encoding="utf-8")
    files["bad_dates"][0].write_text(HEADER + GOOD.replace("2020-01-01", "2020-13-45"), encoding="utf-8")
    files["missing_column"][0].write_text(HEADER.replace(",opened_on", "") + GOOD.replace(",2020-01-01", ""), encoding="utf-8")
    files["unknown_column"][0].write_text(HEADER.replace("status", "colour") + GOOD, encoding="utf-8")
    return files


CASES = ["corrupt_xlsx", "fake_xlsx", "binary", "empty", "header_only", "semicolons", "nul_bytes",
         "huge_field", "bad_dates", "missing_column", "unknown_column"]


@pytest.mark.parametrize("case", CASES)
def test_bad_file_exit_2_message_and_database_byte_identical(tmp_path: Path, case: str) -> None:
    db_file = tmp_path / "t.db"
    url = f"sqlite:///{db_file}"
    runner = CliRunner()
    assert runner.invoke(app, ["--db", url, "registry", "import", str(REGISTRY / "fujian_en.csv")]).exit_code == 0
    digest = hashlib.sha256(db_file.read_bytes()).hexdigest()
    path, fragment = _bad_files(tmp_path)[case]
    result = runner.invoke(app, ["--db", url, "registry", "import", str(path)])
    assert result.exit_code == 2, result.output
    assert fragment in result.stderr
    assert str(path) in result.stderr
    assert "Traceback" not in result.output + result.stderr
    assert hashlib.sha256(db_file.read_bytes()).hexdigest() == digest


def test_bad_file_leaves_postgres_unchanged(pg_schema_url: str, tmp_path: Path) -> None:
    db = open_database(pg_schema_url)
    import_registry(db, REGISTRY / "fujian_en.csv")
    before = dump(db)
    for path, _ in _bad_files(tmp_path).values():
        with pytest.raises(Exception):  # noqa: B017 — each kind has its own message, checked above
            import_registry(db, path)
    assert dump(db) == before
    db.dispose()


def test_xlsx_with_number_and_date_cells(sqlite_db) -> None:
    result = import_registry(sqlite_db, REGISTRY / "fujian.xlsx")
    assert result.created == 2
    with sqlite_db.session() as session:
        records = {r.key: r for r in registry_as_of(session)}
    assert records["weibo:2803301701"].opened_on.isoformat() == "2013-03-01"
    assert records["wechat:gh_5f2d6a1b3c4d"].status == "suspended"

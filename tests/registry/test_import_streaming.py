"""Issue 15 "streaming registry import" / issue 13 item 16: memory does not grow with the file;
rows are validated and written in batches, and the import stays all or nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from bench.import_registry import generate
from tests.registry.registry_helpers import row, write_registry
from tracker.cli.main import app
from tracker.domain.errors import FileProblems
from tracker.registry.service import import_registry
from tracker.storage.db import Database
from tracker.storage.tables import Account, FilingEventRow

ROOT = Path(__file__).resolve().parents[2]
CHILD = """
import json, resource, sys
from tracker.registry.service import import_registry
from tracker.storage.db import open_database
db = open_database(sys.argv[2])
start = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
result = import_registry(db, sys.argv[1], by="test")
print(json.dumps({"created": result.created, "growth_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - start}))
"""


def _growth_mb(tmp_path: Path, rows: int) -> float:
    path = tmp_path / f"r{rows}.csv"
    generate(path, rows)
    out = subprocess.run([sys.executable, "-c", CHILD, str(path), f"sqlite:///{tmp_path / f'r{rows}.db'}"],
                         env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=ROOT, capture_output=True, text=True,
                         check=True, timeout=600)
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["created"] == rows
    return got["growth_kb"] / 1024


def test_peak_memory_does_not_grow_with_the_file(tmp_path: Path) -> None:
    small, large = _growth_mb(tmp_path, 5_000), _growth_mb(tmp_path, 50_000)
    # ten times the rows: the whole-file import grew by ~7x (about 3 KB a row); streaming keeps
    # the batch, and one key per row for the duplicate check
    assert large <= small + 25, (small, large)


def _count(db: Database, table: type) -> int:
    with db.session() as session:
        return session.execute(select(func.count()).select_from(table)).scalar_one()


@pytest.mark.parametrize("where", ["last row", "middle"])
def test_a_bad_row_after_written_batches_leaves_nothing(db: Database, tmp_path: Path, where: str) -> None:
    rows = [row(f"{i:05d}", feed_url=f"http://127.0.0.1:8080/{i}") for i in range(4_500)]
    bad_at = len(rows) - 1 if where == "last row" else 2_500
    rows[bad_at] = row(f"{bad_at:05d}", opened_on="2025-13-40")
    rows[bad_at + 1 if where == "middle" else 10] = row("dup", feed_url="http://169.254.169.254/")
    with pytest.raises(FileProblems) as caught:
        import_registry(db, write_registry(tmp_path / "r.csv", rows), by="tester")
    reasons = [problem.reason for problem in caught.value.problems]
    assert any("not a date" in reason for reason in reasons) and any("denied network" in reason for reason in reasons)
    assert _count(db, Account) == 0 and _count(db, FilingEventRow) == 0


def test_an_already_registered_row_in_a_later_batch_leaves_nothing(db: Database, db_url: str, tmp_path: Path) -> None:
    import_registry(db, write_registry(tmp_path / "first.csv", [row("04000", account_name="原名")]), by="tester")
    rows = [row(f"{i:05d}") for i in range(4_200)]  # row 04000 differs: in the third batch
    result = CliRunner().invoke(app, ["--db", db_url, "--lang", "en", "registry", "import",
                                      str(write_registry(tmp_path / "r.csv", rows))])
    assert result.exit_code != 0 and "already registered" in result.output and "Traceback" not in result.output
    assert _count(db, Account) == 1 and _count(db, FilingEventRow) == 1
    fine = CliRunner().invoke(app, ["--db", db_url, "registry", "import", "--update",
                                    str(write_registry(tmp_path / "r.csv", rows))])
    assert fine.exit_code == 0, fine.output
    assert _count(db, Account) == 4_200


def test_gb18030_past_the_first_megabyte_and_a_bad_byte_late_in_the_file(sqlite_url: str, tmp_path: Path) -> None:
    rows = [row(f"{i:05d}", account_name=f"福州发布{i}") for i in range(12_000)]  # > 1 MiB
    path = write_registry(tmp_path / "gb.csv", rows, encoding="gb18030")
    assert path.stat().st_size > 1 << 20
    ok = CliRunner().invoke(app, ["--db", sqlite_url, "--lang", "en", "registry", "import", str(path)])
    assert ok.exit_code == 0 and "12000 rows" in ok.output, ok.output
    broken = tmp_path / "broken.csv"
    broken.write_bytes(write_registry(tmp_path / "u.csv", [row(f"b{i}") for i in range(12_000)]).read_bytes()
                       + b"weibo,\xff\xfe\xff\n")
    bad = CliRunner().invoke(app, ["--db", sqlite_url, "--lang", "en", "registry", "import", str(broken)])
    assert bad.exit_code != 0 and "Traceback" not in bad.output and "row 12002" in bad.output, bad.output

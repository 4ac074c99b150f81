"""Helpers for tests that need a registry: rows written as a CSV file, imported for real."""

from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy import MetaData, select

from tracker.domain.orgcode import make_org_code
from tracker.registry.columns import COLUMNS
from tracker.registry.service import import_registry

ORG_A = make_org_code("11350000003591000")
ORG_B = make_org_code("11350100003591111")


def row(account_id: str, **overrides: str) -> dict[str, str]:
    values = {
        "region": "福建省/福州市", "org_name": "福州市人民政府办公厅", "org_code": ORG_B,
        "platform": "weibo", "account_id": account_id, "account_name": f"账号{account_id}",
        "feed_url": "", "profile_url": "", "status": "active", "opened_on": "2025-01-01", "filing_no": "",
    }
    values.update(overrides)
    return values


def write_registry(path: Path, rows: list[dict[str, str]], encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(COLUMNS))
        writer.writeheader()
        writer.writerows(rows)
    return path


def import_rows(db, tmp_path: Path, rows: list[dict[str, str]], name: str = "registry.csv"):
    return import_registry(db, write_registry(tmp_path / name, rows), by="tester")


def dump(db) -> dict[str, list[tuple]]:
    """Every row of every table, for 'nothing changed' assertions."""
    metadata = MetaData()
    metadata.reflect(db.engine)
    with db.engine.connect() as conn:
        return {
            name: sorted(map(tuple, conn.execute(select(table)).all()), key=repr)
            for name, table in metadata.tables.items() if name != "alembic_version"
        }

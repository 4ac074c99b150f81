"""What the PostgreSQL role tests share: a small province of two cities, unique role names and
the database opened as another login role (trust authentication locally)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy.engine import make_url

from tracker.domain.orgcode import make_org_code
from tracker.registry.service import file_event
from tracker.storage.db import Database, open_database
from tracker.storage.roles import list_users, remove_user

JIA = "安徽省/甲市"
YI = "安徽省/乙市"
ORG = make_org_code("11340000002986061")


def open_account(db: Database, key: str, region: str) -> None:
    file_event(db, "open", key, effective_on=date(2025, 1, 2), by="admin", region=region, org_name="某局",
               org_code=ORG, account_name=f"账号{key}", opened_on=date(2025, 1, 2))


@pytest.fixture
def province(pg_schema_url: str) -> Iterator[tuple[Database, str]]:
    db = open_database(pg_schema_url)
    open_account(db, "weibo:jia1", JIA + "/东县")
    open_account(db, "weibo:yi1", YI)
    yield db, pg_schema_url
    for user in list_users(db):
        remove_user(db, user.name)
    db.dispose()


def unique(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


def as_user(url: str, name: str) -> Database:
    """The tracker's database opened as another login role (trust authentication locally)."""
    user_url = make_url(url).set(username=name, password=None)
    return open_database(user_url.render_as_string(hide_password=False))

"""Jurisdictions enforced by PostgreSQL itself: row-level security per registrar and inspector."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tests.storage.roles_helpers import JIA, ORG, YI, as_user, open_account, province, unique  # noqa: F401 - province is a fixture
from tracker.domain.errors import TrackerError
from tracker.registry.service import file_event
from tracker.storage.db import Database
from tracker.storage.roles import NotApplicable, add_user, list_users, remove_user


def insert_filing(user_db: Database, account: str, payload: str = '{"account_name": "新名"}') -> None:
    with user_db.engine.begin() as conn:
        conn.execute(text("INSERT INTO filing_event (account, kind, effective_on, recorded_at, by, payload) "
                          "VALUES (:a, 'rename', '2025-03-01', now(), 'x', CAST(:p AS json))"), {"a": account, "p": payload})


def test_a_registrar_files_within_their_subtree_only(province: tuple[Database, str]) -> None:
    db, url = province
    name = unique("reg_jia")
    add_user(db, name, "registrar", JIA)
    registrar = as_user(url, name)
    try:
        filed = file_event(registrar, "rename", "weibo:jia1", effective_on=date(2025, 3, 1), account_name="东县发布")
        assert filed.id is not None
        with pytest.raises(DBAPIError, match="row-level security"):
            insert_filing(registrar, "weibo:yi1")  # the database refuses, not the CLI
        with pytest.raises(DBAPIError, match="row-level security"):
            insert_filing(registrar, "weibo:new", '{"region": "安徽省/乙市"}')  # opening in 乙市
        with pytest.raises(DBAPIError, match="row-level security"):
            insert_filing(registrar, "weibo:jia1", '{"region": "安徽省/乙市", "org_code": "x"}')  # transfer out
        with pytest.raises(DBAPIError, match="permission denied"):  # the derived rows are the database's
            with registrar.engine.begin() as conn:
                conn.execute(text("UPDATE account SET account_name = 'x' WHERE account = 'weibo:yi1'"))
        with registrar.engine.begin() as conn:
            readable = conn.execute(text("SELECT count(*) FROM account")).scalar()
        assert readable == 2  # but they read the whole registry
        with pytest.raises(DBAPIError, match="permission denied"):
            with registrar.engine.begin() as conn:
                conn.execute(text("INSERT INTO observation (account, kind, observed_at, recorded_at, inspector) "
                                  "VALUES ('weibo:jia1', 'comments_disabled', now(), now(), 'x')"))
    finally:
        registrar.dispose()
    with db.session() as session:
        names = session.execute(text("SELECT payload ->> 'account_name' FROM filing_event WHERE kind = 'rename'")).scalars().all()
    assert names == ["东县发布"]


def test_the_filing_api_refuses_out_of_region_with_a_clear_error(province: tuple[Database, str]) -> None:
    db, url = province
    name = unique("reg_jia")
    add_user(db, name, "registrar", JIA)
    registrar = as_user(url, name)
    try:
        with pytest.raises(TrackerError, match="refused by the database"):
            file_event(registrar, "rename", "weibo:yi1", effective_on=date(2025, 3, 1), account_name="乙市发布")
    finally:
        registrar.dispose()


def test_an_inspector_observes_within_their_subtree_and_an_admin_anywhere(province: tuple[Database, str]) -> None:
    db, url = province
    inspector_name, admin_name = unique("insp_yi"), unique("adm")
    add_user(db, inspector_name, "inspector", YI)
    add_user(db, admin_name, "admin")
    inspector, admin = as_user(url, inspector_name), as_user(url, admin_name)
    observe = text("INSERT INTO observation (account, kind, observed_at, recorded_at, inspector) "
                   "VALUES (:a, 'comments_disabled', now(), now(), 'x')")
    try:
        with inspector.engine.begin() as conn:
            conn.execute(observe, {"a": "weibo:yi1"})
        with pytest.raises(DBAPIError, match="row-level security"):
            with inspector.engine.begin() as conn:
                conn.execute(observe, {"a": "weibo:jia1"})
        with pytest.raises(DBAPIError, match="permission denied"):
            insert_filing(inspector, "weibo:yi1")
        insert_filing(admin, "weibo:yi1")
        with admin.engine.begin() as conn:
            conn.execute(observe, {"a": "weibo:jia1"})
    finally:
        inspector.dispose()
        admin.dispose()
    assert sorted((user.role, user.region) for user in list_users(db)) == [("admin", ""), ("inspector", YI)]


def test_users_are_checked_and_removed_with_their_role(province: tuple[Database, str]) -> None:
    db, _url = province
    name = unique("reg")
    with pytest.raises(TrackerError, match="no such region"):
        add_user(db, name, "registrar", "安徽省/丙市")
    with pytest.raises(TrackerError, match="needs --region"):
        add_user(db, name, "inspector")
    with pytest.raises(TrackerError, match="--role"):
        add_user(db, name, "auditor", JIA)
    with pytest.raises(TrackerError, match="user name"):
        add_user(db, "Robert'); drop", "registrar", JIA)
    add_user(db, name, "registrar", JIA + "/")
    with pytest.raises(TrackerError, match="exists already"):
        add_user(db, name, "registrar", JIA)
    remove_user(db, name)
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": name}).first() is None


def test_sqlite_has_no_users(sqlite_db: Database) -> None:
    with pytest.raises(NotApplicable, match="PostgreSQL only"):
        add_user(sqlite_db, "reg_x", "registrar", JIA)


def test_users_through_the_cli(province: tuple[Database, str]) -> None:
    from typer.testing import CliRunner

    from tracker.cli.main import app

    _db, url = province
    name = unique("insp")
    runner = CliRunner()
    added = runner.invoke(app, ["--db", url, "users", "add", name, "--role", "inspector", "--region", YI])
    assert added.exit_code == 0, added.output
    listed = runner.invoke(app, ["--db", url, "users", "list", "--format", "json"])
    assert [(u["name"], u["role"], u["region"]) for u in json.loads(listed.stdout)] == [(name, "inspector", YI)]
    bad = runner.invoke(app, ["--db", url, "users", "add", unique("x"), "--role", "registrar", "--region", "安徽省/丙市"])
    assert bad.exit_code == 2 and "no such region" in bad.stderr
    removed = runner.invoke(app, ["--db", url, "users", "remove", name])
    assert removed.exit_code == 0 and json.loads(runner.invoke(app, ["--db", url, "users", "list", "--format", "json"]).stdout) == []


def test_a_refusal_reads_as_a_clear_error(province: tuple[Database, str]) -> None:
    from tracker.storage.roles import refusal

    db, url = province
    name = unique("reg_jia")
    add_user(db, name, "registrar", JIA)
    registrar = as_user(url, name)
    try:
        with pytest.raises(DBAPIError) as caught:
            insert_filing(registrar, "weibo:yi1")
    finally:
        registrar.dispose()
    error = refusal(caught.value)
    assert isinstance(error, TrackerError) and "row-level security" in str(error) and "outside your region" in str(error)
    assert refusal(ValueError("x")) is None


def test_a_password_may_hold_any_character_and_only_role_creators_add_users(province: tuple[Database, str]) -> None:
    db, url = province
    name, other = unique("reg"), unique("reg")
    add_user(db, name, "registrar", JIA, password="p'a:ss%w\\ord")
    with db.engine.connect() as conn:  # the tests connect as a superuser, who may read pg_authid
        assert conn.execute(text("SELECT rolpassword IS NOT NULL FROM pg_authid WHERE rolname = :n"), {"n": name}).scalar()
    registrar = as_user(url, name)
    try:
        with pytest.raises(TrackerError, match="refused by the database"):
            add_user(registrar, other, "registrar", JIA)  # a registrar may not create roles
    finally:
        registrar.dispose()

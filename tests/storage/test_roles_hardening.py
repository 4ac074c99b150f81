"""Issue 13 items 5–8 against real PostgreSQL roles: a registrar cannot rewrite the current
state, an inspector cannot rewrite verdicts, filings carry the database's clock and role, and
`users add/remove` neither adopts nor destroys silently."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from tests.storage.roles_helpers import JIA, ORG, YI, as_user, open_account, province, unique  # noqa: F401 - province is a fixture
from tracker.cli.main import app
from tracker.domain.orgcode import make_org_code
from tracker.registry.service import file_event, history, states_as_of
from tracker.registry.store import load_account_rows
from tracker.storage.db import Database, open_database
from tracker.storage.roles import add_user, list_users, remove_user

ORG2 = make_org_code("11340000002986062")


def _user(db: Database, url: str, role: str, region: str = "") -> tuple[str, Database]:
    name = unique(role[:4])
    add_user(db, name, role, region)
    return name, as_user(url, name)


def _refused(user_db: Database, sql: str, params: dict | None = None) -> None:
    with pytest.raises(DBAPIError, match=r"permission denied|row-level security"):
        with user_db.engine.begin() as conn:
            conn.execute(text(sql), params or {})


def _row(db: Database, key: str) -> dict:
    with db.engine.connect() as conn:
        return dict(conn.execute(text("SELECT * FROM account WHERE account = :k"), {"k": key}).mappings().one())


# item 5 -------------------------------------------------------------------------------------

def test_a_registrar_cannot_rewrite_the_current_state_directly(province: tuple[Database, str]) -> None:
    db, url = province
    _name, registrar = _user(db, url, "registrar", JIA)
    try:
        for sql in ("UPDATE account SET status = 'deregistered' WHERE account = 'weibo:jia1'",
                    "UPDATE account SET opened_on = '2026-11-30' WHERE account = 'weibo:jia1'",
                    "UPDATE account SET account_name = '假名', org_name = '假局' WHERE account = 'weibo:jia1'",
                    "DELETE FROM account WHERE account = 'weibo:jia1'",
                    "INSERT INTO account (account, platform, account_id, account_name, org_code, org_name, region, "
                    "status, opened_on, version) VALUES ('weibo:fake', 'weibo', 'fake', 'x', 'x', 'x', '安徽省/甲市', "
                    "'active', '2025-01-01', 1)",
                    "UPDATE region SET name = 'x'",
                    "INSERT INTO organisation (org_code, org_name) VALUES ('X', 'x')"):
            _refused(registrar, sql)
    finally:
        registrar.dispose()
    row = _row(db, "weibo:jia1")
    assert (row["status"], row["opened_on"], row["account_name"]) == ("active", date(2025, 1, 2), "账号weibo:jia1")


def test_a_registrars_filings_still_change_the_current_state_as_the_replay_does(province: tuple[Database, str]) -> None:
    db, url = province
    _name, registrar = _user(db, url, "registrar", JIA)
    key = "weibo:jia2"
    try:
        file_event(registrar, "open", key, effective_on=date(2025, 2, 1), region=JIA + "/西县", org_name="西县局",
                   org_code=ORG, account_name="西县发布", opened_on=date(2025, 2, 1), feed_url="http://127.0.0.1/f")
        file_event(registrar, "rename", key, effective_on=date(2025, 3, 1), account_name="西县之声")
        file_event(registrar, "transfer", key, effective_on=date(2025, 4, 1), region=JIA + "/北县/新镇",
                   org_code=ORG2, org_name="北县局")
        file_event(registrar, "suspend", key, effective_on=date(2025, 5, 1))
        with registrar.engine.begin() as conn:  # the kinds only `registry import --update` files
            for kind, payload in (("resume", "{}"), ("update", '{"filing_no": "皖-1", "profile_url": null}')):
                conn.execute(text("INSERT INTO filing_event (account, kind, effective_on, recorded_at, by, payload) "
                                  "VALUES (:a, :k, '2025-06-01', now(), 'x', CAST(:p AS json))"),
                             {"a": key, "k": kind, "p": payload})
        after_update = _row(db, key)
        with db.session() as session:
            replayed = states_as_of(session)[key]
            cached = load_account_rows(session, [key])[key]
        assert cached.record == replayed.record and cached.last_event_id == replayed.last_event_id
        assert (after_update["status"], after_update["filing_no"], after_update["region"]) == ("active", "皖-1", JIA + "/北县/新镇")
        assert after_update["version"] == 6
        file_event(registrar, "close", key, effective_on=date(2025, 7, 1), notice_from=date(2025, 6, 20))
    finally:
        registrar.dispose()
    closed = _row(db, key)
    assert (closed["status"], closed["closed_on"], closed["notice_from"]) == ("deregistered", date(2025, 7, 1), date(2025, 6, 20))
    with db.engine.connect() as conn:
        regions = set(conn.execute(text("SELECT path FROM region")).scalars())
        orgs = dict(conn.execute(text("SELECT org_code, org_name FROM organisation")).all())
    assert {JIA + "/北县", JIA + "/北县/新镇"} <= regions and orgs[ORG2] == "北县局"
    with db.session() as session:
        assert [e.kind for e in history(session, key)] == ["open", "rename", "transfer", "suspend", "resume", "update", "close"]


# item 6 -------------------------------------------------------------------------------------

def test_an_inspector_cannot_rewrite_verdicts(province: tuple[Database, str]) -> None:
    db, url = province
    with db.engine.begin() as conn:  # what the tool's own check and inspection jobs wrote
        conn.execute(text("INSERT INTO check_run (at, ran_at, region, accounts_checked, findings) VALUES (now(), now(), NULL, 2, 1)"))
        conn.execute(text("INSERT INTO finding (account, rule, severity, source, first_seen_at, last_seen_at, active) "
                          "VALUES ('weibo:yi1', 'lapsed', 'veto', '', now(), now(), true)"))
        inspection = conn.execute(text("INSERT INTO inspection (quarter, ratio, seed, planned_at, registry_at, sample_size, current) "
                                       "VALUES ('2025Q1', 0.1, 1, now(), now(), 1, true) RETURNING id")).scalar()
        conn.execute(text("INSERT INTO inspection_sample VALUES (:i, 'weibo:yi1', 's')"), {"i": inspection})
        conn.execute(text("INSERT INTO inspection_finding (inspection_id, account, rule, severity) VALUES (:i, 'weibo:yi1', 'lapsed', 'veto')"),
                     {"i": inspection})
        conn.execute(text("INSERT INTO rectification_case (account, quarter, opened_at, due_on, status, repeat_offender) "
                          "VALUES ('weibo:yi1', '2025Q1', now(), '2025-04-10', 'open', false)"))
    _name, inspector = _user(db, url, "inspector", YI)
    try:
        for table, change in (("finding", "active = false"), ("check_run", "findings = 0"), ("inspection", "sample_size = 0"),
                              ("inspection_sample", "stratum = 'x'"), ("inspection_finding", "severity = 'info'"),
                              ("rectification_case", "status = 'closed'")):
            _refused(inspector, f"UPDATE {table} SET {change}")
            _refused(inspector, f"DELETE FROM {table}")
        _refused(inspector, "INSERT INTO finding (account, rule, severity, source, first_seen_at, last_seen_at, active) "
                            "VALUES ('weibo:jia1', 'x', 'veto', '', now(), now(), true)")
        with inspector.engine.begin() as conn:  # its own job still works
            conn.execute(text("INSERT INTO observation (account, kind, observed_at, recorded_at, inspector) "
                              "VALUES ('weibo:yi1', 'comments_disabled', now(), now(), 'x')"))
    finally:
        inspector.dispose()
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM finding WHERE active")).scalar() == 1
        assert conn.execute(text("SELECT status FROM rectification_case")).scalar() == "open"


# item 7 -------------------------------------------------------------------------------------

def test_a_filings_clock_and_author_are_the_databases(province: tuple[Database, str]) -> None:
    db, url = province
    name, registrar = _user(db, url, "registrar", JIA)
    try:
        with registrar.engine.begin() as conn:
            conn.execute(text("INSERT INTO filing_event (account, kind, effective_on, recorded_at, by, payload) "
                              "VALUES ('weibo:jia1', 'rename', '2025-03-01', '2025-03-01 08:00', '厦门市长', "
                              "CAST('{\"account_name\": \"新名\"}' AS json))"))
        filed = file_event(registrar, "rename", "weibo:jia1", effective_on=date(2025, 3, 2), by="张三", account_name="再名")
    finally:
        registrar.dispose()
    assert filed.by == name
    now = datetime.now(UTC)
    with db.session() as session:
        renames = [e for e in history(session, "weibo:jia1") if e.kind == "rename"]
    assert [e.by for e in renames] == [name, name]
    assert all(abs(e.recorded_at - now) < timedelta(minutes=5) for e in renames)
    # the tables' owner (the tool's jobs, a migration, an import of history) keeps what it sets
    open_account(db, "weibo:jia3", JIA)
    with db.session() as session:
        assert history(session, "weibo:jia3")[0].by == "admin"


def test_an_observations_clock_and_inspector_are_the_databases(province: tuple[Database, str]) -> None:
    from tracker.judging.observations import observations_of, record_observation

    db, url = province
    name, inspector = _user(db, url, "inspector", YI)
    try:
        with inspector.engine.begin() as conn:
            conn.execute(text("INSERT INTO observation (account, kind, observed_at, recorded_at, inspector) "
                              "VALUES ('weibo:yi1', 'comments_disabled', now(), '2020-01-01', '厦门市长')"))
        seen = record_observation(inspector, "weibo:yi1", "app_unavailable", inspector="李四")
    finally:
        inspector.dispose()
    assert seen.inspector == name
    assert [o.inspector for o in observations_of(db, "weibo:yi1")] == [name, name]
    with db.engine.connect() as conn:
        oldest = conn.execute(text("SELECT min(recorded_at) FROM observation")).scalar()
    assert abs(oldest.replace(tzinfo=UTC) - datetime.now(UTC)) < timedelta(minutes=5)


def test_region_and_organisation_have_row_level_security(province: tuple[Database, str]) -> None:
    db, url = province
    admin_name, admin = _user(db, url, "admin")
    try:
        with admin.engine.begin() as conn:  # an admin writes, as everywhere
            conn.execute(text("UPDATE organisation SET org_name = '某局（新）'"))
    finally:
        admin.dispose()
    with db.engine.connect() as conn:
        secured = dict(conn.execute(text("SELECT relname, relrowsecurity FROM pg_class WHERE relname IN ('region', 'organisation') "
                                         "AND relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())")).all())
        conn.execute(text(f'GRANT UPDATE ON region TO "{admin_name}"'))
    assert secured == {"region": True, "organisation": True}
    name = unique("reg")
    add_user(db, name, "registrar", JIA)
    with db.engine.begin() as conn:  # even a grant made by hand does not let a registrar write them
        conn.execute(text(f'GRANT UPDATE ON region, organisation TO "{name}"'))
    registrar = as_user(url, name)
    try:
        with registrar.engine.begin() as conn:
            assert conn.execute(text("UPDATE region SET name = 'x'")).rowcount == 0
            assert conn.execute(text("UPDATE organisation SET org_name = 'x'")).rowcount == 0
            assert conn.execute(text("SELECT count(*) FROM region")).scalar() > 0
    finally:
        registrar.dispose()


# item 8 -------------------------------------------------------------------------------------

def _cli(url: str, *args: str):
    return CliRunner().invoke(app, ["--db", url, *args])


def test_users_add_refuses_an_existing_role_unless_told(province: tuple[Database, str]) -> None:
    db, url = province
    name = unique("old")
    with db.engine.begin() as conn:
        conn.execute(text(f'CREATE ROLE "{name}" LOGIN'))
    try:
        refused = _cli(url, "users", "add", name, "--role", "registrar", "--region", JIA)
        assert refused.exit_code == 2 and "exists already" in refused.stderr and "--adopt-existing-role" in refused.stderr
        assert list_users(db) == []
        adopted = _cli(url, "users", "add", name, "--role", "registrar", "--region", JIA, "--adopt-existing-role")
        assert adopted.exit_code == 0, adopted.output
        assert [u.name for u in list_users(db)] == [name]
        owner = unique("own")
        with db.engine.begin() as conn:
            conn.execute(text(f'CREATE ROLE "{owner}" LOGIN'))
            conn.execute(text('CREATE TABLE owned_by_it (x int)'))
            conn.execute(text(f'ALTER TABLE owned_by_it OWNER TO "{owner}"'))
        owning = _cli(url, "users", "add", owner, "--role", "inspector", "--region", YI, "--adopt-existing-role")
        assert owning.exit_code == 2 and "owns objects" in owning.stderr
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE owned_by_it"))
            conn.execute(text(f'DROP ROLE "{owner}"'))
    finally:
        remove_user(db, name) if list_users(db) else None
        with db.engine.begin() as conn:
            conn.execute(text(f'DROP ROLE IF EXISTS "{name}"'))


def test_users_remove_never_drops_tables(province: tuple[Database, str]) -> None:
    db, url = province
    name = unique("reg")
    add_user(db, name, "registrar", JIA)
    with db.engine.begin() as conn:  # say a DBA ran the migrations as that role once
        conn.execute(text(f'ALTER TABLE filing_event OWNER TO "{name}"'))
    refused = _cli(url, "users", "remove", name)
    assert refused.exit_code == 2 and "owns" in refused.stderr and "nothing was removed" in refused.stderr
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM filing_event")).scalar() == 2
    assert [u.name for u in list_users(db)] == [name]  # all or nothing
    with db.engine.connect() as conn:
        me = conn.execute(text("SELECT current_user")).scalar()
    removed = _cli(url, "users", "remove", name, "--reassign-to", me)
    assert removed.exit_code == 0, removed.output
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM filing_event")).scalar() == 2
        assert conn.execute(text("SELECT tableowner FROM pg_tables WHERE tablename = 'filing_event' "
                                 "AND schemaname = current_schema()")).scalar() == me
        assert conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": name}).first() is None
    assert list_users(db) == []
    missing = _cli(url, "users", "remove", name)
    assert missing.exit_code == 2 and "no user" in missing.stderr


def test_the_migration_takes_back_what_earlier_grants_gave(pg_schema_url: str) -> None:
    from alembic import command

    from tracker.storage.db import _alembic_config, make_engine, migrate

    engine = make_engine(pg_schema_url)
    with engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "0007_coverage")
    registrar, inspector = unique("reg"), unique("insp")
    with engine.begin() as conn:  # what `users add` granted before 0010_roles
        schema = conn.execute(text("SELECT current_schema()")).scalar()
        for name, role, grants in ((registrar, "registrar", "INSERT ON filing_event; INSERT, UPDATE ON account, region, organisation"),
                                   (inspector, "inspector", "INSERT ON observation; INSERT, UPDATE, DELETE ON finding, check_run")):
            conn.execute(text(f'CREATE ROLE "{name}" LOGIN'))
            conn.execute(text(f'GRANT USAGE ON SCHEMA "{schema}" TO "{name}"'))
            for grant in grants.split("; "):
                conn.execute(text(f'GRANT {grant} TO "{name}"'))
            conn.execute(text("INSERT INTO tracker_user (pg_role, role, region, created_at) VALUES (:n, :r, :g, now())"),
                         {"n": name, "r": role, "g": JIA})
    migrate(engine)
    with engine.connect() as conn:
        def may(name: str, table: str, what: str) -> bool:
            return conn.execute(text("SELECT has_table_privilege(:n, :t, :w)"), {"n": name, "t": table, "w": what}).scalar()

        assert not may(registrar, "account", "UPDATE") and not may(registrar, "organisation", "INSERT")
        assert may(registrar, "filing_event", "INSERT") and may(registrar, "account", "SELECT")
        assert not may(inspector, "finding", "UPDATE") and not may(inspector, "check_run", "DELETE")
        assert may(inspector, "observation", "INSERT")
    engine.dispose()
    db = open_database(pg_schema_url)
    for name in (registrar, inspector):
        remove_user(db, name)
    db.dispose()

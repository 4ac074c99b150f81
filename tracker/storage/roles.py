"""Users and jurisdictions on PostgreSQL: one login role per person, row-level security.

`tracker users add NAME --role R --region PATH` creates the role, grants what the role needs in
the current schema and maps it in `tracker_user`; the policies of migration 0003_users then let
a registrar file only for accounts in their region's subtree and an inspector record
observations only there, whatever program they connect with. Everyone reads everything.
SQLite has a single user: nothing of this applies there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, func, select, text
from sqlalchemy.exc import DBAPIError

from tracker.domain.errors import TrackerError
from tracker.storage.db import Database
from tracker.storage.tables import Region, TrackerUser
from tracker.domain.times import now_utc

ROLES = ("admin", "registrar", "inspector")
# Unquoted PostgreSQL names, so that `psql -U name` and URLs need no quoting.
_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")

_RESULT_TABLES = "finding, check_run, inspection, inspection_sample, inspection_finding, rectification_case"
_GRANTS = {
    "admin": ["GRANT ALL PRIVILEGES ON ALL TABLES IN SCHEMA {schema} TO {role}"],
    "registrar": ["GRANT INSERT ON filing_event TO {role}",
                  "GRANT INSERT, UPDATE ON account, region, organisation TO {role}"],
    "inspector": ["GRANT INSERT ON observation TO {role}",
                  f"GRANT INSERT, UPDATE, DELETE ON {_RESULT_TABLES} TO {{role}}"],
}
_COMMON = ["GRANT USAGE ON SCHEMA {schema} TO {role}",
           "GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {role}",
           "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {role}"]


class NotApplicable(TrackerError):
    """Users and jurisdictions need PostgreSQL."""


@dataclass(frozen=True)
class UserInfo:
    name: str
    role: str
    region: str
    created_at: datetime


def _require_postgresql(db: Database) -> None:
    if db.dialect != "postgresql":
        raise NotApplicable("users and jurisdictions apply to PostgreSQL only; a SQLite database has a "
                            "single user who may do everything (use --db postgresql+psycopg://…)")


def _check(db: Database, name: str, role: str, region: str) -> str:
    if not _NAME.match(name):
        raise TrackerError(f"user name {name!r}: use lower-case letters, digits and _ (at most 63, not starting with a digit)")
    if role not in ROLES:
        raise TrackerError(f"--role must be one of {', '.join(ROLES)}, got {role!r}")
    region = region.strip().strip("/")
    if role != "admin" and not region:
        raise TrackerError(f"a {role} needs --region PATH (e.g. 安徽省/合肥市)")
    if region:
        with db.session() as session:
            known = session.execute(select(func.count()).select_from(Region)).scalar()
            if known and session.execute(select(Region.path).where(Region.path == region)).first() is None:
                raise TrackerError(f"--region {region!r}: no such region in the registry")
    return region


def _quote(connection: Connection, name: str) -> str:
    return connection.dialect.identifier_preparer.quote(name)


def add_user(db: Database, name: str, role: str, region: str = "", *, password: str | None = None) -> UserInfo:
    """Create (or adopt) the login role `name` and give it `role` over `region`'s subtree."""
    _require_postgresql(db)
    region = _check(db, name, role, region)
    try:
        return _create(db, name, role, region, password)
    except DBAPIError as exc:
        raise (refusal(exc) or exc) from exc


def _create(db: Database, name: str, role: str, region: str, password: str | None) -> UserInfo:
    with db.engine.begin() as connection:
        if connection.execute(select(TrackerUser.pg_role).where(TrackerUser.pg_role == name)).first():
            raise TrackerError(f"user {name!r} exists already")
        schema = _quote(connection, connection.execute(text("SELECT current_schema()")).scalar())
        quoted = _quote(connection, name)
        exists = connection.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :name"), {"name": name}).first()
        if not exists:
            connection.execute(text(f"CREATE ROLE {quoted} LOGIN"))
        if password:  # through psycopg's quoting: a password may hold any character
            from psycopg import sql

            statement = sql.SQL("ALTER ROLE {} PASSWORD {}").format(sql.Identifier(name), sql.Literal(password))
            connection.connection.dbapi_connection.cursor().execute(statement)
        for statement in _COMMON + _GRANTS[role]:
            connection.execute(text(statement.format(schema=schema, role=quoted)))
        created = now_utc()
        connection.execute(TrackerUser.__table__.insert().values(pg_role=name, role=role, region=region, created_at=created))
    return UserInfo(name=name, role=role, region=region, created_at=created)


def list_users(db: Database) -> list[UserInfo]:
    _require_postgresql(db)
    with db.session() as session:
        rows = session.execute(select(TrackerUser).order_by(TrackerUser.pg_role)).scalars()
        return [UserInfo(name=row.pg_role, role=row.role, region=row.region, created_at=row.created_at) for row in rows]


def remove_user(db: Database, name: str, *, drop_role: bool = True) -> None:
    """Unmap the user; with `drop_role`, revoke its privileges here and drop the login role."""
    _require_postgresql(db)
    with db.engine.begin() as connection:
        gone = connection.execute(delete(TrackerUser).where(TrackerUser.pg_role == name)).rowcount
        if not gone:
            raise TrackerError(f"no user {name!r}")
        if drop_role:
            quoted = _quote(connection, name)
            try:
                connection.execute(text(f"DROP OWNED BY {quoted}"))
                connection.execute(text(f"DROP ROLE {quoted}"))
            except Exception as exc:  # noqa: BLE001 - e.g. still granted in another database
                raise TrackerError(f"cannot drop role {name!r}: {exc.__cause__ or exc}") from exc


def refusal(exc: BaseException) -> TrackerError | None:
    """A clear TrackerError for a write PostgreSQL refused for lack of rights (row-level security
    or a missing grant), to raise instead of the driver's error; None for any other error."""
    original = getattr(exc, "orig", None)
    if getattr(original, "sqlstate", None) != "42501":  # insufficient_privilege
        return None
    reason = str(original).splitlines()[0]
    return TrackerError(f"refused by the database: {reason} (outside your region, or not allowed for your role)")

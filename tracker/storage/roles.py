"""Users and jurisdictions on PostgreSQL: one login role per person, row-level security.

`tracker users add NAME --role R --region PATH` creates the role, grants what the role needs in
the current schema (tracker.storage.grants, the one place that says so) and maps it in
`tracker_user`; the policies of migrations 0003_users and 0010_roles then let a registrar file
only for accounts in their region's subtree and an inspector record observations only there,
whatever program they connect with; the derived tables are the database's and the tool's
jobs'. Everyone reads everything. `users add` never silently adopts an existing role and
`users remove` never drops objects. SQLite has a single user: nothing of this applies there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, func, insert, select, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import col

from tracker.domain.errors import TrackerError
from tracker.domain.times import now_utc
from tracker.storage.db import Database
from tracker.storage.grants import ROLES, apply_grants, quote, revoke_grants
from tracker.storage.tables import Region, TrackerUser

# Unquoted PostgreSQL names, so that `psql -U name` and URLs need no quoting.
_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


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
            if known and session.execute(select(col(Region.path)).where(col(Region.path) == region)).first() is None:
                raise TrackerError(f"--region {region!r}: no such region in the registry")
    return region


def add_user(db: Database, name: str, role: str, region: str = "", *, password: str | None = None,
             adopt: bool = False) -> UserInfo:
    """Create the login role `name` and give it `role` over `region`'s subtree. A role that
    exists already is refused unless `adopt` (then it is given exactly this role's grants);
    one that owns objects or is a superuser never is: row-level security would not bind it."""
    _require_postgresql(db)
    region = _check(db, name, role, region)
    try:
        return _create(db, name, role, region, password, adopt)
    except DBAPIError as exc:
        raise (refusal(exc) or exc) from exc


def _owned_objects(connection: Connection, name: str) -> int:
    """How many objects of this database (tables, functions, schemas …) the role owns."""
    return connection.execute(text(
        "SELECT count(*) FROM pg_shdepend d JOIN pg_roles r ON r.oid = d.refobjid "
        "WHERE r.rolname = :name AND d.deptype = 'o' "
        "AND d.dbid = (SELECT oid FROM pg_database WHERE datname = current_database())"), {"name": name}).scalar_one()


def _create(db: Database, name: str, role: str, region: str, password: str | None, adopt: bool) -> UserInfo:
    with db.engine.begin() as connection:
        if connection.execute(select(col(TrackerUser.pg_role)).where(col(TrackerUser.pg_role) == name)).first():
            raise TrackerError(f"user {name!r} exists already")
        quoted = quote(connection, name)
        found = connection.execute(text("SELECT rolsuper FROM pg_roles WHERE rolname = :name"), {"name": name}).first()
        if found is None:
            connection.execute(text(f"CREATE ROLE {quoted} LOGIN"))
        elif not adopt:
            raise TrackerError(f"a PostgreSQL role {name!r} exists already; choose another name, or pass "
                               f"--adopt-existing-role to make that role this {role}")
        elif found.rolsuper or _owned_objects(connection, name):
            raise TrackerError(f"the PostgreSQL role {name!r} is a superuser or owns objects in this database: "
                               "row-level security would not bind it, so it cannot become a tracker user")
        if password:  # through psycopg's quoting: a password may hold any character
            from psycopg import sql

            statement = sql.SQL("ALTER ROLE {} PASSWORD {}").format(sql.Identifier(name), sql.Literal(password))
            dbapi = connection.connection.dbapi_connection
            assert dbapi is not None  # the connection of an open transaction is checked out
            dbapi.cursor().execute(statement)
        apply_grants(connection, name, role)
        created = now_utc()
        connection.execute(insert(TrackerUser).values(pg_role=name, role=role, region=region, created_at=created))
    return UserInfo(name=name, role=role, region=region, created_at=created)


def list_users(db: Database) -> list[UserInfo]:
    _require_postgresql(db)
    with db.session() as session:
        rows = session.execute(select(TrackerUser).order_by(col(TrackerUser.pg_role))).scalars()
        return [UserInfo(name=row.pg_role, role=row.role, region=row.region, created_at=row.created_at) for row in rows]


def remove_user(db: Database, name: str, *, drop_role: bool = True, reassign_to: str | None = None) -> None:
    """Unmap the user; with `drop_role`, revoke its privileges here and drop the login role.
    Never drops objects: a role that owns any is refused, unless `reassign_to` names the role
    that takes them over (REASSIGN OWNED). All or nothing: a refusal leaves the user as it was."""
    _require_postgresql(db)
    try:
        _remove(db, name, drop_role, reassign_to)
    except DBAPIError as exc:
        refused = refusal(exc)
        if refused is not None:
            raise refused from exc
        raise TrackerError(f"cannot drop role {name!r}: {str(getattr(exc, 'orig', exc)).splitlines()[0]}") from exc


def _remove(db: Database, name: str, drop_role: bool, reassign_to: str | None) -> None:
    with db.engine.begin() as connection:
        gone = connection.execute(delete(TrackerUser).where(col(TrackerUser.pg_role) == name)).rowcount
        if not gone:
            raise TrackerError(f"no user {name!r}")
        if not drop_role:
            return
        if connection.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": name}).first() is None:
            return  # dropped by hand already
        owned = _owned_objects(connection, name)
        if owned:
            if not reassign_to:
                raise TrackerError(f"the role {name!r} owns {owned} object(s) in this database (tables among them, "
                                   "perhaps): nothing was removed; pass --reassign-to ROLE to hand them over first, "
                                   "or --keep-role")
            if connection.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": reassign_to}).first() is None:
                raise TrackerError(f"--reassign-to {reassign_to!r}: no such role")
            connection.execute(text(f"REASSIGN OWNED BY {quote(connection, name)} TO {quote(connection, reassign_to)}"))
        revoke_grants(connection, name)
        connection.execute(text(f"DROP ROLE {quote(connection, name)}"))


def refusal(exc: BaseException) -> TrackerError | None:
    """A clear TrackerError for a write PostgreSQL refused for lack of rights (row-level security
    or a missing grant), to raise instead of the driver's error; None for any other error."""
    original = getattr(exc, "orig", None)
    if getattr(original, "sqlstate", None) != "42501":  # insufficient_privilege
        return None
    reason = str(original).splitlines()[0]
    return TrackerError(f"refused by the database: {reason} (outside your region, or not allowed for your role)")

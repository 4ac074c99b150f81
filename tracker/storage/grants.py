"""The one place that says what each PostgreSQL role may do (`tracker users add` and the
migrations call `apply_grants`).

Who may write what (docs/contract.md §8): a registrar INSERTs filings and nothing else, an inspector
INSERTs observations and nothing else; row-level security (migrations 0003_users, 0010_roles)
narrows both to their region's subtree. Derived tables — the cached current state `account`,
`region`, `organisation`, findings, check runs, inspections, cases, snapshots — are written by
the tool's own jobs (the owner of the tables) and, for a filing, by the database itself: the
trigger of migration 0010_roles replays the account's filings into `account` (SECURITY
DEFINER), so a registrar never holds a write privilege on it. An admin reads and writes rows
anywhere but may not TRUNCATE (the append-only filing log) or change the schema.
Everyone reads everything.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

ROLES = ("admin", "registrar", "inspector")

GRANTS: dict[str, list[str]] = {
    "admin": ["GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role}",
              "GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {schema} TO {role}"],
    "registrar": ["GRANT INSERT ON filing_event TO {role}"],
    "inspector": ["GRANT INSERT ON observation TO {role}"],
}
COMMON = ["GRANT USAGE ON SCHEMA {schema} TO {role}",
          "GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {role}",
          "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {role}"]
REVOKE = ["REVOKE ALL PRIVILEGES ON ALL TABLES IN SCHEMA {schema} FROM {role}",
          "REVOKE ALL PRIVILEGES ON ALL SEQUENCES IN SCHEMA {schema} FROM {role}",
          "REVOKE ALL PRIVILEGES ON SCHEMA {schema} FROM {role}"]


def quote(connection: Connection, name: str) -> str:
    return connection.dialect.identifier_preparer.quote(name)


def current_schema(connection: Connection) -> str:
    name = connection.execute(text("SELECT current_schema()")).scalar()
    if name is None:
        raise RuntimeError("no current schema: search_path names no existing schema")
    return quote(connection, name)


def revoke_grants(connection: Connection, name: str) -> None:
    """Take back everything granted to `name` in the current schema."""
    schema, role = current_schema(connection), quote(connection, name)
    for statement in REVOKE:
        connection.execute(text(statement.format(schema=schema, role=role)))


def apply_grants(connection: Connection, name: str, role: str) -> None:
    """Give the login role `name` exactly what `role` needs in the current schema (what it
    held before is revoked first, so that a re-run also takes back what a role no longer has)."""
    if role not in GRANTS:
        raise ValueError(f"unknown role {role!r}")
    revoke_grants(connection, name)
    schema, quoted = current_schema(connection), quote(connection, name)
    for statement in COMMON + GRANTS[role]:
        connection.execute(text(statement.format(schema=schema, role=quoted)))


def regrant_all(connection: Connection) -> None:
    """Re-apply the grants of every mapped user (a migration changing what a role may do)."""
    rows = connection.execute(text(
        "SELECT u.pg_role, u.role FROM tracker_user u JOIN pg_roles r ON r.rolname = u.pg_role")).all()
    for name, role in rows:
        if role in GRANTS:
            apply_grants(connection, name, role)


def database_derives_state(connection: Connection) -> bool:
    """True when the current role may not write the cached registry state itself (a registrar
    on PostgreSQL): the database's trigger derives `account`, `region` and `organisation` from
    the filing just inserted, and the tool must not write them."""
    if connection.dialect.name != "postgresql":
        return False
    return not connection.execute(text("SELECT has_table_privilege('account', 'UPDATE')")).scalar()

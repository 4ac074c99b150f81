"""users: row-level security for registrars and inspectors (PostgreSQL only)

The policies let a login role listed in `tracker_user` write only within its region subtree:
a registrar files events and updates the derived account rows, an inspector records
observations; an admin writes anywhere; everyone reads. Table owners (the nightly jobs,
migrations) bypass row-level security. Privileges per role are granted by
`tracker users add` (tracker.storage.roles). SQLite has no roles: nothing to do there.

Revision ID: 0003_users
Revises: 0002_jobs
"""
import sqlalchemy as sa
from alembic import op

revision = "0003_users"
down_revision = "0002_jobs"
branch_labels = None
depends_on = None

_FUNCTIONS = [
    """CREATE FUNCTION tracker_in_subtree(path text, root text) RETURNS boolean
       LANGUAGE sql IMMUTABLE AS
       $$ SELECT root = '' OR path = root OR left(path, length(root) + 1) = root || '/' $$""",
    # SECURITY DEFINER so that the policies may read tracker_user and account whatever the
    # caller may read; the caller is passed in (current_user inside would be the definer).
    """CREATE FUNCTION tracker_may(who text, wanted text, path text) RETURNS boolean
       LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
       DECLARE u tracker_user%ROWTYPE;
       BEGIN
         SELECT * INTO u FROM tracker_user WHERE pg_role = who;
         IF NOT FOUND THEN RETURN false; END IF;
         IF u.role = 'admin' THEN RETURN true; END IF;
         RETURN u.role = wanted AND path IS NOT NULL AND tracker_in_subtree(path, u.region);
       END $$""",
    """CREATE FUNCTION tracker_account_region(acct text) RETURNS text
       LANGUAGE sql STABLE SECURITY DEFINER SET search_path = {schema}, pg_temp AS
       $$ SELECT region FROM account WHERE account.account = acct $$""",
    # A filing is allowed when the account's current region (none yet for an opening) and the
    # region the event names (opening, transfer) are both inside the registrar's subtree.
    """CREATE FUNCTION tracker_may_file(who text, acct text, payload json) RETURNS boolean
       LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
       DECLARE now_region text := tracker_account_region(acct);
               new_region text := payload ->> 'region';
       BEGIN
         IF tracker_may(who, 'admin-only', NULL) THEN RETURN true; END IF;
         IF now_region IS NULL AND new_region IS NULL THEN RETURN false; END IF;
         RETURN (now_region IS NULL OR tracker_may(who, 'registrar', now_region))
            AND (new_region IS NULL OR tracker_may(who, 'registrar', new_region));
       END $$""",
]

_POLICIES = [
    "ALTER TABLE filing_event ENABLE ROW LEVEL SECURITY",
    "CREATE POLICY tracker_read ON filing_event FOR SELECT USING (true)",
    "CREATE POLICY tracker_file ON filing_event FOR INSERT WITH CHECK (tracker_may_file(current_user, account, payload))",
    "ALTER TABLE account ENABLE ROW LEVEL SECURITY",
    "CREATE POLICY tracker_read ON account FOR SELECT USING (true)",
    "CREATE POLICY tracker_insert ON account FOR INSERT WITH CHECK (tracker_may(current_user, 'registrar', region))",
    "CREATE POLICY tracker_update ON account FOR UPDATE USING (tracker_may(current_user, 'registrar', region))"
    " WITH CHECK (tracker_may(current_user, 'registrar', region))",
    "CREATE POLICY tracker_delete ON account FOR DELETE USING (tracker_may(current_user, 'admin-only', NULL))",
    "ALTER TABLE observation ENABLE ROW LEVEL SECURITY",
    "CREATE POLICY tracker_read ON observation FOR SELECT USING (true)",
    "CREATE POLICY tracker_observe ON observation FOR INSERT"
    " WITH CHECK (tracker_may(current_user, 'inspector', tracker_account_region(account)))",
    "CREATE POLICY tracker_admin ON observation FOR ALL"
    " USING (tracker_may(current_user, 'admin-only', NULL)) WITH CHECK (tracker_may(current_user, 'admin-only', NULL))",
]

_TABLES = ("filing_event", "account", "observation")


def _schema() -> str:
    bind = op.get_bind()
    name = bind.execute(sa.text("SELECT current_schema()")).scalar()
    if name is None:
        raise RuntimeError("no current schema: search_path names no existing schema")
    return bind.dialect.identifier_preparer.quote(name)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    schema = _schema()
    for statement in _FUNCTIONS:
        op.execute(statement.replace("{schema}", schema))
    for statement in _POLICIES:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in _TABLES:
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
        for policy in ("tracker_read", "tracker_file", "tracker_insert", "tracker_update", "tracker_delete",
                       "tracker_observe", "tracker_admin"):
            op.execute(f"DROP POLICY IF EXISTS {policy} ON {table}")
    for function in ("tracker_may_file(text, text, json)", "tracker_account_region(text)",
                     "tracker_may(text, text, text)", "tracker_in_subtree(text, text)"):
        op.execute(f"DROP FUNCTION IF EXISTS {function}")

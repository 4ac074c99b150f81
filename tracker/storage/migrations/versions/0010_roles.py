"""roles: the database derives the registry's current state, stamps filings, and holds every
role to what it may write (issue 13 items 5–7; PostgreSQL only).

- `account` (with `region`, `organisation`) is a cache of the replay of the filings. A role that
  may not write it itself (a registrar: see tracker.storage.grants) no longer needs to: the
  AFTER INSERT trigger `tracker_filing_applied` calls `tracker_refresh_account`, a SECURITY
  DEFINER function that replays that account's filings into its row. So a registrar cannot
  `UPDATE account` (no privilege, and the policies allow only admins) and every change of the
  current state has its filing.
- `recorded_at` and `by` of a filing (and `recorded_at`, `inspector` of an observation) are the
  database's: DEFAULT now() / current_user, and the BEFORE INSERT trigger `tracker_stamp`
  overrides whatever a role other than the tables' owner sent.
- `region` and `organisation` get row-level security: everyone reads, admins write (owners —
  the tool's jobs — bypass it as everywhere).
- Grants of existing users are re-applied from tracker.storage.grants (registrars lose
  INSERT/UPDATE on account, region, organisation; inspectors lose writes on results).

Revision ID: 0010_roles
Revises: 0007_coverage
"""
import sqlalchemy as sa
from alembic import op

revision = "0010_roles"
down_revision = "0008_websites"
branch_labels = None
depends_on = None

_FUNCTIONS = [
    # The replay of tracker.registry.state.apply_event, non-strict (a senseless event is passed
    # over, as `replay(strict=False)` does; the tool checked each filing before inserting it).
    """CREATE FUNCTION tracker_refresh_account(acct text) RETURNS void
       LANGUAGE plpgsql SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
       DECLARE e record; p jsonb; s account%ROWTYPE; opened boolean := false;
               parts text[]; prefix text; parent text;
       BEGIN
         FOR e IN SELECT id, kind, effective_on, payload FROM filing_event
                  WHERE account = acct ORDER BY effective_on, id LOOP
           p := coalesce(e.payload::jsonb, '{}'::jsonb);
           IF e.kind = 'open' THEN
             IF opened AND s.status <> 'deregistered' THEN CONTINUE; END IF;
             s.platform := p ->> 'platform'; s.account_id := p ->> 'account_id';
             s.account_name := p ->> 'account_name'; s.org_code := p ->> 'org_code';
             s.org_name := p ->> 'org_name'; s.region := p ->> 'region';
             s.opened_on := (p ->> 'opened_on')::date; s.status := 'active';
             s.feed_url := p ->> 'feed_url'; s.profile_url := p ->> 'profile_url';
             s.filing_no := p ->> 'filing_no';
             s.suspended_on := NULL; s.closed_on := NULL; s.notice_from := NULL;
             opened := true;
           ELSIF NOT opened OR s.status = 'deregistered' OR e.effective_on < s.opened_on THEN
             CONTINUE;
           ELSIF e.kind = 'rename' THEN
             IF coalesce(btrim(p ->> 'account_name'), '') = '' THEN CONTINUE; END IF;
             s.account_name := btrim(p ->> 'account_name');
           ELSIF e.kind = 'transfer' THEN
             s.org_code := coalesce(nullif(p ->> 'org_code', ''), s.org_code);
             s.org_name := coalesce(nullif(p ->> 'org_name', ''), s.org_name);
             s.region := coalesce(nullif(p ->> 'region', ''), s.region);
           ELSIF e.kind = 'suspend' THEN
             IF s.status = 'suspended' THEN CONTINUE; END IF;
             s.status := 'suspended'; s.suspended_on := e.effective_on;
           ELSIF e.kind = 'resume' THEN
             IF s.status <> 'suspended' THEN CONTINUE; END IF;
             s.status := 'active'; s.suspended_on := NULL;
           ELSIF e.kind = 'close' THEN
             s.status := 'deregistered'; s.closed_on := e.effective_on;
             s.notice_from := (p ->> 'notice_from')::date;
           ELSIF e.kind = 'update' THEN
             IF p ? 'region' THEN s.region := p ->> 'region'; END IF;
             IF p ? 'org_name' THEN s.org_name := p ->> 'org_name'; END IF;
             IF p ? 'org_code' THEN s.org_code := p ->> 'org_code'; END IF;
             IF p ? 'platform' THEN s.platform := p ->> 'platform'; END IF;
             IF p ? 'account_id' THEN s.account_id := p ->> 'account_id'; END IF;
             IF p ? 'account_name' THEN s.account_name := p ->> 'account_name'; END IF;
             IF p ? 'opened_on' THEN s.opened_on := (p ->> 'opened_on')::date; END IF;
             IF p ? 'feed_url' THEN s.feed_url := p ->> 'feed_url'; END IF;
             IF p ? 'profile_url' THEN s.profile_url := p ->> 'profile_url'; END IF;
             IF p ? 'filing_no' THEN s.filing_no := p ->> 'filing_no'; END IF;
           ELSE
             CONTINUE;
           END IF;
           s.last_event_id := e.id;
         END LOOP;
         IF NOT opened THEN RETURN; END IF;
         parts := string_to_array(s.region, '/');
         FOR i IN 1 .. coalesce(array_length(parts, 1), 0) LOOP
           parent := prefix;
           prefix := CASE WHEN i = 1 THEN parts[1] ELSE prefix || '/' || parts[i] END;
           INSERT INTO region (path, name, parent_path, level) VALUES (prefix, parts[i], parent, i)
             ON CONFLICT (path) DO NOTHING;
         END LOOP;
         INSERT INTO organisation (org_code, org_name) VALUES (s.org_code, s.org_name)
           ON CONFLICT (org_code) DO UPDATE SET org_name = EXCLUDED.org_name
           WHERE organisation.org_name IS DISTINCT FROM EXCLUDED.org_name;
         UPDATE account SET platform = s.platform, account_id = s.account_id,
             account_name = s.account_name, org_code = s.org_code, org_name = s.org_name,
             region = s.region, status = s.status, opened_on = s.opened_on,
             suspended_on = s.suspended_on, closed_on = s.closed_on, notice_from = s.notice_from,
             feed_url = s.feed_url, profile_url = s.profile_url, filing_no = s.filing_no,
             last_event_id = s.last_event_id, version = account.version + 1
           WHERE account.account = acct;
         IF NOT FOUND THEN  -- a plain INSERT: two concurrent openings collide here, as in the tool
           INSERT INTO account (account, platform, account_id, account_name, org_code, org_name,
               region, status, opened_on, suspended_on, closed_on, notice_from, feed_url,
               profile_url, filing_no, version, last_event_id)
             VALUES (acct, s.platform, s.account_id, s.account_name, s.org_code, s.org_name,
               s.region, s.status, s.opened_on, s.suspended_on, s.closed_on, s.notice_from,
               s.feed_url, s.profile_url, s.filing_no, 1, s.last_event_id);
         END IF;
       END $$""",
    # Runs as the inserting role (not SECURITY DEFINER), so that it sees who that is.
    """CREATE FUNCTION tracker_filing_applied() RETURNS trigger
       LANGUAGE plpgsql SET search_path = {schema}, pg_temp AS $$
       BEGIN
         IF NOT has_table_privilege('account', 'UPDATE') THEN
           PERFORM tracker_refresh_account(NEW.account);
         END IF;
         RETURN NULL;
       END $$""",
    # Only the tables' owner (the tool's jobs, migrations, a superuser) may set them, e.g. when
    # importing history; every other role gets the database's clock and its own name.
    # TG_ARGV[0] names the column of who did it (filing_event.by, observation.inspector).
    """CREATE FUNCTION tracker_stamp() RETURNS trigger
       LANGUAGE plpgsql SET search_path = {schema}, pg_temp AS $$
       BEGIN
         IF NOT pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'USAGE') THEN
           NEW := jsonb_populate_record(NEW, jsonb_build_object(
             'recorded_at', now() AT TIME ZONE 'UTC', TG_ARGV[0], current_user));
         END IF;
         RETURN NEW;
       END $$""",
    # The row lock that queues filings for one account, for roles without UPDATE on account.
    """CREATE FUNCTION tracker_lock_account(acct text) RETURNS void
       LANGUAGE sql SECURITY DEFINER SET search_path = {schema}, pg_temp AS
       $$ SELECT NULL::void FROM (SELECT 1 FROM account WHERE account.account = acct FOR UPDATE) locked $$""",
]

_STATEMENTS = [
    """ALTER TABLE filing_event ALTER COLUMN recorded_at SET DEFAULT (now() AT TIME ZONE 'UTC')""",
    """ALTER TABLE filing_event ALTER COLUMN "by" SET DEFAULT current_user""",
    """ALTER TABLE observation ALTER COLUMN recorded_at SET DEFAULT (now() AT TIME ZONE 'UTC')""",
    """ALTER TABLE observation ALTER COLUMN inspector SET DEFAULT current_user""",
    """CREATE TRIGGER tracker_stamp BEFORE INSERT ON filing_event
       FOR EACH ROW EXECUTE FUNCTION tracker_stamp('by')""",
    """CREATE TRIGGER tracker_stamp BEFORE INSERT ON observation
       FOR EACH ROW EXECUTE FUNCTION tracker_stamp('inspector')""",
    """CREATE TRIGGER tracker_filing_applied AFTER INSERT ON filing_event
       FOR EACH ROW EXECUTE FUNCTION tracker_filing_applied()""",
    # account: written by the database's replay (and admins), never by a registrar.
    "ALTER POLICY tracker_insert ON account WITH CHECK (tracker_may(current_user, 'admin-only', NULL))",
    "ALTER POLICY tracker_update ON account USING (tracker_may(current_user, 'admin-only', NULL))"
    " WITH CHECK (tracker_may(current_user, 'admin-only', NULL))",
]
for _table in ("region", "organisation"):
    _STATEMENTS += [
        f"ALTER TABLE {_table} ENABLE ROW LEVEL SECURITY",
        f"CREATE POLICY tracker_read ON {_table} FOR SELECT USING (true)",
        f"CREATE POLICY tracker_admin ON {_table} FOR ALL USING (tracker_may(current_user, 'admin-only', NULL))"
        " WITH CHECK (tracker_may(current_user, 'admin-only', NULL))",
    ]


def _schema() -> str:
    bind = op.get_bind()
    name = bind.execute(sa.text("SELECT current_schema()")).scalar()
    if name is None:
        raise RuntimeError("no current schema: search_path names no existing schema")
    return bind.dialect.identifier_preparer.quote(name)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    from tracker.storage.grants import regrant_all

    schema = _schema()
    for statement in _FUNCTIONS:
        op.execute(statement.replace("{schema}", schema))
    for statement in _STATEMENTS:
        op.execute(statement)
    regrant_all(op.get_bind())


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in ("region", "organisation"):
        op.execute(f"DROP POLICY IF EXISTS tracker_read ON {table}")
        op.execute(f"DROP POLICY IF EXISTS tracker_admin ON {table}")
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
    op.execute("ALTER POLICY tracker_insert ON account WITH CHECK (tracker_may(current_user, 'registrar', region))")
    op.execute("ALTER POLICY tracker_update ON account USING (tracker_may(current_user, 'registrar', region))"
               " WITH CHECK (tracker_may(current_user, 'registrar', region))")
    op.execute("DROP TRIGGER IF EXISTS tracker_filing_applied ON filing_event")
    for table, column in (("filing_event", '"by"'), ("observation", "inspector")):
        op.execute(f"DROP TRIGGER IF EXISTS tracker_stamp ON {table}")
        op.execute(f"ALTER TABLE {table} ALTER COLUMN recorded_at DROP DEFAULT")
        op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} DROP DEFAULT")
    for function in ("tracker_lock_account(text)", "tracker_stamp()", "tracker_filing_applied()",
                     "tracker_refresh_account(text)"):
        op.execute(f"DROP FUNCTION IF EXISTS {function}")

"""Many registrars at once on PostgreSQL: no filing lost or applied twice, derived state consistent."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from datetime import date
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from tracker.domain.orgcode import make_org_code
from tracker.registry.service import file_event, history, registry_as_of
from tracker.storage.db import open_database
from tracker.storage.roles import add_user, list_users, remove_user
from tracker.storage.tables import Account, FilingEventRow

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = "wechat:gh_0123456789ab"
FILINGS = 100

_REGISTRAR = f"""
import sys
from datetime import date
from tracker.registry.service import file_event
from tracker.storage.db import open_database
url, by, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
db = open_database(url)
print("ready", flush=True)
sys.stdin.readline()  # start together
for index in range(count):
    file_event(db, "rename", "{ACCOUNT}", effective_on=date(2025, 6, 1), by=by, account_name=f"{{by}}-{{index}}")
"""


def test_two_registrar_processes_file_100_events_each_on_one_account(pg_schema_url: str) -> None:
    db = open_database(pg_schema_url)
    file_event(db, "open", ACCOUNT, effective_on=date(2025, 1, 2), by="admin", region="安徽省/合肥市",
               org_name="合肥市人民政府办公室", org_code=make_org_code("11340100003000000"), account_name="合肥发布",
               opened_on=date(2025, 1, 2))
    # each process logs in as its own registrar role, so row-level security is in the path too
    names = [f"reg_{uuid.uuid4().hex[:10]}" for _ in range(2)]
    for name in names:
        add_user(db, name, "registrar", "安徽省/合肥市")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    try:
        registrars = []
        for name in names:
            url = make_url(pg_schema_url).set(username=name).render_as_string(hide_password=False)
            registrars.append(subprocess.Popen([sys.executable, "-c", _REGISTRAR, url, name, str(FILINGS)], cwd=ROOT, env=env,
                                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
        for registrar in registrars:
            assert registrar.stdout.readline().strip() == "ready", registrar.stderr.read()
        for registrar in registrars:
            registrar.stdin.write("go\n")
            registrar.stdin.flush()
        for registrar in registrars:
            assert registrar.wait(timeout=60) == 0, registrar.stderr.read()
    finally:
        for user in list_users(db):
            remove_user(db, user.name)

    with db.session() as session:
        stored = session.execute(select(FilingEventRow.by, func.count()).where(FilingEventRow.account == ACCOUNT)
                                 .group_by(FilingEventRow.by)).all()
        assert dict(stored) == {"admin": 1, names[0]: FILINGS, names[1]: FILINGS}  # all 200 kept, none twice
        events = history(session, ACCOUNT)
        row = session.execute(select(Account).where(Account.account == ACCOUNT)).scalar_one()
        replayed = {record.key: record for record in registry_as_of(session)}[ACCOUNT]
    assert len(events) == 2 * FILINGS + 1
    # the derived row is the replay of every event: the newest rename wins, one version per event
    assert row.last_event_id == max(event.id for event in events)
    assert row.account_name == replayed.account_name == events[-1].payload["account_name"]
    assert row.version == len(events)
    db.dispose()

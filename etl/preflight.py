"""`twinimpact validate`: the loader's own checks, run without touching a warehouse.

The files go through etl/load.py's load_file — the same file checks, mapping, validation
pass, repeated-key and ECB-rate follow-ups and merge — on a throwaway in-memory warehouse, so
the counts and reasons are the ones `load` gives. When the warehouse exists, it is attached
read-only and the kind's raw rows and the reporting currency are copied in first, so
inserted/updated/unchanged are counted against what it holds; a saved `--map NAME` is read
from it too. Its file is never opened for writing (it stays byte-identical). One difference:
bytes loaded before are checked again here, where `load` would skip them (`loaded_before`).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import duckdb

from etl import config, warehouse
from etl.errors import UserError
from etl.load import load_file, map_args

EXIT_CLEAN, EXIT_QUARANTINE, EXIT_REJECTED = 0, 1, 2
SHOWN = 50  # reasons printed per file without --json


def _tables(con, database: str) -> set[str]:
    return {f"{s}.{t}" for s, t in con.execute(
        "select schema_name, table_name from duckdb_tables() where database_name = ?",
        [database]).fetchall()}


def _copy_from(con, db: Path, kind: str) -> set[str]:
    """The warehouse's raw rows of `kind`, its reporting currency and the SHA-256s it loaded
    for the kind, copied from a read-only attach into the in-memory one."""
    from etl.contracts import BY_NAME

    table = BY_NAME[kind].table
    con.execute("attach ? as published (read_only)", [str(db)])
    try:
        have = _tables(con, "published")
        if f"raw.{table}" in have:
            # the columns both have (an older warehouse may lack a newer optional one);
            # names from the catalogs, not from a file
            cols = ", ".join(n for (n,) in con.execute(
                "select column_name from duckdb_columns() where database_name = 'published' "
                "and schema_name = 'raw' and table_name = ? intersect select column_name "
                "from duckdb_columns() where database_name = current_database() and "
                "schema_name = 'raw' and table_name = ?", [table, table]).fetchall())
            con.execute(f"insert into raw.{table} by name "  # noqa: S608 — catalog names
                        f"select {cols} from published.raw.{table}")
        if "meta.settings" in have:
            con.execute("insert or ignore into meta.settings select * from "
                        "published.meta.settings where key = 'reporting_currency'")
        if "meta.loads" in have:
            return {r[0] for r in con.execute(
                "select distinct sha256 from published.meta.loads where kind = ? "
                "and status = 'loaded' and sha256 is not null", [kind]).fetchall()}
        return set()
    finally:
        con.execute("detach published")


def check_paths(kind: str, paths: list[Path], *, transform=None, encoding: str | None = None,
                decimal: str = ".", currency: str | None = None,
                today: dt.date | None = None, names: list[str] | None = None,
                db: Path | None = None) -> list[dict]:
    """Each file's load result (CONTRACT §3 keys) plus `valid`, `loaded_before`, `mapping`
    and `quarantine`: [{line, reason, raw}]."""
    import tempfile

    con = duckdb.connect()  # in memory: nothing is written to the warehouse
    spill = tempfile.TemporaryDirectory(prefix="twinimpact-validate-")
    try:
        warehouse.configure(con, Path(spill.name))
        warehouse.ensure_schema(con)
        before = _copy_from(con, Path(db), kind) if db is not None and Path(db).is_file() \
            else set()
        results = []
        for i, path in enumerate(paths):
            r = load_file(con, kind, Path(path), encoding=encoding, decimal=decimal,
                          currency=currency, today=today, transform=transform,
                          name=names[i] if names else None)
            load_id = con.execute("select max(load_id) from meta.loads").fetchone()[0]
            rows = con.execute("select line, reason, raw from meta.quarantine where load_id = ? "
                               "order by line", [load_id]).fetchall()
            r["valid"] = r["rows_in"] - r["quarantined"]
            r["loaded_before"] = r["sha256"] in before
            r["status"] = {"loaded": "clean" if not r["quarantined"] else "quarantined"}.get(
                r["status"], r["status"])
            r["mapping"] = transform.label if transform else None
            r["quarantine"] = [{"line": ln, "reason": reason, "raw": json.loads(raw)}
                               for ln, reason, raw in rows]
            results.append(r)
        return results
    finally:
        con.close()
        spill.cleanup()


def exit_code(results: list[dict]) -> int:
    if any(r["status"] == "rejected" for r in results):
        return EXIT_REJECTED
    return EXIT_QUARANTINE if any(r["quarantined"] for r in results) else EXIT_CLEAN


def cmd_validate(args) -> int:
    db = config.db_path(args.db)
    try:
        transform, _ = map_args(args, db)
    except UserError as exc:  # a wrong or unknown mapping: every file would be rejected
        print(f"error: {exc}", file=sys.stderr, flush=True)
        return EXIT_REJECTED
    results = check_paths(args.kind, [Path(f) for f in args.files], transform=transform,
                          encoding=args.encoding, decimal=args.decimal,
                          currency=args.currency, db=db)
    for r in results:
        if args.json:
            print(json.dumps(r, ensure_ascii=False), flush=True)
        elif r["status"] == "rejected":
            print(f"error: {r['file']}: {r['error']}", file=sys.stderr, flush=True)
        else:
            _print_human(r)
    return exit_code(results)


def _print_human(r: dict) -> None:
    head = (f"{r['kind']} {r['file']}: {r['rows_in']:,} rows — {r['valid']:,} would load "
            f"({r['inserted']:,} new, {r['updated']:,} updated, {r['unchanged']:,} "
            f"unchanged), {r['quarantined']:,} would be quarantined")
    if r["loaded_before"]:
        head += "; these exact bytes were loaded before (load would skip them)"
    if r["ignored_columns"]:
        head += f"; ignored columns: {', '.join(r['ignored_columns'])}"
    print(("ok " if not r["quarantined"] else "") + head, flush=True)
    for q in r["quarantine"][:SHOWN]:
        print(f"  line {q['line']}: {q['reason']}", flush=True)
    if len(r["quarantine"]) > SHOWN:
        print(f"  … and {len(r['quarantine']) - SHOWN:,} more (--json lists every one)",
              flush=True)

"""`twinimpact validate`: the loader's own checks, run without touching a warehouse.

The files go through etl/load.py's load_file — the same file checks, mapping, validation
pass, repeated-key and ECB-rate follow-ups — on a throwaway in-memory warehouse, so the counts
and reasons are the ones `load` gives (a file's rows are checked as on a first load; keys are
not compared with earlier loads, which never quarantine anything). The real warehouse is
opened read-only, and only to read a saved `--map NAME` and the reporting currency.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import duckdb

from etl import config, warehouse
from etl.load import load_file, map_args

EXIT_CLEAN, EXIT_QUARANTINE, EXIT_REJECTED = 0, 1, 2
SHOWN = 50  # reasons printed per file without --json


def _reporting(db: Path, currency: str | None) -> str | None:
    """--currency, else the warehouse's reporting currency when there is one."""
    if currency or not db.exists():
        return currency
    with warehouse.reader(db) as con:
        have = con.execute("select count(*) from duckdb_tables() where database_name = "
                           "current_database() and schema_name = 'meta' and table_name = "
                           "'settings'").fetchone()[0]
        row = con.execute("select value from meta.settings where key = 'reporting_currency'"
                          ).fetchone() if have else None
    return row[0] if row else None


def check_paths(kind: str, paths: list[Path], *, transform=None, encoding: str | None = None,
                decimal: str = ".", currency: str | None = None,
                today: dt.date | None = None, names: list[str] | None = None) -> list[dict]:
    """Each file's load result (CONTRACT §3 keys) plus `quarantine`: [{line, reason, raw}]."""
    con = duckdb.connect()  # in memory: nothing is written anywhere
    try:
        warehouse.configure(con)
        warehouse.ensure_schema(con)
        results = []
        for i, path in enumerate(paths):
            r = load_file(con, kind, Path(path), encoding=encoding, decimal=decimal,
                          currency=currency, today=today, transform=transform,
                          name=names[i] if names else None)
            load_id = con.execute("select max(load_id) from meta.loads").fetchone()[0]
            rows = con.execute("select line, reason, raw from meta.quarantine where load_id = ? "
                               "order by line", [load_id]).fetchall()
            r = {k: v for k, v in r.items() if k not in ("inserted", "updated", "unchanged")}
            r["valid"] = r["rows_in"] - r["quarantined"]
            r["status"] = {"loaded": "clean" if not r["quarantined"] else "quarantined"}.get(
                r["status"], r["status"])
            r["mapping"] = transform.label if transform else None
            r["quarantine"] = [{"line": ln, "reason": reason, "raw": json.loads(raw)}
                               for ln, reason, raw in rows]
            results.append(r)
        return results
    finally:
        con.close()


def exit_code(results: list[dict]) -> int:
    if any(r["status"] == "rejected" for r in results):
        return EXIT_REJECTED
    return EXIT_QUARANTINE if any(r["quarantined"] for r in results) else EXIT_CLEAN


def cmd_validate(args) -> int:
    db = config.db_path(args.db)
    transform, _ = map_args(args, db)
    results = check_paths(args.kind, [Path(f) for f in args.files], transform=transform,
                          encoding=args.encoding, decimal=args.decimal,
                          currency=_reporting(db, args.currency))
    for r in results:
        if args.json:
            print(json.dumps(r, ensure_ascii=False), flush=True)
        elif r["status"] == "rejected":
            print(f"error: {r['file']}: {r['error']}", file=sys.stderr, flush=True)
        else:
            _print_human(r)
    return exit_code(results)


def _print_human(r: dict) -> None:
    head = (f"{r['kind']} {r['file']}: {r['rows_in']:,} rows — {r['valid']:,} would load, "
            f"{r['quarantined']:,} would be quarantined")
    if r["ignored_columns"]:
        head += f"; ignored columns: {', '.join(r['ignored_columns'])}"
    print(("ok " if not r["quarantined"] else "") + head, flush=True)
    for q in r["quarantine"][:SHOWN]:
        print(f"  line {q['line']}: {q['reason']}", flush=True)
    if len(r["quarantine"]) > SHOWN:
        print(f"  … and {len(r['quarantine']) - SHOWN:,} more (--json lists every one)",
              flush=True)

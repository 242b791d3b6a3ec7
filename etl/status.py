"""`twinimpact status` and `twinimpact quarantine`: read-only views of the meta tables."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from etl import config, safe_csv
from etl.contracts import KIND_LIST
from etl.errors import UserError
from etl.warehouse import pending_attempts, reader

LOAD_COLUMNS = (
    "load_id", "kind", "file", "sha256", "status", "started_at", "finished_at", "rows_in",
    "inserted", "updated", "unchanged", "quarantined", "ignored_columns", "error", "simulated",
)
QUARANTINE_COLUMNS = ("load_id", "kind", "file", "line", "reason", "raw")
LISTING_ROWS = 20  # quarantine without --out shows this many rows


def _iso(value: object) -> object:
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC)
        return value.isoformat()
    return value


def _as_of(db: Path) -> str:
    """When the published warehouse was last written (now, if there is none)."""
    try:
        ts = datetime.fromtimestamp(db.stat().st_mtime, UTC)
    except FileNotFoundError:
        ts = datetime.now(UTC)
    return ts.isoformat(timespec="seconds")


def _check_warehouse(db: Path, con: duckdb.DuckDBPyConnection) -> None:
    """UserError unless `db` holds the tables every load and demo creates."""
    rows = con.execute(
        "select schema_name || '.' || table_name from duckdb_tables() "
        "where database_name = current_database()").fetchall()
    missing = {"meta.loads", "meta.quarantine", *(f"raw.{k.table}" for k in KIND_LIST)} - {
        r[0] for r in rows}
    if missing:
        raise UserError(f"{db} is a DuckDB file but not a Twin Impact warehouse (it has no "
                        f"{', '.join(sorted(missing))}); check --db points at a file written "
                        "by `twinimpact load` or `twinimpact demo`")


def collect(db: Path) -> dict:
    """The status document of CONTRACT §3 (zeros for a warehouse that does not exist yet)."""
    db = Path(db)
    status = {
        "tables": {k.name: 0 for k in KIND_LIST},
        "loads": [],
        "quarantined": 0,
        "as_of": _as_of(db),
        "coverage": {},
        "release": None,
    }
    if not db.exists():
        return status
    if db.is_dir():
        raise UserError(f"{db} is a directory, not a warehouse file; "
                        "pass the .duckdb file with --db")
    try:
        with reader(db) as con:
            _check_warehouse(db, con)
            for kind in KIND_LIST:
                status["tables"][kind.name] = con.execute(
                    f"select count(*) from raw.{kind.table}"  # noqa: S608 — our identifier
                ).fetchone()[0]
            cur = con.execute(
                f"select {', '.join(LOAD_COLUMNS)} from meta.loads "  # noqa: S608 — ours
                "order by load_id")
            status["loads"] = [
                {c: _iso(v) for c, v in zip(LOAD_COLUMNS, row, strict=True)}
                for row in cur.fetchall()
            ]
            # attempts that changed no data wait beside the warehouse for the next publishing
            # load (etl/load.py); they get the load_ids that load will give them
            # (one a killed writer left behind after moving it is listed once)
            after = max((ld["load_id"] for ld in status["loads"]), default=0)
            seen = {(ld["kind"], ld["file"], ld["started_at"]) for ld in status["loads"]}
            pending = [a for a in pending_attempts(db)
                       if (a["kind"], a["file"], a["started_at"]) not in seen]
            status["loads"] += [
                {c: (after + i if c == "load_id" else a.get(c)) for c in LOAD_COLUMNS}
                for i, a in enumerate(pending, start=1)]
            status["quarantined"] = con.execute(
                "select count(*) from meta.quarantine").fetchone()[0]
            # warehouses written before coverage was recorded have no meta.coverage yet
            if con.execute("select count(*) from duckdb_tables() where database_name = "
                           "current_database() and schema_name = 'meta' "
                           "and table_name = 'coverage'").fetchone()[0]:
                status["coverage"] = _coverage(con)
            status["release"] = _release(con)
    except duckdb.Error as exc:
        raise UserError(
            f"cannot read {db} as a Twin Impact warehouse ({_one_line(exc)}); check --db "
            "points at a .duckdb file written by `twinimpact load` or `twinimpact demo`"
        ) from exc
    return status


def _coverage(con: duckdb.DuckDBPyConnection) -> dict:
    """Per brand, the months each loaded bookings file holding it covers (CONTRACT §2)."""
    out: dict[str, list] = {}
    for brand, file, first, last in con.execute(
            "select brand_id, file, strftime(first_month, '%Y-%m'), strftime(last_month, '%Y-%m') "
            "from meta.coverage order by brand_id, first_month, file").fetchall():
        out.setdefault(brand, []).append({"file": file, "from": first, "to": last})
    return out


def _release(con: duckdb.DuckDBPyConnection) -> dict | None:
    """The public release and its audit (etl/release.py): cells, how many are protected
    (primary, secondary), the k it was suppressed for, and the narrowest range of a
    protected cell as a share of its value (at least 0.5 when the audit passed)."""
    found = {r[0] for r in con.execute(
        "select schema_name || '.' || table_name from duckdb_tables() "
        "where database_name = current_database() "
        "and schema_name || '.' || table_name in ('release.cells', 'meta.release_audit')"
    ).fetchall()}
    if found != {"release.cells", "meta.release_audit"}:
        return None  # built before the release existed: the next load builds it
    cells, primary, secondary = con.execute(
        "select count(*), count(*) filter (where status = 'primary'), "
        "count(*) filter (where status = 'secondary') from release.cells").fetchone()
    narrowest, below, cell = con.execute("""
        select min(least(value - lo, hi - value) / abs(value)),
            count(*) filter (where not ok),
            arg_min(cell_id, least(value - lo, hi - value) / abs(value))
        from meta.release_audit where value <> 0
    """).fetchone()
    k = con.execute("select value from meta.settings where key = 'release_k'").fetchone()
    return {"cells": cells, "protected": primary + secondary, "primary": primary,
            "secondary": secondary, "k": int(k[0]) if k else None,
            "narrowest_range": None if narrowest is None else round(narrowest, 4),
            "narrowest_cell": cell, "below_range": below}


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:200]


def _fmt_int(n: object) -> str:
    return f"{n:,}" if isinstance(n, int) else ("" if n is None else str(n))


def _table(headers: list[str], rows: list[list[str]], right: set[int]) -> list[str]:
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(headers)]

    def line(cells: list[str]) -> str:
        return "  ".join(c.rjust(w) if i in right else c.ljust(w)
                         for i, (c, w) in enumerate(zip(cells, widths, strict=True))).rstrip()

    return [line(headers), line(["-" * w for w in widths]), *(line(r) for r in rows)]


def render(db: Path, status: dict, max_loads: int = 20) -> str:
    """The status document as text tables for a terminal."""
    out = [f"Warehouse {db}", f"as of {status['as_of']}", ""]
    if not db.exists():
        out += ["No warehouse here yet. Load files with `twinimpact load KIND FILE...` "
                "or build the demo with `twinimpact demo`.", ""]
    out += _table(["kind", "rows"],
                  [[k, _fmt_int(n)] for k, n in status["tables"].items()], right={1})
    q = status["quarantined"]
    out += ["", f"Quarantined rows: {q:,}"
            + (" (list them with `twinimpact quarantine`)" if q else "")]
    coverage = status.get("coverage") or {}
    if coverage:
        out += ["", "Bookings coverage (months observed per brand):"]
        out += _table(["brand", "covered", "files"], [
            [brand, ", ".join(f"{c['from']}..{c['to']}" for c in spans),
             ", ".join(Path(c["file"]).name for c in spans)]
            for brand, spans in coverage.items()], right=set())
    rel = status.get("release")
    if rel:
        share = rel["protected"] / rel["cells"] if rel["cells"] else 0.0
        narrow = ("none protected" if rel["narrowest_range"] is None
                  else f"narrowest range ±{rel['narrowest_range']:.0%} ({rel['narrowest_cell']})")
        out += ["", f"Public release: {rel['cells']:,} cells, {rel['protected']:,} protected "
                f"({share:.1%}: {rel['primary']:,} primary, {rel['secondary']:,} secondary, "
                f"k = {rel['k']}); audit: {narrow}, "
                f"{rel['below_range']:,} below ±50%"]
    loads = status["loads"]
    out += ["", f"Load attempts: {len(loads):,}"]
    if loads:
        shown = loads[-max_loads:]
        if len(shown) < len(loads):
            out.append(f"(the latest {len(shown)}; `twinimpact status --json` lists all)")
        rows = []
        for ld in shown:
            finished = ld["finished_at"] or ""
            rows.append([
                str(ld["load_id"]), str(ld["kind"]), Path(str(ld["file"])).name,
                str(ld["status"]) + (" (sim)" if ld.get("simulated") else ""),
                *(_fmt_int(ld[c]) for c in ("rows_in", "inserted", "updated", "unchanged",
                                            "quarantined")),
                str(finished)[:19].replace("T", " "),
            ])
        out += _table(["id", "kind", "file", "status", "rows_in", "inserted", "updated",
                       "unchanged", "quarantined", "finished (UTC)"], rows,
                      right={0, 4, 5, 6, 7, 8})
        if any(ld.get("simulated") for ld in shown):
            out.append("(sim): simulated data from `twinimpact demo`, not real figures")
        errors = [ld for ld in shown if ld.get("error")]
        if errors:
            out += ["", "Rejected:"]
            out += [f"  #{ld['load_id']} {ld['file']}: {ld['error']}" for ld in errors]
    return "\n".join(out)


def cmd_status(args) -> int:
    """`twinimpact status [--json]`."""
    db = config.db_path(args.db)
    status = collect(db)
    if args.json:
        print(json.dumps(status, ensure_ascii=False))
    else:
        print(render(db, status))
    return 0


def quarantined_rows(db: Path, kind: str | None = None) -> pd.DataFrame:
    """Every quarantined row (optionally of one KIND), oldest load first."""
    db = Path(db)
    empty = pd.DataFrame({c: pd.Series(dtype="object") for c in QUARANTINE_COLUMNS})
    if not db.exists():
        return empty
    try:
        with reader(db) as con:
            _check_warehouse(db, con)
            df = con.execute(
                "select load_id, kind, file, line, reason, cast(raw as varchar) as raw "
                "from meta.quarantine where $kind is null or kind = $kind "  # the CLI's KIND
                "order by load_id, line, reason", {"kind": kind}).df()
    except duckdb.Error as exc:
        raise UserError(
            f"cannot read {db} as a Twin Impact warehouse ({_one_line(exc)}); check --db "
            "points at a .duckdb file written by `twinimpact load` or `twinimpact demo`"
        ) from exc
    return df


def _check_out(out: Path) -> None:
    if out.is_dir():
        raise UserError(f"--out {out} is a directory; give a file name such as "
                        f"{out / 'quarantine.csv'}")
    if not out.parent.is_dir():
        raise UserError(f"cannot write {out}: folder {out.parent} does not exist; "
                        "create it or choose another --out path")


def cmd_quarantine(args) -> int:
    """`twinimpact quarantine [--kind K] [--out FILE.csv]`."""
    db = config.db_path(args.db)
    out = Path(args.out).expanduser() if args.out else None
    if out is not None:
        _check_out(out)
    df = quarantined_rows(db, args.kind)
    what = f"{args.kind} " if args.kind else ""
    as_json = getattr(args, "json", False)
    if out is not None:
        try:
            safe_csv.write_csv(df, out)
        except OSError as exc:
            raise UserError(f"cannot write {out}: {exc.strerror or exc}; choose another "
                            "--out path or check its permissions") from exc
        if as_json:
            print(json.dumps({"out": str(out), "rows": len(df)}, ensure_ascii=False))
        else:
            print(f"wrote {len(df):,} quarantined {what}rows to {out}", file=sys.stderr)
        return 0
    if as_json:  # raw: the row's values as an object, not as a string holding JSON
        for r in df.itertuples(index=False):
            print(json.dumps({"load_id": int(r.load_id), "kind": r.kind, "file": r.file,
                              "line": int(r.line), "reason": r.reason,
                              "raw": json.loads(r.raw) if r.raw else None},
                             ensure_ascii=False))
        return 0
    if df.empty:
        where = "" if db.exists() else f" (no warehouse at {db} yet)"
        print(f"No quarantined {what}rows{where}.")
        return 0
    print(f"{len(df):,} quarantined {what}rows in {db}")
    shown = df.head(LISTING_ROWS)
    rows = [[str(r.load_id), str(r.kind), Path(str(r.file)).name, str(r.line),
             _clip(str(r.reason), 60), _clip(str(r.raw), 60)] for r in shown.itertuples()]
    print("\n".join(_table(["load", "kind", "file", "line", "reason", "raw"], rows,
                           right={0, 3})))
    if len(df) > LISTING_ROWS:
        print(f"… and {len(df) - LISTING_ROWS:,} more: export them all with "
              "`twinimpact quarantine --out quarantine.csv`")
    return 0


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"

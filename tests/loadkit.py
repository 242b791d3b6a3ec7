"""Helpers for the loader tests: write a kind's rows in any supported format, load, inspect."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import shutil
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from etl import warehouse
from etl.load import COUNTS, load_file

TODAY = dt.date(2026, 11, 27)  # fixed "day of the load" so date rules do not drift

# One valid row per kind (text, as a user's CSV would carry it).
GOOD = {
    "twins": {"twin_id": "T1", "model_id": "M1", "created_on": "2024-01-05",
              "platform": "acme", "status": "active"},
    "licenses": {"license_id": "L1", "twin_id": "T1", "brand_id": "B1",
                 "granted_on": "2024-03-08", "valid_from": "2024-03-08",
                 "valid_to": "2025-03-07", "channels": "ecommerce;social", "regions": "GB;SE",
                 "fee_model": "flat_monthly", "fee_amount": "1000", "currency": "EUR",
                 "revoked_on": ""},
    "twin-usage": {"usage_id": "U1", "used_on": "2024-03-08", "twin_id": "T1",
                   "brand_id": "B1", "license_id": "L1", "channel": "ecommerce",
                   "region": "GB", "assets": "10", "fee_paid": "100", "currency": "EUR",
                   "watermarked": "true", "disclosed": "no"},
    "bookings": {"booking_id": "K1", "brand_id": "B1", "shoot_date": "2024-03-08",
                 "channel": "ecommerce", "region": "GB", "days": "1.5", "assets": "40",
                 "status": "completed", "cancel_reason": ""},
    "booking-crew": {"booking_id": "K1", "person_id": "P1", "role": "photographer",
                     "days": "1.5", "day_rate": "800", "fee_total": "", "currency": "GBP"},
    "crew-employment": {"period": "2023", "area": "US", "role": "photographer",
                        "employed": "1000", "hours_worked": "", "median_earnings": "25.5",
                        "mean_earnings": "", "earnings_basis": "hour", "currency": "USD",
                        "source": "BLS"},
}
KEY = {"twins": ("twin_id",), "licenses": ("license_id",), "twin-usage": ("usage_id",),
       "bookings": ("booking_id",), "booking-crew": ("booking_id", "person_id", "role"),
       "crew-employment": ("period", "area", "role", "source")}
TABLE = {"twins": "twins", "licenses": "licenses", "twin-usage": "twin_usage",
         "bookings": "bookings", "booking-crew": "booking_crew",
         "crew-employment": "crew_employment"}
FORMATS = ("csv", "tsv", "csv.gz", "parquet", "jsonl", "xlsx")


def row(kind: str, **changes) -> dict:
    return {**GOOD[kind], **changes}


def write(path: Path, rows: list[dict], header: list[str] | None = None,
          delimiter: str | None = None, native: bool = False) -> Path:
    """Write rows in the format named by `path`'s extension. Empty strings mean empty cells."""
    header = header or list(rows[0])
    name = path.name
    if name.endswith((".csv", ".tsv", ".csv.gz")):
        delim = delimiter or ("\t" if name.endswith(".tsv") else ",")
        lines = [delim.join(header)] + [delim.join(str(r.get(h, "")) for h in header)
                                        for r in rows]
        data = ("\n".join(lines) + "\n").encode()
        path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    elif name.endswith(".parquet"):
        cols = {h: [_native(h, r.get(h)) if native else (r.get(h) or None) for r in rows]
                for h in header}
        pq.write_table(pa.table(cols), path)
    elif name.endswith(".jsonl"):
        path.write_text("".join(json.dumps(default=str, obj={h: (_native(h, r.get(h)) if native else
                                                (r.get(h) or None)) for h in header}) + "\n"
                                for r in rows))
    elif name.endswith(".xlsx"):
        import openpyxl
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.append(header)
        for r in rows:
            ws.append([_native(h, r.get(h)) if native else (r.get(h) or None) for h in header])
        wb.save(path)
    else:
        path.write_text(json.dumps(rows))
    return path


TYPED = {"created_on", "granted_on", "valid_from", "valid_to", "revoked_on", "used_on",
         "shoot_date", "fee_amount", "assets", "fee_paid", "watermarked", "disclosed", "days",
         "day_rate", "fee_total", "employed", "hours_worked", "median_earnings",
         "mean_earnings"}


def _native(name: str, v):
    """A text cell as the native value a typed export would hold."""
    if v in (None, ""):
        return None
    if name not in TYPED:
        return v
    if v.lower() in ("true", "false", "yes", "no"):
        return v.lower() in ("true", "yes")
    try:
        return dt.date.fromisoformat(v) if len(v) == 10 and v[4] == "-" else int(v)
    except ValueError:
        try:
            return float(v)
        except ValueError:
            return v


_TEMPLATE: dict[str, Path] = {}


def fresh_db(tmp_path: Path) -> Path:
    """A new warehouse with the schema and ECB rates, copied from one built per process."""
    if "db" not in _TEMPLATE:
        import tempfile
        tdir = Path(tempfile.mkdtemp(prefix="loadkit-"))
        db = tdir / "template.duckdb"
        with warehouse.writer(db) as con:
            warehouse.ensure_schema(con)
        _TEMPLATE["db"] = db
    target = tmp_path / "warehouse.duckdb"
    shutil.copyfile(_TEMPLATE["db"], target)
    return target


def open_con(db: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(db))
    warehouse.configure(con)
    return con


def load(con, kind: str, path: Path, **kw) -> dict:
    """load_file with the fixed TODAY; asserts the counting invariant on every result."""
    r = load_file(con, kind, path, today=kw.pop("today", TODAY), **kw)
    assert r["rows_in"] == sum(r[c] for c in COUNTS[1:]), r
    return r


def quarantine(con, file: Path) -> list[tuple]:
    return con.execute("select line, reason from meta.quarantine where file = ? order by line",
                       [str(file)]).fetchall()

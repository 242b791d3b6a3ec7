"""marts.rebuild keeps a table whose inputs did not change, and the result is exactly what a
rebuild of every table gives.

The demo's files are loaded one kind at a time into a fresh warehouse, as a user with several
exports would, then a bookings file is loaded again with changed rows, then the reporting
currency's rates are touched. After each step every staging and mart table must equal (row
for row) the same warehouse rebuilt from scratch (`force=True`), and the tables the step could
not change must have been kept.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pytest
from loadkit import TODAY

from etl import marts, warehouse
from etl.load import load_file

CREW_TABLES = ("staging.stg_booking_crew", "staging.int_crew_people",
               "staging.int_crew_people_industry", "staging.int_crew_numbers",
               "staging.int_crew_monthly", "staging.int_crew_channel_monthly",
               "staging.int_crew_role_rates",
               "staging.int_scope_crew_people_yearly", "staging.int_model_shoot_monthly",
               "staging.int_bookings_monthly")
USAGE_TABLES = ("staging.int_usage_cube", "staging.int_twin_people",
                "staging.int_usage_rights")


def _tables(con) -> list[str]:
    return [r[0] for r in con.execute("""
        select schema_name || '.' || table_name from duckdb_tables()
        where database_name = current_database() and schema_name in ('staging', 'marts')
        order by 1""").fetchall()]


def _rows(con, table: str) -> pa.Table:
    """Every row, sorted (a table's identifier comes from our own warehouse's catalog)."""
    return con.sql(f"select * from {table} order by all").to_arrow_table()  # noqa: S608


def _same(a: pa.ChunkedArray, b: pa.ChunkedArray) -> np.ndarray:
    """Row by row: equal, doubles within 1e-3 (math.isclose(rel_tol=1e-9, abs_tol=1e-3)):
    DuckDB's parallel sums may differ in the last bits, and a figure rounded in SQL
    (4 decimals) can then land on either side of a rounding step. Nulls equal only nulls."""
    nulls = (a.is_null().to_numpy(zero_copy_only=False),
             b.is_null().to_numpy(zero_copy_only=False))
    if pa.types.is_floating(a.type) and pa.types.is_floating(b.type):
        x = a.to_numpy(zero_copy_only=False).astype(float)
        y = b.to_numpy(zero_copy_only=False).astype(float)
        with np.errstate(invalid="ignore"):  # infinities: close only when equal
            close = (x == y) | (np.isfinite(x) & np.isfinite(y) & (np.abs(x - y) <= np.maximum(
                1e-9 * np.maximum(np.abs(x), np.abs(y)), 1e-3)))
    elif a.type == b.type and a.equals(b):
        close = np.ones(len(a), dtype=bool)
    else:
        close = np.array([x == y for x, y in zip(a.to_pylist(), b.to_pylist(), strict=True)])
    return np.where(nulls[0] | nulls[1], nulls[0] & nulls[1], close)


def _same_as_forced(db: Path, tmp: Path) -> None:
    copy = tmp / "forced.duckdb"
    shutil.copyfile(db, copy)
    con = duckdb.connect(str(copy))
    marts.rebuild(con, force=True)
    forced = {t: _rows(con, t) for t in _tables(con)}
    con.close()
    con = duckdb.connect(str(db), read_only=True)
    kept = {t: _rows(con, t) for t in _tables(con)}
    con.close()
    assert kept.keys() == forced.keys()
    for table in forced:
        a, b = kept[table], forced[table]
        assert (a.num_rows, a.column_names) == (b.num_rows, b.column_names), table
        same = np.ones(a.num_rows, dtype=bool)
        for x, y in zip(a.columns, b.columns, strict=True):
            same &= _same(x, y)
        bad = [(a.slice(i, 1).to_pylist(), b.slice(i, 1).to_pylist())
               for i in np.flatnonzero(~same)[:3]]
        assert not bad, (table, bad)


@pytest.fixture(scope="module")
def files(demo_db) -> dict[str, list[Path]]:
    folder = demo_db.parent / "files"
    by_kind: dict[str, list[Path]] = {}
    for path in sorted(folder.glob("*.csv")):
        kind = "bookings" if path.name.startswith("bookings") else path.stem
        by_kind.setdefault(kind, []).append(path)
    return by_kind


def _load(db: Path, kind: str, paths: list[Path]) -> dict[str, float]:
    with warehouse.writer(db) as con:
        warehouse.ensure_schema(con)
        for path in paths:
            assert load_file(con, kind, path, today=TODAY)["status"] == "loaded", path
        return marts.rebuild(con)


def test_each_load_rebuilds_what_it_feeds_and_equals_a_full_rebuild(files, tmp_path):
    db = tmp_path / "w.duckdb"
    for kind in ("bookings", "booking-crew", "twins", "licenses", "crew-employment"):
        _load(db, kind, files[kind])
        _same_as_forced(db, tmp_path)

    timings = _load(db, "twin-usage", files["twin-usage"])
    # the usage feeds these; the crew tables are made from bookings and crew alone
    assert all(timings[t] > 0 for t in USAGE_TABLES)
    assert all(timings[t] == 0.0 for t in CREW_TABLES), {t: timings[t] for t in CREW_TABLES}
    assert timings["marts.displacement_monthly"] > 0
    _same_as_forced(db, tmp_path)

    # nothing changed: every table kept (views are always recreated: they cost nothing), the
    # estimator still runs
    with warehouse.writer(db) as con:
        timings = marts.rebuild(con)
    tables = {m.qualified for m in marts.load_models() if m.table}
    assert {t for t, s in timings.items() if s > 0} & tables == set()
    assert timings["marts.displacement_estimates"] > 0

    # a bookings file again, with two bookings changed and one cancelled: the booking and
    # crew tables are rebuilt, the usage cube (usage and licences only) is kept
    source = files["bookings"][0]
    with open(source, newline="") as fh:
        rows = list(csv.DictReader(fh))
    rows[0]["days"] = str(float(rows[0]["days"]) + 1)
    rows[1]["assets"] = str(int(rows[1]["assets"]) + 7)
    rows[2]["status"], rows[2]["cancel_reason"] = "cancelled", "replaced_by_twin"
    changed = tmp_path / "bookings-again.csv"
    with open(changed, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows[:3])
    timings = _load(db, "bookings", [changed])
    assert timings["staging.int_crew_people"] > 0 and timings["marts.brands"] > 0
    assert timings["staging.int_usage_cube"] == 0.0
    _same_as_forced(db, tmp_path)

    # the exchange rates change (a newer release ships other fixings): the crew money,
    # converted in the marts, is rebuilt; usage fees were converted at load and stay
    with warehouse.writer(db) as con:
        con.execute("update ref.fx_rates set per_eur = per_eur * 1.01 "
                    "where currency <> 'EUR'")
        timings = marts.rebuild(con)
    assert timings["staging.stg_booking_crew"] > 0 and timings["marts.crew_impact_monthly"] > 0
    assert timings["staging.int_usage_cube"] == 0.0
    _same_as_forced(db, tmp_path)

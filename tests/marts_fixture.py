"""A small hand-computed industry for the mart tests, loaded through the real loader."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb

from etl import marts, warehouse

# Brand A adopts twins in 2023-03 (first use U1); brand C never does (the control group).
# All bookings, crew and usage lie in 2023-01..2023-04; the expected values in the tests
# are worked out by hand from these rows.
BOOKINGS = [
    # booking_id, brand_id, shoot_date, channel, region, days, assets, status, cancel_reason
    ("b1", "A", "2023-01-10", "ecommerce", "GB", "2", "40", "completed", ""),
    ("b2", "A", "2023-02-10", "ecommerce", "GB", "4", "60", "completed", ""),
    ("b3", "A", "2023-03-10", "ecommerce", "GB", "1", "20", "completed", ""),
    ("b4", "A", "2023-03-20", "ecommerce", "GB", "2", "30", "cancelled", "replaced_by_twin"),
    ("b5", "A", "2023-04-05", "ecommerce", "GB", "1.5", "25", "confirmed", ""),
    ("b6", "A", "2023-04-06", "ecommerce", "GB", "1", "10", "cancelled", "budget"),
    ("c1", "C", "2023-01-15", "ecommerce", "SE", "3", "30", "completed", ""),
    ("c2", "C", "2023-02-15", "ecommerce", "SE", "5", "50", "completed", ""),
    ("c3", "C", "2023-03-15", "ecommerce", "SE", "6", "60", "completed", ""),
    ("c4", "C", "2023-04-15", "ecommerce", "SE", "2", "20", "completed", ""),  # a Saturday
]
CREW = [
    # booking_id, person_id, role, days, day_rate, fee_total, currency
    ("b1", "P1", "photographer", "2", "400", "", "EUR"),
    ("b1", "M1", "model", "2", "500", "", "EUR"),
    ("b2", "P1", "photographer", "4", "400", "", "EUR"),
    # GBP on 2023-02-10: 0.88348 per EUR → 441.74 GBP = 500 EUR; 1766.96 GBP = 2000 EUR
    ("b2", "M1", "model", "4", "441.74", "", "GBP"),
    ("b2", "H1", "hair", "2", "300", "", "EUR"),
    ("b3", "P2", "photographer", "1", "500", "", "EUR"),
    ("b3", "M2", "model", "1", "800", "", "EUR"),
    ("b4", "P1", "photographer", "2", "400", "", "EUR"),  # cancelled booking: left out
    ("b5", "P1", "photographer", "1.5", "400", "", "EUR"),
    ("b5", "M1", "model", "1.5", "500", "700", "EUR"),  # fee_total given: it wins
    ("c1", "M3", "model", "3", "300", "", "EUR"),
    # Saturday 2023-04-15 → Friday's fixing, USD 1.1057 per EUR: 1105.70 USD = 1000 EUR
    ("c4", "P3", "photographer", "2", "1105.70", "", "USD"),
    ("bX", "P9", "photographer", "1", "100", "", "GBP"),  # unknown booking
]
TWINS = [
    # twin_id, model_id, created_on
    ("T1", "M1", "2023-02-20"),
    ("T2", "M2", "2023-04-11"),
]
LICENSES = [
    # license_id, twin_id, brand_id, granted_on, valid_from, valid_to, channels, regions,
    # fee_model, fee_amount, currency, revoked_on
    ("L1", "T1", "A", "2023-02-01", "2023-02-01", "2023-03-31", "ecommerce", "*",
     "per_asset", "2", "EUR", ""),
    ("L2", "T1", "A", "2023-03-25", "2023-04-01", "", "*", "GB",
     "flat_monthly", "100", "EUR", "2023-04-20"),
    ("L3", "T2", "C", "2023-04-01", "2023-04-01", "", "*", "*",
     "per_asset", "1", "EUR", ""),
]
USAGE = [
    # usage_id, used_on, twin_id, brand_id, license_id, channel, region, assets, fee_paid,
    # currency, watermarked, disclosed          → consent status
    ("U1", "2023-03-05", "T1", "A", "L1", "ecommerce", "GB", "30", "60", "EUR", "true", "true"),
    # licensed: L1's valid_to is inclusive; no license_id → any licence of T1 to A
    ("U2", "2023-03-31", "T1", "A", "", "ecommerce", "GB", "10", "20", "EUR", "false", "true"),
    # not_yet_valid: L2 starts 2023-04-01
    ("U11", "2023-03-31", "T1", "A", "L2", "campaign", "GB", "3", "3", "EUR", "true", "false"),
    # expired: L1 ended the day before
    ("U3", "2023-04-01", "T1", "A", "L1", "ecommerce", "GB", "5", "10", "EUR", "false", "false"),
    # licensed by L2 (L1 is expired and ecommerce-only)
    ("U4", "2023-04-02", "T1", "A", "", "campaign", "GB", "8", "16", "EUR", "true", "true"),
    # out_of_scope: L2 covers GB only
    ("U6", "2023-04-10", "T1", "A", "L2", "ecommerce", "SE", "6", "6", "EUR", "true", "true"),
    # no_licence: L3 is for T2 but brand C
    ("U7", "2023-04-11", "T2", "A", "L3", "ecommerce", "GB", "7", "14", "EUR", "false", "false"),
    # unknown_licence: L9 was never loaded
    ("U8", "2023-04-12", "T1", "A", "L9", "ecommerce", "GB", "2", "2", "EUR", "true", "true"),
    # no_licence and an unknown twin
    ("U10", "2023-04-15", "TX", "A", "", "ecommerce", "GB", "1", "1", "EUR", "false", "false"),
    # licensed: the day before L2's revocation
    ("U12", "2023-04-19", "T1", "A", "", "ecommerce", "GB", "9", "9", "EUR", "false", "true"),
    # revoked: revoked_on is the first day not covered
    ("U5", "2023-04-20", "T1", "A", "L2", "ecommerce", "GB", "4", "8", "EUR", "true", "true"),
]

HEADERS = {
    "bookings": "booking_id,brand_id,shoot_date,channel,region,days,assets,status,cancel_reason",
    "booking-crew": "booking_id,person_id,role,days,day_rate,fee_total,currency",
    "twins": "twin_id,model_id,created_on",
    "licenses": "license_id,twin_id,brand_id,granted_on,valid_from,valid_to,channels,regions,"
                "fee_model,fee_amount,currency,revoked_on",
    "twin-usage": "usage_id,used_on,twin_id,brand_id,license_id,channel,region,assets,fee_paid,"
                  "currency,watermarked,disclosed",
}


def write_csv(path: Path, header: str, rows: list[tuple]) -> Path:
    """Write rows under a header line; returns the path."""
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header.split(","))
        w.writerows(rows)
    return path


def build(db: Path, tables: dict[str, list[tuple]]) -> None:
    """Write each kind's rows to a CSV beside `db` and load them through the real loader."""
    from etl.load import load_paths

    for kind, rows in tables.items():
        path = write_csv(db.parent / f"{kind}.csv", HEADERS[kind], rows)
        results = load_paths(db, kind, [path])
        assert all(r["status"] == "loaded" and r["quarantined"] == 0 for r in results), results


def fixture_tables() -> dict[str, list[tuple]]:
    return {"bookings": BOOKINGS, "booking-crew": CREW, "twins": TWINS,
            "licenses": LICENSES, "twin-usage": USAGE}


def rebuild(db: Path) -> None:
    """Rebuild the marts in place (the loader does it too; this makes tests independent)."""
    with warehouse.writer(db) as con:
        warehouse.ensure_schema(con)
        marts.rebuild(con)


def rows(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


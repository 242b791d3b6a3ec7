"""Where the figures come from: loads, the quarantine, reference checks, settings, the filters'
known values and the shipped industry events."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from dashboard.filters import Known
from dashboard.queries.base import Source, run, sql
from etl import config
from etl.warehouse import reader


def known_values(db: Source) -> Known:
    """Months, brands and regions present in the marts (URL values are checked against these;
    marts.filter_values)."""
    rows = run(db, sql("filter_values"))
    values = {name: tuple(group["value"]) for name, group in rows.groupby("filter", sort=False)}
    return Known(months=values.get("month", ()), brands=values.get("brand", ()),
                 regions=values.get("region", ()))


def warehouse_ready(db: Path) -> bool:
    """True when the warehouse exists and publishes the marts the pages read."""
    if not Path(db).exists():
        return False
    try:
        with reader(db) as con:
            n = con.execute(
                "select count(*) from duckdb_tables() where schema_name = 'marts' "
                "and database_name = current_database() and table_name in ("
                "'displacement_monthly', 'crew_impact_monthly', 'model_income_monthly', "
                "'income_distribution_yearly', 'consent_monthly', 'employment')").fetchone()[0]
        return n == 6
    except Exception:  # noqa: BLE001 — a half-written or foreign file is "not ready"
        return False


def provenance(db: Source) -> pd.DataFrame:
    """One row: as_of (last successful load), simulated (any simulated load), loads, files."""
    return run(db, sql("provenance"))


def events() -> pd.DataFrame:
    """Dated industry events shipped with the project: date, event, kind, source_url."""
    path = config.INDUSTRY_EVENTS_CSV
    if not path.exists():
        return pd.DataFrame(columns=["date", "event", "kind", "source_url", "confidence"])
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    df = pd.DataFrame(rows, columns=["date", "event", "kind", "source_url", "confidence"])
    df["date"] = pd.to_datetime(df["date"])
    return df



def reporting_currency(db: Source) -> str:
    """The warehouse's reporting currency (ISO 4217), set by its first load; EUR if unset."""
    df = run(db, "select value from meta.settings where key = 'reporting_currency'")
    return str(df["value"].iloc[0]) if not df.empty else "EUR"



def loads(db: Source) -> pd.DataFrame:
    """load_id, kind, file, status, finished_at, rows_in, inserted, updated, unchanged,
    quarantined, simulated, error — every load attempt, newest first."""
    return run(db, sql("loads"))


def data_quality(db: Source) -> pd.DataFrame:
    """check_name, kind, rows, assets, description: references that do not join (no ids)."""
    return run(db, sql("data_quality"))


def quarantine_summary(db: Source) -> pd.DataFrame:
    """kind, file (its base name), column_name, rule, reason, rows: quarantined rows counted
    by why. `column_name` and `rule` never hold a value or key; `reason` quotes the value and
    is for the local single-user mode only (disclosure drops it for everyone else)."""
    return run(db, sql("quarantine_summary"))


def quarantine_of(db: Source, files: tuple[str, ...]) -> pd.DataFrame:
    """kind, file, line, reason, raw: the quarantined rows of the named files (one upload),
    from each file name's latest load (an earlier upload of the same name is not shown)."""
    return run(db, sql("quarantine_of"), {"files": list(files)})


def saved_mappings(db: Source, kind: str) -> pd.DataFrame:
    """name, text, saved_at: the column mappings saved for a kind (`load --save-map`),
    newest first; none in a warehouse that predates them."""
    if not _has_table(db, "meta", "mappings"):
        return pd.DataFrame(columns=["name", "text", "saved_at"])
    return run(db, sql("saved_mappings"), {"kind": kind})


def _has_table(db: Source, schema: str, table: str) -> bool:
    return bool(run(db, """
        select count(*) as n from duckdb_tables()
        where database_name = current_database() and schema_name = $schema
          and table_name = $table
    """, {"schema": schema, "table": table})["n"].iloc[0])


def quarantine_rows(db: Source) -> pd.DataFrame:
    """kind, file, line, reason, raw: every quarantined row with its values (person-level)."""
    return run(db, sql("quarantine_rows"))

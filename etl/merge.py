# ruff: noqa: S608 — table/column identifiers come from etl/contracts.py and the catalog.
"""Merge a landing table's good rows into their raw table: keys enforced here, not by indexes.

A key already stored with the same contract values is `unchanged` (the stored row and its
provenance stay); with different values it is `updated` (replaced: the later load wins); a
new key is `inserted`. The landing table has the raw table's columns plus _reason and _raw
(etl/validate.py); its rows with a _reason are quarantined by the caller, never merged.

When the raw table is empty (a first load), the landing table was built in the raw schema and
simply takes the raw table's place (`adopt`): the rows are written to disk once, not twice.
"""

from __future__ import annotations

import duckdb

from etl.contracts import Kind


def raw_columns(con: duckdb.DuckDBPyConnection, kind: Kind) -> list[tuple[str, str, bool]]:
    """(name, type, not null) of raw.<table>'s columns, in order, from the catalog."""
    return [(n, t, not nullable) for n, t, nullable in con.execute(
        "select column_name, data_type, is_nullable from duckdb_columns() "
        "where database_name = current_database() and schema_name = 'raw' and table_name = ? "
        "order by column_index", [kind.table]).fetchall()]


def create_landing(con: duckdb.DuckDBPyConnection, name: str, temp: bool,
                   columns: list[tuple[str, str, bool]], plain: tuple[str, ...] = ()) -> None:
    """An empty table shaped like raw.<table> (same types and NOT NULLs) plus _reason, _raw and
    _rule (the reason without values). `plain` columns are stored uncompressed (see
    contracts.Kind.plain): a landing table that becomes the raw table stores them as
    etl/sql/raw/tables.sql does."""
    cols = ", ".join(f"{n} {t}{' using compression uncompressed' if n in plain else ''}"
                     f"{' not null' if nn else ''}" for n, t, nn in columns)
    con.execute(f"drop table if exists {name}")
    con.execute(f"create {'temp ' if temp else ''}table {name} ({cols}, "
                "_reason varchar, _raw varchar, _rule varchar)")


def is_empty(con: duckdb.DuckDBPyConnection, kind: Kind) -> bool:
    return not con.execute(f"select exists (select 1 from raw.{kind.table})").fetchone()[0]


def adopt(con: duckdb.DuckDBPyConnection, kind: Kind, land: str, good: int) -> dict:
    """Make the landing table (raw schema) the raw table; its bad rows are already gone.

    Runs inside the caller's transaction, so a failure leaves the empty raw table in place.
    """
    con.execute(f"alter table {land} drop column _reason")
    con.execute(f"alter table {land} drop column _raw")
    con.execute(f"alter table {land} drop column _rule")
    con.execute(f"drop table raw.{kind.table}")
    con.execute(f"alter table {land} rename to {kind.table}")
    return {"inserted": good, "updated": 0, "unchanged": 0}


def merge(con: duckdb.DuckDBPyConnection, kind: Kind, land: str, contract: list[str],
          columns: list[str], good: int) -> dict:
    """Apply the landing table's good rows to a non-empty raw.<table> (an empty one adopts
    the landing table instead); return the merge counts."""
    table = f"raw.{kind.table}"
    cols = ", ".join(columns)
    insert = (f"insert into {table} ({cols}) select {', '.join(f'l.{c}' for c in columns)} "
              f"from {land} l where l._reason is null")
    counts = {"inserted": 0, "updated": 0, "unchanged": 0}
    if good == 0:
        return counts

    keys = kind.key
    on = " and ".join(f"t.{k} = l.{k}" for k in keys)
    same = " and ".join(f"t.{c} is not distinct from l.{c}" for c in contract)
    con.execute(f"""
        create or replace temp table _match as
        select {', '.join(f'l.{k}' for k in keys)}, ({same}) as same
        from {land} l join {table} t on {on}
        where l._reason is null
    """)
    n_same, changed = con.execute(
        "select count(*) filter (where same), count(*) filter (where not same) from _match"
    ).fetchone()
    m_on = " and ".join(f"t.{k} = m.{k}" for k in keys)
    if changed:
        con.execute(f"delete from {table} t using _match m where {m_on} and not m.same")
    ml_on = " and ".join(f"m.{k} = l.{k}" for k in keys)
    con.execute(insert + f" and not exists (select 1 from _match m where {ml_on} and m.same)")
    con.execute("drop table _match")
    counts.update(inserted=good - n_same - changed, updated=changed, unchanged=n_same)
    return counts

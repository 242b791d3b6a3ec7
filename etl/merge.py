# ruff: noqa: S608 — table/key identifiers come from etl/contracts.py; values are bound.
"""Merge validated rows (temp._valid) into their raw table: keys enforced here, not by indexes.

A key already stored with the same _hash is `unchanged` (the stored row and its provenance
stay); with a different _hash it is `updated` (replaced: the later load wins); a new key is
`inserted`. When the table is empty (a first load) the comparison is skipped entirely.
"""

from __future__ import annotations

import duckdb

from etl.contracts import Kind


def merge(con: duckdb.DuckDBPyConnection, kind: Kind, stored: list[str], load_id: int,
          line: str = "_line", fx: tuple | None = None, fx_params_in: dict | None = None
          ) -> dict:
    """Apply temp._valid's good rows to raw.<table>; return the row counts.

    `line` is the SQL for a _valid row's line (`_line`, or `rowid + 2` for CSV).
    """
    table = f"raw.{kind.table}"
    cols = ", ".join(stored)
    rows_in, good = con.execute(
        "select count(*), count(*) filter (where _reason is null) from _valid").fetchone()
    counts = {"rows_in": rows_in, "quarantined": rows_in - good,
              "inserted": 0, "updated": 0, "unchanged": 0}
    vcols = ", ".join(f"v.{c}" for c in stored)
    joins, fx_cols, fx_params = "", "", {}
    if fx is not None:  # converted money comes from the ECB rates joined here
        joins, pairs, _ = fx
        cols += "".join(f", {c}" for c, _ in pairs)
        fx_cols = "".join(f", {e}" for _, e in pairs)
        fx_params = fx_params_in or {}
    insert = (f"insert into {table} ({cols}, _load_id, _line, _hash) "  # noqa: S608
              f"select {vcols}{fx_cols}, $load_id, v.{line}, v._hash from _valid v {joins} "
              "where v._reason is null")
    if good == 0:
        return counts
    if not con.execute(f"select exists (select 1 from {table})").fetchone()[0]:  # noqa: S608
        con.execute(insert, {"load_id": load_id, **fx_params})
        counts["inserted"] = good
        return counts

    on = " and ".join(f"t.{k} = v.{k}" for k in _key_cols(kind))
    con.execute(f"""
        create or replace temp table _match as
        select {', '.join(f'v.{k}' for k in _key_cols(kind))}, t._hash = v._hash as same
        from _valid v join {table} t on {on}
        where v._reason is null
    """)  # noqa: S608
    same, changed = con.execute(
        "select count(*) filter (where same), count(*) filter (where not same) from _match"
    ).fetchone()
    m_on = " and ".join(f"t.{k} = m.{k}" for k in _key_cols(kind))
    if changed:
        con.execute(f"delete from {table} t using _match m "  # noqa: S608
                    f"where {m_on} and not m.same")
    mv_on = " and ".join(f"m.{k} = v.{k}" for k in _key_cols(kind))
    con.execute(insert + f" and not exists (select 1 from _match m where {mv_on} and m.same)",
                {"load_id": load_id, **fx_params})
    con.execute("drop table _match")
    counts.update(inserted=good - same - changed, updated=changed, unchanged=same)
    return counts


def _key_cols(kind: Kind) -> tuple[str, ...]:
    return kind.key

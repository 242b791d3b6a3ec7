"""The public release's tables beside its cells (etl/sql/release/statistics.sql): the
statistics of the models' income distribution, the surveys, the event study, and what the
release was built from (provenance, loads, filter values). Rebuilt at every publish that
rebuilds the marts, inside the same writer's transaction, even when the cells are kept:
they read marts the cells do not (the surveys, the loads)."""

from __future__ import annotations

import re

import duckdb

from etl import config
from etl.estimate import MIN_CONTROLS

SQL = config.SQL_DIR / "release" / "statistics.sql"


def statements() -> list[str]:
    """statistics.sql's statements, comments taken out."""
    text = "\n".join(line.split("--", 1)[0] for line in SQL.read_text().splitlines())
    return [s.strip() for s in text.split(";") if s.strip()]


def rebuild(con: duckdb.DuckDBPyConnection, k: int) -> None:
    con.execute("create schema if not exists release")
    for sql in statements():
        values = {"k": k, "min_controls": MIN_CONTROLS}
        con.execute(sql, {n: v for n, v in values.items() if re.search(rf"\${n}\b", sql)}
                    or None)

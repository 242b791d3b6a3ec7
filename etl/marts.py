"""Rebuild staging views and marts from the .sql files (placeholder until the analysis lands)."""

from __future__ import annotations

import duckdb


def rebuild(con: duckdb.DuckDBPyConnection) -> None:
    """Recreate every staging view and mart inside the writer's transaction."""

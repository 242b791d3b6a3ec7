"""etl.marts: dependency order, views vs tables, grain comments, stale relations dropped."""

from __future__ import annotations

import duckdb
import pytest

from etl import marts, warehouse


def test_models_come_after_what_they_read():
    models = marts.load_models()
    seen: set[str] = set()
    for m in models:
        assert m.depends - {x.qualified for x in models} == set(), m.qualified
        assert m.depends <= seen, (m.qualified, m.depends - seen)
        seen.add(m.qualified)
    kinds = {m.qualified: m.table for m in models}
    assert kinds["staging.stg_bookings"] is False          # plain staging: a view
    assert kinds["staging.int_usage_monthly"] is True      # `-- materialized: table`
    # the images checked, joined with every twin use once a load (not on every page read)
    assert kinds["staging.stg_image_checks"] is True
    assert all(kinds[f"marts.{n}"] for n in ("displacement_monthly", "consent_monthly"))
    assert all(m.grain.startswith("one row per ") for m in models)


def test_cycle_is_reported(tmp_path):
    for schema in ("staging", "marts"):
        (tmp_path / schema).mkdir()
    (tmp_path / "marts" / "a.sql").write_text("-- grain: x\nselect * from marts.b")
    (tmp_path / "marts" / "b.sql").write_text("-- grain: x\nselect * from marts.a")
    with pytest.raises(ValueError, match="cycle: marts.a -> marts.b -> marts.a"):
        marts.load_models(tmp_path)


def test_rebuild_twice_and_drop_stale_relations(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    warehouse.ensure_schema(con)
    con.execute("create table marts.old_mart as select 1 as x")
    con.execute("create view staging.old_view as select 1 as x")
    con.execute("create table staging.stg_bookings as select 1 as x")  # kind changed
    marts.rebuild(con)
    timings = marts.rebuild(con)
    # the SQL models, plus the estimator's step (it writes both estimate marts) and the
    # public release's (etl/release.py)
    assert set(timings) == {m.qualified for m in marts.load_models()} | {
        "marts.displacement_estimates", "release.cells"}
    got = dict(con.execute("""
        select table_schema || '.' || table_name, table_type from information_schema.tables
        where table_schema in ('staging', 'marts')""").fetchall())
    assert "marts.old_mart" not in got and "staging.old_view" not in got
    assert got["staging.stg_bookings"] == "VIEW"
    assert got["marts.displacement_monthly"] == "BASE TABLE"
    assert got["marts.displacement_estimates"] == got["marts.displacement_event_study"] == (
        "BASE TABLE")
    assert con.execute("select comment from duckdb_views() where view_name = 'stg_bookings'"
                       ).fetchone() == ("grain: one row per booking_id",)
    con.close()

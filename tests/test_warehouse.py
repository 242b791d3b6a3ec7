"""warehouse.reader: one hub instance, one attachment per published version of a file."""

from __future__ import annotations

from pathlib import Path

from etl import warehouse


def _publish(db: Path, value: int) -> None:
    with warehouse.writer(db) as con:
        con.execute("create or replace table t as select ? as v", [value])


def _attached(*paths: Path) -> list[str]:
    """The hub's attachments of these files (other tests in this process may hold others)."""
    with warehouse._hub_lock:
        rows = warehouse._hub.execute(
            "select path from duckdb_databases() where path in (select unnest(?))",
            [[str(p) for p in paths]]).fetchall()
    return sorted(r[0] for r in rows)


def test_readers_see_each_publish_and_old_versions_are_detached(tmp_path):
    a, b = tmp_path / "a.duckdb", tmp_path / "b.duckdb"
    _publish(a, 1)
    _publish(b, 10)
    with warehouse.reader(a) as ra, warehouse.reader(b) as rb:
        # two warehouses side by side: each reader sees only its own catalog
        assert ra.execute("select v from t").fetchone() == (1,)
        assert rb.execute("select v from t").fetchone() == (10,)
        assert ra.execute("select count(*) from information_schema.tables "
                          "where table_catalog = current_database()").fetchone() == (1,)
        _publish(a, 2)
        with warehouse.reader(a) as ra2:
            assert ra2.execute("select v from t").fetchone() == (2,)
        # the reader opened before the publish keeps the version it opened
        assert ra.execute("select v from t").fetchone() == (1,)
        assert _attached(a, b) == sorted([str(a), str(a), str(b)])
    # once its last reader is done, the superseded version is detached; current ones stay
    assert _attached(a, b) == sorted([str(a), str(b)])
    with warehouse.reader(a) as again:
        assert again.execute("select v from t").fetchone() == (2,)
        assert _attached(a, b) == sorted([str(a), str(b)])  # reused, not attached again

"""A load that changes no data costs what its file costs: the warehouse is neither copied nor
republished and the marts are not rebuilt; every attempt is still listed (CONTRACT §2–§3)."""

from __future__ import annotations

import shutil
from pathlib import Path

from loadkit import TODAY, fresh_db, open_con, row, write

from etl import status, warehouse
from etl.load import load_file, load_paths


def _stamp(db: Path) -> tuple:
    st = db.stat()
    return st.st_ino, st.st_mtime_ns, st.st_size


def _mart_comment(db: Path) -> str:
    """A rebuild of the marts recreates each table with its grain as comment."""
    with warehouse.reader(db) as con:
        return con.execute("select comment from duckdb_tables() where database_name = "
                           "current_database() and schema_name = 'marts' and "
                           "table_name = 'model_income_monthly'").fetchone()[0]


def _loads(db: Path) -> list[tuple]:
    return [(ld["load_id"], Path(ld["file"]).name, ld["status"], ld["rows_in"], ld["inserted"])
            for ld in status.collect(db)["loads"]]


def test_skipped_and_rejected_loads_leave_the_file_alone_and_are_listed(tmp_path):
    db = tmp_path / "w.duckdb"
    good = write(tmp_path / "usage.csv", [row("twin-usage")])
    nocol = tmp_path / "nocol.csv"
    nocol.write_text("usage_id,used_on\nU9,2024-01-01\n")
    assert load_paths(db, "twin-usage", [good], today=TODAY)[0]["status"] == "loaded"
    before = _stamp(db)

    [skipped] = load_paths(db, "twin-usage", [good], today=TODAY)
    [rejected] = load_paths(db, "twin-usage", [nocol], today=TODAY)
    [wrong_money] = load_paths(db, "twin-usage", [tmp_path / "usage.csv"], currency="GBP")
    assert (skipped["status"], rejected["status"], wrong_money["status"]) == (
        "skipped", "rejected", "rejected")
    assert rejected["error"].startswith("missing required columns twin_id, brand_id")
    assert wrong_money["error"].startswith("this warehouse reports money in EUR, not GBP")
    assert _stamp(db) == before  # not copied, not republished
    assert _loads(db) == [(1, "usage.csv", "loaded", 1, 1), (2, "usage.csv", "skipped", 0, 0),
                          (3, "nocol.csv", "rejected", 0, 0),
                          (4, "usage.csv", "rejected", 0, 0)]
    side = warehouse.attempts_path(db)
    assert len(side.read_text().splitlines()) == 3

    # the next publishing load moves them into meta.loads under the same ids
    second = write(tmp_path / "usage2.csv", [row("twin-usage", usage_id="U2")])
    assert load_paths(db, "twin-usage", [second], today=TODAY)[0]["inserted"] == 1
    assert not side.exists()
    with warehouse.reader(db) as con:
        assert con.execute("select load_id, status, sha256 is not null, error is null "
                           "from meta.loads order by load_id").fetchall() == [
            (1, "loaded", True, True), (2, "skipped", True, True), (3, "rejected", True, False),
            (4, "rejected", False, False), (5, "loaded", True, True)]
    assert _loads(db)[-1] == (5, "usage2.csv", "loaded", 1, 1)


def test_a_rejected_read_does_not_rebuild_the_marts(tmp_path):
    db = tmp_path / "w.duckdb"
    load_paths(db, "twin-usage", [write(tmp_path / "u.csv", [row("twin-usage")])], today=TODAY)
    with warehouse.writer(db) as con:
        con.execute("comment on table marts.model_income_monthly is 'not rebuilt since'")
    ragged = tmp_path / "ragged.csv"  # its header is fine; a line is not: read, then rejected
    ragged.write_text((tmp_path / "u.csv").read_text() + "U3,2024-01-01\n")
    [r] = load_paths(db, "twin-usage", [ragged], today=TODAY)
    assert r["status"] == "rejected" and "line 3" in r["error"], r
    assert _mart_comment(db) == 'not rebuilt since'
    # other bytes, the same values: loaded, every row unchanged, no mart to rebuild
    same = tmp_path / "same.csv"
    same.write_text((tmp_path / "u.csv").read_text().replace("\n", "\r\n"))
    [r] = load_paths(db, "twin-usage", [same], today=TODAY)
    assert (r["status"], r["unchanged"]) == ("loaded", 1), r
    assert _mart_comment(db) == 'not rebuilt since'
    assert [s for _, _, s, _, _ in _loads(db)] == ["loaded", "rejected", "loaded"]


def test_an_attempt_is_merged_once_and_a_torn_line_is_ignored(tmp_path):
    db = tmp_path / "w.duckdb"
    good = write(tmp_path / "u.csv", [row("twin-usage")])
    load_paths(db, "twin-usage", [good], today=TODAY)
    load_paths(db, "twin-usage", [good], today=TODAY)  # skipped: recorded beside
    side = warehouse.attempts_path(db)
    kept = side.read_bytes()
    load_paths(db, "twin-usage", [write(tmp_path / "v.csv", [row("twin-usage", usage_id="V")])],
               today=TODAY)
    # as if the writer was killed after publishing, before removing the side file, and a
    # later one was killed mid-line
    side.write_bytes(kept + b'{"kind": "twin-usage", "fi')
    load_paths(db, "twin-usage", [good], today=TODAY)  # skipped again: appended after the tear
    assert [s for _, _, s, _, _ in _loads(db)] == ["loaded", "skipped", "loaded", "skipped"]
    load_paths(db, "twin-usage", [write(tmp_path / "w.csv", [row("twin-usage", usage_id="W")])],
               today=TODAY)
    assert [(i, s) for i, _, s, _, _ in _loads(db)] == [
        (1, "loaded"), (2, "skipped"), (3, "loaded"), (4, "skipped"), (5, "loaded")]


def test_a_fresh_warehouse_drops_the_old_ones_attempts(tmp_path):
    db = tmp_path / "w.duckdb"
    good = write(tmp_path / "u.csv", [row("twin-usage")])
    load_paths(db, "twin-usage", [good], today=TODAY)
    load_paths(db, "twin-usage", [good], today=TODAY)
    assert warehouse.attempts_path(db).exists()
    with warehouse.writer(db, fresh=True) as con:  # what `demo` does
        warehouse.ensure_schema(con)
    assert not warehouse.attempts_path(db).exists()
    assert status.collect(db)["loads"] == []


def test_load_file_defaults_to_the_warehouses_currency(tmp_path):
    db = fresh_db(tmp_path)
    load_paths(db, "twin-usage", [write(tmp_path / "u.csv", [row("twin-usage")])],
               currency="GBP", today=TODAY)
    copy = tmp_path / "copy.duckdb"
    shutil.copyfile(db, copy)
    con = open_con(copy)
    r = load_file(con, "twin-usage", write(tmp_path / "v.csv", [row("twin-usage", usage_id="V")]),
                  today=TODAY)
    assert (r["status"], r["inserted"], r["error"]) == ("loaded", 1, None)
    con.close()


def test_marts_of_another_version_are_rebuilt_by_a_skipped_load(tmp_path):
    """The dashboard's advice for stale marts: load any file again (it is skipped)."""
    db = tmp_path / "w.duckdb"
    good = write(tmp_path / "u.csv", [row("twin-usage")])
    load_paths(db, "twin-usage", [good], today=TODAY)
    with warehouse.writer(db) as con:  # as if built by another version of the SQL
        con.execute("update meta.settings set value = 'older' where key = 'marts_sql'")
        con.execute("comment on table marts.model_income_monthly is 'older'")
    [r] = load_paths(db, "twin-usage", [good], today=TODAY)
    assert r["status"] == "skipped"
    assert _mart_comment(db).startswith("grain: one row per month × model_id")
    before = _stamp(db)
    assert load_paths(db, "twin-usage", [good], today=TODAY)[0]["status"] == "skipped"
    assert _stamp(db) == before  # up to date now: nothing copied
    assert [s for _, _, s, _, _ in _loads(db)] == ["loaded", "skipped", "skipped"]

"""The landing table: a first load becomes the raw table; later loads merge into it.

Both paths must leave exactly the same raw table (schema and rows), quarantine the same rows,
and leave nothing of the landing behind.
"""

from __future__ import annotations

import datetime as dt
import gzip
import shutil
from decimal import Decimal

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from loadkit import TODAY, fresh_db, load, open_con, row, write

from etl import validate, warehouse
from etl.load import load_paths


def _schema(con, table: str) -> str:
    return con.execute("select sql from duckdb_tables() where schema_name = 'raw' "
                       "and table_name = ?", [table]).fetchone()[0]


def _leftovers(con) -> list:
    """Working tables left after a load (the per-connection ECB rate tables stay by design)."""
    return con.execute("select schema_name, table_name from duckdb_tables() "
                       "where (table_name like '%landing%' or table_name like '\\_%' escape '\\')"
                       " and table_name not in ('_fx', '_fxr')").fetchall()


ROWS = [row("twin-usage", usage_id="U1"),
        row("twin-usage", usage_id="U2", assets="0"),           # bad: assets ≥ 1
        row("twin-usage", usage_id="U3", currency="GBP", fee_paid="86.30"),
        row("twin-usage", usage_id="U4", used_on="2024-03-09"),  # Saturday: Friday's rate
        row("twin-usage", usage_id="U5", currency="ARS"),       # no ECB rate at all
        row("twin-usage", usage_id="U6"), row("twin-usage", usage_id="U6", assets="3")]


def _fresh(tmp_path, name: str):
    (tmp_path / name).mkdir()
    return fresh_db(tmp_path / name)


def _raw(con):
    return con.execute("select usage_id, used_on, assets, fee_paid, currency, fee_paid_rep, "
                       "fx_date, _line from raw.twin_usage order by usage_id").fetchall()


def test_first_load_adopts_the_landing_table_and_a_later_load_merges_the_same(tmp_path):
    f = write(tmp_path / "usage.csv", ROWS)
    first = _fresh(tmp_path, "a")
    con = open_con(first)
    schema_before = _schema(con, "twin_usage")
    r = load(con, "twin-usage", f)  # raw.twin_usage is empty: the landing table takes over
    assert (r["rows_in"], r["inserted"], r["quarantined"]) == (7, 3, 4)
    adopted = _raw(con)
    quarantined = con.execute("select line, reason from meta.quarantine order by line"
                              ).fetchall()
    # the same NOT NULLs and types as tables.sql declares, and no landing table left behind
    assert _schema(con, "twin_usage") == schema_before
    assert _leftovers(con) == []
    con.close()

    # Same file into a warehouse whose raw.twin_usage already holds another row: the merge path
    second = _fresh(tmp_path, "b")
    other = write(tmp_path / "other.csv", [row("twin-usage", usage_id="U0")])
    con = open_con(second)
    load(con, "twin-usage", other)
    r2 = load(con, "twin-usage", f)
    assert (r2["rows_in"], r2["inserted"], r2["quarantined"]) == (7, 3, 4)
    assert _raw(con)[1:] == adopted
    assert con.execute("select line, reason from meta.quarantine order by line").fetchall() \
        == quarantined
    assert _schema(con, "twin_usage") == schema_before
    assert _leftovers(con) == []
    con.close()

    assert adopted == [
        ("U1", TODAY.replace(2024, 3, 8), 10, Decimal("100.0000"), "EUR", Decimal("100.0000"),
         TODAY.replace(2024, 3, 8), 2),
        # 86.30 GBP at the ECB's 2024-03-08 fixing (EUR 1 = GBP 0.85168): 101.3291 EUR
        ("U3", TODAY.replace(2024, 3, 8), 10, Decimal("86.3000"), "GBP", Decimal("101.3291"),
         TODAY.replace(2024, 3, 8), 4),
        ("U4", TODAY.replace(2024, 3, 9), 10, Decimal("100.0000"), "EUR", Decimal("100.0000"),
         TODAY.replace(2024, 3, 8), 5),
    ]
    assert quarantined == [
        (3, "assets: must be ≥ 1, got '0'"),
        (6, "currency: not an ISO 4217 currency with a European Central Bank reference rate, "
            "got 'ARS'"),
        (7, "usage_id: key 'U6' appears 2 times in this file; all its rows are quarantined"),
        (8, "usage_id: key 'U6' appears 2 times in this file; all its rows are quarantined"),
    ]


def test_rejected_first_load_leaves_raw_empty_and_no_landing_table(tmp_path):
    db = fresh_db(tmp_path)
    bad = tmp_path / "usage.csv"
    bad.write_text("usage_id,used_on,twin_id,brand_id,channel,region,assets,fee_paid,currency,"
                   "watermarked,disclosed\nU1,2024-03-08,T1,B1,ecommerce,GB,1,1,EUR,true\n")
    [r] = load_paths(db, "twin-usage", [bad], today=TODAY)
    assert r["status"] == "rejected" and r["error"].startswith("line 2: 10 fields where the "
                                                               "header has 11")
    with warehouse.reader(db) as con:
        assert con.execute("select count(*) from raw.twin_usage").fetchone() == (0,)
        assert _leftovers(con) == []


def test_values_with_spaces_are_trimmed_and_plain_files_skip_the_guard(tmp_path):
    # one file with no space or non-ASCII byte at all (the trim guard is left out), one with
    # padded and non-breaking-space values: both give the same stored values
    plain = write(tmp_path / "plain.csv", [row("twin-usage", usage_id="U1", brand_id="B1")])
    padded = write(tmp_path / "padded.csv",
                   [row("twin-usage", usage_id=" U1", brand_id="B1\u00a0", channel=" social ",
                        assets=" 10")])
    db1, db2 = _fresh(tmp_path, "p"), _fresh(tmp_path, "q")
    load_paths(db1, "twin-usage", [plain], today=TODAY)
    load_paths(db2, "twin-usage", [padded], today=TODAY)
    q = "select usage_id, brand_id, channel, assets from raw.twin_usage"
    with warehouse.reader(db1) as con:
        assert con.execute(q).fetchall() == [("U1", "B1", "ecommerce", 10)]
    with warehouse.reader(db2) as con:
        assert con.execute(q).fetchall() == [("U1", "B1", "social", 10)]


def test_a_warehouse_with_the_old_row_hash_column_loses_it_and_loads(tmp_path):
    db = fresh_db(tmp_path)
    con = duckdb.connect(str(db))
    con.execute("alter table raw.twin_usage add column _hash ubigint")
    con.close()
    f = write(tmp_path / "usage.csv", [row("twin-usage", usage_id="U1")])
    [r] = load_paths(db, "twin-usage", [f], today=TODAY)
    assert r["inserted"] == 1
    with warehouse.reader(db) as con:
        cols = [c for (c,) in con.execute(
            "select column_name from duckdb_columns() where schema_name = 'raw' "
            "and table_name = 'twin_usage'").fetchall()]
    assert "_hash" not in cols and cols[-2:] == ["_load_id", "_line"]


@pytest.mark.parametrize("name", ["usage.csv", "usage.csv.gz"])
def test_lines_are_file_lines_with_blank_lines_and_values_holding_line_breaks(tmp_path, name):
    header = ("usage_id,used_on,twin_id,brand_id,license_id,channel,region,assets,fee_paid,"
              "currency,watermarked,disclosed")

    def line(uid, assets="10", license_id="L1"):
        return f"{uid},2024-03-08,T1,B1,{license_id},ecommerce,GB,{assets},100,EUR,true,no"

    text = "\n".join([
        header,                                     # 1
        line("U1"),                                 # 2
        "",                                         # 3 blank
        line("U2", assets="0"),                     # 4 bad
        line("U3", license_id='"L3\nsecond"'),      # 5-6: a quoted value with a line break
        "",                                         # 7 blank
        "",                                         # 8 blank
        line("U4", assets="x"),                     # 9 bad
        line("U5"), line("U5"),                     # 10, 11: a repeated key
        line("U6"),                                 # 12
    ]) + "\n\n\n"                                   # trailing blank lines
    f = tmp_path / name
    f.write_bytes(gzip.compress(text.encode()) if name.endswith(".gz") else text.encode())
    db = fresh_db(tmp_path)
    [r] = load_paths(db, "twin-usage", [f], today=TODAY)
    assert (r["rows_in"], r["inserted"], r["quarantined"]) == (7, 3, 4)
    with warehouse.reader(db) as con:
        assert con.execute("select usage_id, _line from raw.twin_usage order by _line"
                           ).fetchall() == [("U1", 2), ("U3", 5), ("U6", 12)]
        assert con.execute("select line, reason, raw ->> 'usage_id' from meta.quarantine "
                           "order by line").fetchall() == [
            (4, "assets: must be ≥ 1, got '0'", "U2"),
            (9, "assets: not a whole number, got 'x'", "U4"),
            (10, "usage_id: key 'U5' appears 2 times in this file; all its rows are "
                 "quarantined", "U5"),
            (11, "usage_id: key 'U5' appears 2 times in this file; all its rows are "
                 "quarantined", "U5"),
        ]


def test_record_lines_of_a_windows_file_with_a_bom_come_from_its_bytes(tmp_path):
    # worked by hand: \r\n line breaks, a BOM, blank lines, a quoted value holding \r\n
    # and an escaped quote; lines: 1 header, 2 a, 3 blank, 4-5 b (its value spans two
    # lines), 6 blank, 7 c, then a trailing blank line
    text = ('\ufeffid,note\r\na,x\r\n\r\nb,"two\r\nlines, ""quoted"""\r\n\r\n'
            'c,"",\r\n\r\n')
    f = tmp_path / "windows.csv"
    f.write_bytes(text.encode())
    from etl.sources import readers
    from etl.sources.files import SourceFile
    sf = SourceFile(f, "csv")
    assert list(readers._record_lines_by_bytes(f, ",")) == [2, 4, 7]
    assert list(readers.record_lines(sf)) == list(readers._record_lines_by_csv(sf))


_PIECES = ["a", "", " ", '"q"', '"a""b"', '"l\nm"', '"l\r\nm"', '""', 'a"b', '"a" ', ' "a"',
           "é", "\r", '"', '"""x"""', '"x\n\ny"']


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(st.one_of(st.just(""), st.lists(st.sampled_from(_PIECES), min_size=1,
                                                      max_size=4).map(";".join)),
                      min_size=1, max_size=8),
       newline=st.sampled_from(["\n", "\r\n", "\r"]), end=st.sampled_from(["", "\n", "\n\n"]),
       bom=st.booleans())
def test_record_lines_from_bytes_are_the_csv_modules_or_none(tmp_path, lines, newline, end,
                                                              bom):
    # the byte scan answers only where it agrees with the csv module, line for line
    from etl.sources import readers
    from etl.sources.files import SourceFile
    f = tmp_path / "t.csv"
    f.write_bytes((("\ufeff" if bom else "") + newline.join(lines) + end).encode())
    fast = readers._record_lines_by_bytes(f, ";")
    if fast is not None:
        assert list(fast) == list(readers._record_lines_by_csv(SourceFile(f, "csv",
                                                                          delimiter=";")))


def test_a_plain_file_with_trailing_blank_lines_keeps_rowid_lines(tmp_path):
    # one record per line: the line count matches and no second parse is needed
    f = write(tmp_path / "usage.csv", [row("twin-usage", usage_id=f"U{i}") for i in range(3)])
    f.write_text(f.read_text() + "\n\n")
    from etl.sources import files
    sf = files.inspect(f, None)
    assert sf.lines == 4  # header + 3 records; the trailing blank lines do not count
    db = fresh_db(tmp_path)
    load_paths(db, "twin-usage", [f], today=TODAY)
    with warehouse.reader(db) as con:
        assert con.execute("select usage_id, _line from raw.twin_usage order by _line"
                           ).fetchall() == [("U0", 2), ("U1", 3), ("U2", 4)]


def test_a_file_with_old_mac_line_endings_loads_with_its_lines(tmp_path):
    rows = [row("twin-usage", usage_id="U1"), row("twin-usage", usage_id="U2", assets="0")]
    f = write(tmp_path / "usage.csv", rows)
    f.write_bytes(f.read_bytes().replace(b"\n", b"\r"))  # \r alone ends each line
    db = fresh_db(tmp_path)
    [r] = load_paths(db, "twin-usage", [f], today=TODAY)
    assert (r["status"], r["inserted"], r["quarantined"]) == ("loaded", 1, 1)
    with warehouse.reader(db) as con:
        assert con.execute("select line, reason from meta.quarantine").fetchall() == [
            (3, "assets: must be ≥ 1, got '0'")]


def test_a_one_column_key_is_stored_uncompressed_whichever_path_made_the_table(tmp_path):
    # unique values: DuckDB's dictionary + FSST compression barely shrinks them and was a
    # third of the landing write (contracts.Kind.plain); a multi-column key keeps it
    f = write(tmp_path / "usage.csv", ROWS[:1])
    con = open_con(_fresh(tmp_path, "a"))
    for table in ("twin_usage", "bookings", "licenses", "twins"):
        key = {"twin_usage": "usage_id", "bookings": "booking_id", "licenses": "license_id",
               "twins": "twin_id"}[table]
        assert f"({key} VARCHAR USING COMPRESSION Uncompressed NOT NULL," in _schema(con, table)
    assert "COMPRESSION" not in _schema(con, "booking_crew")
    made_by_sql = _schema(con, "twin_usage")
    load(con, "twin-usage", f)  # adopts the landing table
    assert _schema(con, "twin_usage") == made_by_sql
    con.execute("checkpoint")
    assert con.execute("select distinct compression from pragma_storage_info('raw.twin_usage') "
                       "where column_name = 'usage_id' and segment_type = 'VARCHAR'"
                       ).fetchall() == [("Uncompressed",)]


def test_prepare_copies_the_stored_daily_rates_only_while_their_fingerprint_holds(tmp_path):
    db = _fresh(tmp_path, "a")
    # a Saturday in pounds: the rate is Friday 8 March 2024's fixing, 0.85168 GBP per euro
    f = write(tmp_path / "usage.csv", [row("twin-usage", currency="GBP", used_on="2024-03-09")])
    load_paths(db, "twin-usage", [f], today=TODAY)  # the marts build staging.stg_fx_rates
    copy = tmp_path / "copy.duckdb"  # (the published file stays attached to the readers)
    shutil.copyfile(db, copy)
    con = open_con(copy)
    assert validate._fx_kept(con)
    validate.prepare(con, money=True, reporting="EUR")
    saturday = ("select per_eur, rate_date from _fx "
                "where currency = 'GBP' and day = date '2024-03-09'")
    assert con.execute(saturday).fetchone() == (0.85168, dt.date(2024, 3, 8))
    # another fixing (a Saturday one, made up) changes ref.fx_rates: the stored table is stale
    con.execute("insert into ref.fx_rates values ('GBP', date '2024-03-09', 0.9)")
    assert not validate._fx_kept(con)
    con.execute("drop table _fx")
    validate.prepare(con, money=True, reporting="EUR")
    assert con.execute(saturday).fetchone() == (0.9, dt.date(2024, 3, 9))


def test_prepare_computes_the_daily_rates_before_any_marts_exist(tmp_path):
    con = open_con(_fresh(tmp_path, "a"))
    assert not validate._fx_kept(con)
    validate.prepare(con, money=True, reporting="GBP")
    assert con.execute("select rate, rate_date from _fxr where currency = 'EUR' "
                       "and day = date '2024-03-09'").fetchone() == (0.85168, dt.date(2024, 3, 8))

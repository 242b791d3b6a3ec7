"""Idempotent loads, updates by key (later load wins), reporting currency and ECB rates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from loadkit import TODAY, fresh_db, open_con, row, write

from etl import warehouse
from etl.load import load_paths


def _usage(**kw):
    return row("twin-usage", **kw)


def test_same_file_twice_is_skipped_and_an_update_file_merges(tmp_path):
    db = fresh_db(tmp_path)
    a = write(tmp_path / "a.csv", [_usage(usage_id="U1"), _usage(usage_id="U2"),
                                   _usage(usage_id="U3")])
    [r1] = load_paths(db, "twin-usage", [a], today=TODAY)
    assert (r1["status"], r1["inserted"]) == ("loaded", 3)
    [r2] = load_paths(db, "twin-usage", [a], today=TODAY)
    assert {k: r2[k] for k in ("status", "rows_in", "inserted", "updated", "unchanged",
                               "quarantined", "error")} == {
        "status": "skipped", "rows_in": 0, "inserted": 0, "updated": 0, "unchanged": 0,
        "quarantined": 0, "error": None}
    assert r2["sha256"] == r1["sha256"]

    b = write(tmp_path / "b.csv", [_usage(usage_id="U1"),            # same values
                                   _usage(usage_id="U2", assets="7"),  # changed
                                   _usage(usage_id="U4"),            # new
                                   _usage(usage_id="U5", assets="x")])  # bad
    [r3] = load_paths(db, "twin-usage", [b], today=TODAY)
    assert (r3["rows_in"], r3["inserted"], r3["updated"], r3["unchanged"],
            r3["quarantined"]) == (4, 1, 1, 1, 1)
    with warehouse.reader(db) as con:
        ids = dict(con.execute("select file, load_id from meta.loads where status = 'loaded'"
                               ).fetchall())
        assert con.execute("select usage_id, assets, _load_id, _line from raw.twin_usage "
                           "order by 1").fetchall() == [
            ("U1", 10, ids[str(a)], 2), ("U2", 7, ids[str(b)], 3), ("U3", 10, ids[str(a)], 4),
            ("U4", 10, ids[str(b)], 4)]
        assert con.execute("select status, count(*) from meta.loads group by 1 order by 1"
                           ).fetchall() == [("loaded", 2), ("skipped", 1)]


def test_reporting_currency_conversion_to_the_cent(tmp_path):
    db = fresh_db(tmp_path)
    # ECB: 2024-03-08 (Fri) USD 1.0932, GBP 0.85168; 2024-03-11 (Mon) SEK 11.1865, GBP 0.85208
    f = write(tmp_path / "u.csv", [
        _usage(usage_id="A", used_on="2024-03-10", fee_paid="100", currency="USD"),  # Sunday
        _usage(usage_id="B", used_on="2024-03-11", fee_paid="1000", currency="SEK"),
        _usage(usage_id="C", used_on="2024-03-09", fee_paid="250", currency="EUR"),
        _usage(usage_id="D", used_on="2024-03-09", fee_paid="5", currency="GBP")])
    [r] = load_paths(db, "twin-usage", [f], currency="gbp", today=TODAY)
    assert (r["inserted"], r["quarantined"]) == (4, 0)
    with warehouse.reader(db) as con:
        assert con.execute("select value from meta.settings where key = 'reporting_currency'"
                           ).fetchone() == ("GBP",)
        assert con.execute("select usage_id, fee_paid_rep, fx_date from raw.twin_usage "
                           "order by 1").fetchall() == [
            ("A", Decimal("77.9071"), dt.date(2024, 3, 8)),
            ("B", Decimal("76.1704"), dt.date(2024, 3, 11)),
            ("C", Decimal("212.9200"), dt.date(2024, 3, 8)),
            ("D", Decimal("5.0000"), dt.date(2024, 3, 8))]
    # a different reporting currency later: the file is rejected (recorded), nothing changes
    g = write(tmp_path / "g.csv", [_usage(usage_id="Z")])
    [r] = load_paths(db, "twin-usage", [g], currency="EUR")
    assert (r["status"], r["error"]) == ("rejected", (
        "this warehouse reports money in GBP, not EUR; load without --currency (or with "
        "--currency GBP), or use a new --db to report in EUR"))
    [r] = load_paths(tmp_path / "new.duckdb", "twin-usage", [g], currency="ARS")
    assert r["error"] == ("--currency ARS has no European Central Bank reference rate; use "
                          "one such as EUR, GBP, USD or SEK")
    with warehouse.reader(db) as con:
        assert con.execute("select count(*) from raw.twin_usage").fetchone() == (4,)


def test_failed_file_rolls_back_but_is_recorded(tmp_path):
    con = open_con(fresh_db(tmp_path))
    from loadkit import load
    ok = load(con, "twins", write(tmp_path / "t.csv", [row("twins")]))
    assert ok["inserted"] == 1
    bad = load(con, "twins", write(tmp_path / "t2.csv", [{"twin_id": "T9"}]))
    assert bad["status"] == "rejected"
    assert con.execute("select count(*) from raw.twins").fetchone() == (1,)
    assert con.execute("select status from meta.loads order by load_id").fetchall() == [
        ("loaded",), ("rejected",)]


CHANGED = {"twins": {"platform": "other"}, "licenses": {"channels": "ecommerce"},
           "twin-usage": {"assets": "11"}, "bookings": {"assets": "41"},
           "booking-crew": {"day_rate": "801"}, "crew-employment": {"employed": "1001"}}


@pytest.mark.parametrize("kind", sorted(CHANGED))
def test_reload_compares_every_stored_value_for_each_kind(tmp_path, kind):
    # Without a stored row hash, "unchanged" means every contract value compares equal
    # (lists and NULLs included) and any one changed value means "updated".
    db = fresh_db(tmp_path)
    first = write(tmp_path / "first.csv", [row(kind)])
    again = write(tmp_path / "again.csv", [row(kind)], header=list(reversed(list(row(kind)))))
    changed = write(tmp_path / "changed.csv", [row(kind, **CHANGED[kind])])
    counts = [(r["inserted"], r["updated"], r["unchanged"]) for f in (first, again, changed)
              for r in load_paths(db, kind, [f], today=TODAY)]
    assert counts == [(1, 0, 0), (0, 0, 1), (0, 1, 0)]
    with warehouse.reader(db) as con:
        assert con.execute(f"select count(*) from raw.{kind.replace('-', '_')}").fetchone() \
            == (1,)

"""Every kind loads from every supported format, with the same typed result."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from loadkit import FORMATS, GOOD, KEY, TABLE, fresh_db, load, open_con, row, write

SECOND = {  # a second row per kind, different key, odd case and spaces in values
    "twins": {"twin_id": " T2 ", "status": "RETIRED", "platform": ""},
    "licenses": {"license_id": "L2", "channels": "*", "regions": " * ", "valid_to": ""},
    "twin-usage": {"usage_id": "U2", "channel": "Social", "region": "se", "currency": "usd",
                   "used_on": "2024-03-09", "watermarked": "NO", "disclosed": "Yes",
                   "license_id": ""},
    "bookings": {"booking_id": "K2", "status": "cancelled", "cancel_reason": "Replaced_By_Twin"},
    "booking-crew": {"person_id": "P2", "role": "Stylist", "fee_total": "700"},
    "crew-employment": {"period": "2023-q2", "area": "gb-lnd", "role": "model",
                        "median_earnings": "", "earnings_basis": "", "currency": ""},
}


def _cases():
    for fmt in FORMATS:
        yield pytest.param(fmt, False, id=fmt)
        if fmt in ("parquet", "jsonl", "xlsx"):
            yield pytest.param(fmt, True, id=f"{fmt}-native")


@pytest.mark.parametrize(("fmt", "native"), list(_cases()))
def test_every_kind_loads_from_the_format(tmp_path, fmt, native):
    con = open_con(fresh_db(tmp_path))
    for kind in GOOD:
        f = write(tmp_path / f"{kind}.{fmt}", [row(kind), row(kind, **SECOND[kind])],
                  native=native)
        r = load(con, kind, f)
        assert (r["status"], r["rows_in"], r["inserted"], r["quarantined"], r["error"]) == \
            ("loaded", 2, 2, 0, None), (kind, r)
        keys = con.execute(f"select {', '.join(KEY[kind])}, _line from raw.{TABLE[kind]} "
                           f"order by _line").fetchall()
        first_line = 1 if fmt in ("parquet", "jsonl") else 2  # no header line there
        assert [k[-1] for k in keys] == [first_line, first_line + 1]

    assert con.execute("select twin_id, status, platform from raw.twins order by 1").fetchall() \
        == [("T1", "active", "acme"), ("T2", "retired", None)]
    assert con.execute("select license_id, channels, regions, valid_to from raw.licenses "
                       "order by 1").fetchall() == [
        ("L1", ["ecommerce", "social"], ["GB", "SE"], dt.date(2025, 3, 7)),
        ("L2", ["*"], ["*"], None)]
    # USD on Saturday 2024-03-09 uses Friday's ECB fixing: 1 EUR = 1.0932 USD.
    assert con.execute(
        "select usage_id, used_on, channel, region, currency, watermarked, disclosed, "
        "license_id, fee_paid_rep, fx_date from raw.twin_usage order by 1").fetchall() == [
        ("U1", dt.date(2024, 3, 8), "ecommerce", "GB", "EUR", True, False, "L1",
         Decimal("100.0000"), dt.date(2024, 3, 8)),
        ("U2", dt.date(2024, 3, 9), "social", "SE", "USD", False, True, None,
         Decimal("91.4746"), dt.date(2024, 3, 8))]
    assert con.execute("select booking_id, days, status, cancel_reason from raw.bookings "
                       "order by 1").fetchall() == [
        ("K1", Decimal("1.50"), "completed", None),
        ("K2", Decimal("1.50"), "cancelled", "replaced_by_twin")]
    # empty fee_total = days × day_rate
    assert con.execute("select person_id, role, fee_total from raw.booking_crew "
                       "order by 1").fetchall() == [
        ("P1", "photographer", Decimal("1200.0000")), ("P2", "stylist", Decimal("700.0000"))]
    assert con.execute("select period, period_start, period_end, area, currency "
                       "from raw.crew_employment order by 1").fetchall() == [
        ("2023", dt.date(2023, 1, 1), dt.date(2023, 12, 31), "US", "USD"),
        ("2023-Q2", dt.date(2023, 4, 1), dt.date(2023, 6, 30), "GB-LND", None)]


def test_line_numbers_follow_the_file_across_parallel_chunks(tmp_path):
    """200,000 rows: DuckDB reads them in parallel chunks; every _line is still its line."""
    import duckdb

    f = tmp_path / "big.csv"
    duckdb.sql(f"""copy (select 'U' || i as usage_id, '2024-03-08' as used_on, 'T1' as twin_id,
        'B1' as brand_id, '' as license_id, 'social' as channel,
        case when i = 199990 then 'XX' else 'GB' end as region, 1 + i % 5 as assets,
        '1.5' as fee_paid, 'USD' as currency, 'true' as watermarked, 'no' as disclosed
        from range(200000) t(i)) to '{f}' (header)""")
    con = open_con(fresh_db(tmp_path))
    r = load(con, "twin-usage", f)
    assert (r["rows_in"], r["inserted"], r["quarantined"]) == (200_000, 199_999, 1)
    assert con.execute("select count(*) from raw.twin_usage "
                       "where _line <> cast(substr(usage_id, 2) as bigint) + 2").fetchone() == (0,)
    assert con.execute("select line, reason from meta.quarantine").fetchall() == [
        (199_992, "region: not an ISO 3166-1 alpha-2 country code, got 'XX'")]


def test_a_json_list_or_object_in_a_contract_key_is_quarantined(tmp_path):
    """`->>` would turn ["a","b"] into the text '["a","b"]', a plausible id: such rows are
    quarantined by name; lists and objects under ignored keys are no concern."""
    f = tmp_path / "twins.jsonl"
    f.write_text(
        '{"twin_id": "T1", "model_id": ["a", "b"], "created_on": "2024-01-05"}\n'
        '{"twin_id": "T2", "model_id": "M2", "created_on": "2024-01-05", "tags": [1]}\n'
        '{"twin_id": "T\\"3", "model_id": "M3", "created_on": "2024-01-05", "x": {"y": 1}}\n'
        '{"twin_id": {"id": 4}, "model_id": "M4", "created_on": "2024-01-05"}\n'
        '{"twin_id": "T5", "model_id": "[\\"a\\"]", "created_on": "2024-01-05"}\n')
    con = open_con(fresh_db(tmp_path))
    r = load(con, "twins", f)
    assert (r["rows_in"], r["inserted"], r["quarantined"]) == (5, 3, 2)
    assert r["ignored_columns"] == ["tags", "x"]
    assert con.execute("select twin_id, model_id from raw.twins order by 1").fetchall() == [
        ('T"3', "M3"), ("T2", "M2"), ("T5", '["a"]')]  # a string that looks like a list is text
    assert con.execute("select line, reason from meta.quarantine order by 1").fetchall() == [
        (1, "model_id: a JSON list or object, not a single value, got '[\"a\",\"b\"]'"),
        (4, "twin_id: a JSON list or object, not a single value, got '{\"id\":4}'")]

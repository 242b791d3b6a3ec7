"""`--decimal ,`: a `.` is only ever a thousands separator; anything else is quarantined,
never rescaled (CONTRACT §2), in every decimal and whole-number column of every kind."""

from __future__ import annotations

from decimal import Decimal

import pytest
from loadkit import fresh_db, load, open_con, quarantine, row, write

# (kind, column, table, key column varied per row)
COLUMNS = [
    ("licenses", "fee_amount", "licenses", "license_id"),
    ("twin-usage", "fee_paid", "twin_usage", "usage_id"),
    ("booking-crew", "day_rate", "booking_crew", "person_id"),
    ("booking-crew", "fee_total", "booking_crew", "person_id"),
    ("crew-employment", "hours_worked", "crew_employment", "source"),
    ("crew-employment", "median_earnings", "crew_employment", "source"),
    ("crew-employment", "mean_earnings", "crew_employment", "source"),
]
# value as written → stored value, or None: quarantined
AMOUNTS = [("1.234,50", Decimal("1234.5")), ("450,50", Decimal("450.5")), ("450.50", None),
           ("1.234.567,8", Decimal("1234567.8")), ("12.34", None), ("-", None)]
# days are at most 60 for bookings; decimal(6, 2) for crew
DAYS = [("1,5", Decimal("1.5")), ("12,25", Decimal("12.25")), ("1.5", None), ("45.50", None)]
WHOLE = [("1.234", 1234), ("40", 40), ("1.5", None), ("1.234,0", 1234), ("12.34", None)]
CASES = ([(*c, AMOUNTS) for c in COLUMNS]
         + [("bookings", "days", "bookings", "booking_id", DAYS),
            ("booking-crew", "days", "booking_crew", "person_id", DAYS),
            ("bookings", "assets", "bookings", "booking_id", WHOLE),
            ("twin-usage", "assets", "twin_usage", "usage_id", WHOLE),
            ("crew-employment", "employed", "crew_employment", "source", WHOLE)])
RULE = "with --decimal , a '.' may only separate thousands (groups of three digits, as in 1.234,50)"


@pytest.mark.parametrize("ext", ["csv", "tsv"])
@pytest.mark.parametrize(("kind", "column", "table", "key", "values"), CASES,
                         ids=[f"{c[0]}.{c[1]}" for c in CASES])
def test_decimal_comma_never_rescales(tmp_path, ext, kind, column, table, key, values):
    con = open_con(fresh_db(tmp_path))
    base = {"licenses": {"channels": "*", "regions": "*"},  # no ';' lists in a ';' file
            "bookings": {"days": "1,5"}, "booking-crew": {"days": "1,5"},
            "crew-employment": {"median_earnings": "25,5"}}.get(kind, {})
    rows = [row(kind, **{**base, key: f"R{i}", column: v}) for i, (v, _) in enumerate(values)]
    f = write(tmp_path / f"{kind}.{ext}", rows, delimiter=";" if ext == "csv" else None)
    r = load(con, kind, f, decimal=",")
    bad = [i for i, (_, want) in enumerate(values) if want is None]
    assert (r["status"], r["inserted"], r["quarantined"]) == (
        "loaded", len(values) - len(bad), len(bad)), r
    for i, (_, want) in enumerate(values):
        if want is not None:
            got = con.execute(f"select {column} from raw.{table} where {key} = ?",  # noqa: S608
                              [f"R{i}"]).fetchone()[0]
            assert got == want, (values[i], got)
    expected = [(i + 2, f"{column}: {RULE}, got '{values[i][0]}'") if values[i][0] != "-"
                else (i + 2, f"{column}: not a number, got '-'") for i in bad]
    assert quarantine(con, f) == expected
    con.close()


def test_dot_decimal_unchanged_without_decimal_comma(tmp_path):
    """Without --decimal , the dot is the decimal point, as before."""
    con = open_con(fresh_db(tmp_path))
    f = write(tmp_path / "l.csv", [row("licenses", fee_amount="450.50")])
    assert load(con, "licenses", f)["inserted"] == 1
    assert con.execute("select fee_amount from raw.licenses").fetchone()[0] == Decimal("450.5")
    con.close()

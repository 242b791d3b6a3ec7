"""Each row rule of CONTRACT §1–§2 broken once: that row is quarantined, the good row loads."""

from __future__ import annotations

import itertools

import pytest
from loadkit import KEY, fresh_db, load, open_con, quarantine, row, write

_ids = itertools.count()

# (kind, changes to the good row, the reason quarantined, exactly)
RULES = [
    ("twins", {"twin_id": ""}, "twin_id: required, got empty"),
    ("twins", {"model_id": "M" * 129},
     f"model_id: must be at most 128 characters, got '{'M' * 60}'"),
    ("twins", {"created_on": "2024-1-5"}, "created_on: not a date YYYY-MM-DD, got '2024-1-5'"),
    ("twins", {"created_on": "2024-02-30"},
     "created_on: not a date YYYY-MM-DD, got '2024-02-30'"),
    ("twins", {"created_on": "1999-12-31"},
     "created_on: must be on or after 2000-01-01, got '1999-12-31'"),
    ("twins", {"created_on": "2027-11-28"},
     "created_on: must not be more than a year after the load date, got '2027-11-28'"),
    ("twins", {"status": "paused"}, "status: must be one of active|retired, got 'paused'"),
    ("licenses", {"valid_to": "2024-03-01"},
     "valid_to: must be on or after valid_from, got '2024-03-01' < '2024-03-08'"),
    ("licenses", {"channels": "ecommerce;tv"},
     "channels: tv is not one of ecommerce|campaign|editorial|lookbook|social|other "
     "(or * alone), got 'ecommerce;tv'"),
    ("licenses", {"regions": "GB;UK"},
     "regions: UK is not an ISO 3166-1 alpha-2 country code (or * alone), got 'GB;UK'"),
    ("licenses", {"regions": "*;GB"},
     "regions: * is not an ISO 3166-1 alpha-2 country code (or * alone), got '*;GB'"),
    ("licenses", {"fee_model": "monthly"},
     "fee_model: must be one of per_asset|flat_monthly|per_campaign, got 'monthly'"),
    ("licenses", {"fee_amount": "-1"}, "fee_amount: must be ≥ 0, got '-1'"),
    ("licenses", {"currency": "ARS"},
     "currency: not an ISO 4217 currency with a European Central Bank reference rate, "
     "got 'ARS'"),
    ("licenses", {"currency": "HRK", "granted_on": "2024-03-08"},
     "currency: no European Central Bank rate for 'HRK' on or just before 2024-03-08"),
    ("licenses", {"revoked_on": "yesterday"},
     "revoked_on: not a date YYYY-MM-DD, got 'yesterday'"),
    ("twin-usage", {"used_on": "2024-03-08T25:00"},
     "used_on: not a date YYYY-MM-DD or an ISO timestamp, got '2024-03-08T25:00'"),
    ("twin-usage", {"channel": "tv"},
     "channel: must be one of ecommerce|campaign|editorial|lookbook|social|other, got 'tv'"),
    ("twin-usage", {"region": "UK"},
     "region: not an ISO 3166-1 alpha-2 country code, got 'UK'"),
    ("twin-usage", {"assets": "0"}, "assets: must be ≥ 1, got '0'"),
    ("twin-usage", {"assets": "2.5"}, "assets: not a whole number, got '2.5'"),
    ("twin-usage", {"fee_paid": "12.50 EUR"}, "fee_paid: not a number, got '12.50 EUR'"),
    ("twin-usage", {"watermarked": "maybe"},
     "watermarked: not a boolean (true/false/yes/no/1/0), got 'maybe'"),
    ("twin-usage", {"disclosed": ""}, "disclosed: required, got empty"),
    ("bookings", {"days": "0"}, "days: must be > 0 and ≤ 60, got '0'"),
    ("bookings", {"days": "61"}, "days: must be > 0 and ≤ 60, got '61'"),
    ("bookings", {"assets": "-1"}, "assets: must be ≥ 0, got '-1'"),
    ("bookings", {"status": "done"},
     "status: must be one of confirmed|completed|cancelled, got 'done'"),
    ("bookings", {"status": "cancelled", "cancel_reason": "rain"},
     "cancel_reason: must be one of replaced_by_twin|budget|schedule|weather|other, "
     "got 'rain'"),
    ("booking-crew", {"role": "gaffer"},
     "role: must be one of model|photographer|photo_assistant|digital_tech|stylist|hair|"
     "makeup|hair_makeup|producer|art_director|set_designer|retoucher|videographer|other, "
     "got 'gaffer'"),
    ("booking-crew", {"days": "0"}, "days: must be > 0, got '0'"),
    ("booking-crew", {"day_rate": "abc"}, "day_rate: not a number, got 'abc'"),
    ("booking-crew", {"fee_total": "-5"}, "fee_total: must be ≥ 0, got '-5'"),
    ("booking-crew", {"currency": "XYZ"},
     "currency: not an ISO 4217 currency with a European Central Bank reference rate, "
     "got 'XYZ'"),
    ("crew-employment", {"period": "2023-Q5"},
     "period: not a period YYYY, YYYY-Qn or YYYY-MM, got '2023-Q5'"),
    ("crew-employment", {"period": "2023-13"},
     "period: not a period YYYY, YYYY-Qn or YYYY-MM, got '2023-13'"),
    ("crew-employment", {"period": "1999"}, "period: must be on or after 2000-01-01, got '1999'"),
    ("crew-employment", {"area": "XX-LND"},
     "area: not a country code or ISO 3166-2 subdivision like GB-LND, got 'XX-LND'"),
    ("crew-employment", {"employed": "-3"}, "employed: must be ≥ 0, got '-3'"),
    ("crew-employment", {"earnings_basis": ""},
     "earnings_basis: required when median_earnings or mean_earnings is filled"),
    ("crew-employment", {"currency": ""},
     "currency: required when median_earnings or mean_earnings is filled"),
    ("crew-employment", {"earnings_basis": "fortnight"},
     "earnings_basis: must be one of hour|day|week|month|year, got 'fortnight'"),
    ("crew-employment", {"source": " "}, "source: required, got empty"),
]


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    c = open_con(fresh_db(tmp_path_factory.mktemp("rules")))
    yield c
    c.close()


def _unique(kind: str, n: int, changes: dict) -> dict:
    """A good row with a key no other case uses (so each case inserts exactly one row)."""
    first = KEY[kind][0] if kind != "crew-employment" else "source"
    base = row(kind)
    return {**base, first: f"{base[first]}-{n}", **changes}


@pytest.mark.parametrize(("kind", "changes", "reason"), RULES,
                         ids=[f"{k}-{'-'.join(c)}-{i}" for i, (k, c, _) in enumerate(RULES)])
def test_broken_rule_quarantines_that_row(con, tmp_path, kind, changes, reason):
    n = next(_ids)
    good, bad = _unique(kind, n, {}), _unique(kind, n + 1000, {})
    bad.update(changes)
    f = write(tmp_path / f"{kind}.csv", [good, bad])
    r = load(con, kind, f)
    assert (r["status"], r["rows_in"], r["inserted"], r["updated"], r["unchanged"],
            r["quarantined"]) == ("loaded", 2, 1, 0, 0, 1)
    assert quarantine(con, f) == [(3, reason)]
    raw = con.execute("select raw from meta.quarantine where file = ?", [str(f)]).fetchone()[0]
    assert raw.startswith("{") and list(bad)[0] in raw


def test_repeated_key_quarantines_every_row_with_it(con, tmp_path):
    f = write(tmp_path / "usage.csv", [row("twin-usage", usage_id="D1"),
                                       row("twin-usage", usage_id="D2"),
                                       row("twin-usage", usage_id=" D1 "),
                                       row("twin-usage", usage_id="D1", assets="0")])
    r = load(con, "twin-usage", f)
    assert (r["rows_in"], r["inserted"], r["quarantined"]) == (4, 1, 3)
    reason = "usage_id: key 'D1' appears 3 times in this file; all its rows are quarantined"
    assert quarantine(con, f) == [(2, reason), (4, reason), (5, reason)]
    raws = [x[0] for x in con.execute("select raw from meta.quarantine where file = ? "
                                      "order by line", [str(f)]).fetchall()]
    assert '"usage_id":" D1 "' in raws[1] and '"assets":"0"' in raws[2]


def test_repeated_composite_key_names_all_its_parts(con, tmp_path):
    f = write(tmp_path / "crew.csv", [row("booking-crew", booking_id="KK"),
                                      row("booking-crew", booking_id="KK", role="PHOTOGRAPHER")])
    r = load(con, "booking-crew", f)
    assert (r["rows_in"], r["inserted"], r["quarantined"]) == (2, 0, 2)
    reason = ("key (booking_id, person_id, role) = ('KK', 'P1', 'photographer') appears 2 "
              "times in this file; all its rows are quarantined")
    assert quarantine(con, f) == [(2, reason), (3, reason)]


def test_timestamps_keep_used_at_and_dates_after_last_fixing_use_the_last(con, tmp_path):
    f = write(tmp_path / "ts.csv", [
        row("twin-usage", usage_id="TS1", used_on="2024-03-10T23:30:00-05:00", currency="USD"),
        row("twin-usage", usage_id="TS2", used_on="2026-11-20", currency="USD")])
    r = load(con, "twin-usage", f)
    assert (r["inserted"], r["quarantined"]) == (2, 0)
    got = con.execute("select usage_id, used_on, used_at, fx_date, fx_rate from raw.twin_usage "
                      "where usage_id like 'TS%' order by 1").fetchall()
    last_usd = con.execute("select per_eur from ref.fx_rates where currency = 'USD' "
                           "and rate_date = '2026-10-30'").fetchone()[0]
    import datetime as dt
    assert got == [
        ("TS1", dt.date(2024, 3, 10), dt.datetime(2024, 3, 11, 4, 30), dt.date(2024, 3, 8),
         1 / 1.0932),
        ("TS2", dt.date(2026, 11, 20), None, dt.date(2026, 10, 30), 1 / last_usd)]

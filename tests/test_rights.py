"""The rights scorecard on a hand-built world, every row worked out by hand, and the licence
terms exclusive?/training_allowed? through the real loader (optional columns).

World (all money in EUR, so converted amounts are exact):
- T1 is model M1's twin, created 2024-01-01. M1's shoots in the 12 months before: K1
  (2023-05-10, 40 images, two models → 20 are M1's, fee 300) and K2 (2023-09-10, 30 images,
  alone, fee 200). Left out: K3 cancelled, K4 before the window, K5 on the creation day, K6
  delivered no images. Benchmark = 500 ÷ 50 = 10.0 per image.
- T2 is M2's twin (created 2024-06-01); M2 never shot: fair pay is unknown for T2. TX is not
  in the loaded twins: unknown too.
- L1 T1→A 2024-01-01..2024-12-31, ecommerce/GB, not exclusive, no training: meets every term.
- L2 T1→B from 2024-02-01, open-ended, */*, exclusive, training allowed, revoked 2024-06-01.
- L3 T2→A 2024-06-01..2028-06-01 (4 years), social/*, states neither exclusivity nor training.
- L4 T2→B 2024-06-01..2027-06-01 (exactly 3 years), ecommerce;social / GB;SE, exclusivity not
  stated, no training.
"""

from __future__ import annotations

import pytest
from loadkit import fresh_db, load, open_con, write
from marts_fixture import rows, write_csv
from test_dashboard_pages import downloads  # noqa: F401 — a fixture: every file a page offers

from dashboard import text
from etl import marts, warehouse
from etl.load import load_paths

LIC_HEADER = ("license_id,twin_id,brand_id,granted_on,valid_from,valid_to,channels,regions,"
              "fee_model,fee_amount,currency,revoked_on,exclusive,training_allowed")
LICENSES = [
    ("L1", "T1", "A", "2024-01-01", "2024-01-01", "2024-12-31", "ecommerce", "GB",
     "per_asset", "10", "EUR", "", "false", "no"),
    ("L2", "T1", "B", "2024-01-20", "2024-02-01", "", "*", "*",
     "per_asset", "5", "EUR", "2024-06-01", "TRUE", "yes"),
    ("L3", "T2", "A", "2024-06-01", "2024-06-01", "2028-06-01", "social", "*",
     "per_asset", "10", "EUR", "", "", ""),
    ("L4", "T2", "B", "2024-06-01", "2024-06-01", "2027-06-01", "ecommerce;social", "GB;SE",
     "per_asset", "10", "EUR", "", "", "0"),
]
USAGE_HEADER = ("usage_id,used_on,twin_id,brand_id,license_id,channel,region,assets,fee_paid,"
                "currency,watermarked,disclosed")
USAGE = [
    ("U1", "2024-03-01", "T1", "A", "L1", "ecommerce", "GB", "10", "155", "EUR", "true", "true"),
    # out of scope (campaign), but L1's terms are judged all the same
    ("U2", "2024-04-01", "T1", "A", "L1", "campaign", "GB", "5", "0", "EUR", "false", "true"),
    ("U3", "2024-03-01", "T1", "B", "L2", "ecommerce", "GB", "4", "20", "EUR", "true", "false"),
    # used after L2's revocation
    ("U4", "2024-07-01", "T1", "B", "L2", "ecommerce", "GB", "6", "0", "EUR", "true", "true"),
    ("U5", "2024-08-01", "T2", "A", "L3", "social", "GB", "8", "80", "EUR", "false", "false"),
    # names no licence, covered by L4: licensed, yet meets no licence term
    ("U6", "2024-08-01", "T2", "B", "", "ecommerce", "SE", "3", "30", "EUR", "false", "true"),
    # an unknown twin, no licence
    ("U7", "2024-09-01", "TX", "A", "", "ecommerce", "GB", "2", "0", "EUR", "false", "false"),
    # a licence never loaded: revocation unknown
    ("U8", "2024-09-15", "T1", "A", "L9", "ecommerce", "GB", "1", "5", "EUR", "true", "true"),
    # names B's licence L4: no licence term met
    ("U9", "2024-10-01", "T2", "A", "L4", "ecommerce", "GB", "7", "0", "EUR", "false", "true"),
    ("U11", "2024-11-01", "T2", "B", "L4", "social", "SE", "2", "0", "EUR", "true", "true"),
    # names none; its only candidate L2 was revoked: revocation not honoured
    ("U12", "2024-12-01", "T1", "B", "", "ecommerce", "GB", "1", "0", "EUR", "true", "true"),
    # L1 expired; its terms still met; 50 ÷ 10 = 5 per image < 10
    ("U10", "2025-02-01", "T1", "A", "L1", "ecommerce", "GB", "10", "50", "EUR", "true", "false"),
]
BOOKINGS = [
    ("K1", "A", "2023-05-10", "ecommerce", "GB", "1", "40", "completed", ""),
    ("K2", "A", "2023-09-10", "ecommerce", "GB", "1", "30", "completed", ""),
    ("K3", "A", "2023-10-01", "ecommerce", "GB", "1", "30", "cancelled", "budget"),
    ("K4", "A", "2022-12-31", "ecommerce", "GB", "1", "1", "completed", ""),
    ("K5", "A", "2024-01-01", "ecommerce", "GB", "1", "1", "completed", ""),
    ("K6", "A", "2023-11-01", "ecommerce", "GB", "1", "0", "completed", ""),
]
CREW = [
    ("K1", "M1", "model", "1", "300", "", "EUR"),
    ("K1", "M5", "model", "1", "900", "", "EUR"),
    ("K1", "P1", "photographer", "1", "800", "", "EUR"),
    ("K2", "M1", "model", "1", "200", "", "EUR"),
    ("K3", "M1", "model", "1", "999", "", "EUR"),
    ("K4", "M1", "model", "1", "1000", "", "EUR"),
    ("K5", "M1", "model", "1", "5000", "", "EUR"),
    ("K6", "M1", "model", "1", "700", "", "EUR"),
]
TWINS = [("T1", "M1", "2024-01-01"), ("T2", "M2", "2024-06-01")]

RIGHTS = ("licensed", "time_limited", "purpose_limited", "non_exclusive", "no_training",
          "revocation_honoured", "watermarked", "disclosed", "disclosed_checked", "fair_pay")
# (met, not met, unknown) per right, in RIGHTS order
EXPECTED = {
    ("A", 2024): [(18, 15, 0), (15, 18, 0), (15, 18, 0), (15, 10, 8), (15, 10, 8),
                  (32, 0, 1), (11, 22, 0), (23, 10, 0), (0, 0, 33), (16, 0, 17)],
    ("B", 2024): [(9, 7, 0), (2, 14, 0), (2, 14, 0), (0, 14, 2), (2, 14, 0),
                  (9, 7, 0), (13, 3, 0), (12, 4, 0), (0, 0, 16), (0, 11, 5)],
    ("A", 2025): [(0, 10, 0), (10, 0, 0), (10, 0, 0), (10, 0, 0), (10, 0, 0),
                  (10, 0, 0), (10, 0, 0), (0, 10, 0), (0, 0, 10), (0, 10, 0)],
}
MODELS = {("A", 2024): 3, ("B", 2024): 2, ("A", 2025): 1, ("ALL", 2024): 3, ("ALL", 2025): 1}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    folder = tmp_path_factory.mktemp("rights")
    db = folder / "warehouse.duckdb"
    for kind, header, data in (
            ("twins", "twin_id,model_id,created_on", TWINS),
            ("licenses", LIC_HEADER, LICENSES),
            ("twin-usage", USAGE_HEADER, USAGE),
            ("bookings", "booking_id,brand_id,shoot_date,channel,region,days,assets,status,"
                         "cancel_reason", BOOKINGS),
            ("booking-crew", "booking_id,person_id,role,days,day_rate,fee_total,currency",
             CREW)):
        (result,) = load_paths(db, kind, [write_csv(folder / f"{kind}.csv", header, data)])
        assert result["status"] == "loaded" and result["quarantined"] == 0, result
    return db


def _scorecard(db) -> dict:
    return {(b, y, r): (t, m, n, u, s, k) for b, y, r, t, m, n, u, s, k in rows(db, """
        select brand_id, year, "right", twin_assets, assets_met, assets_not_met,
               assets_unknown, share_met, models
        from marts.rights_scorecard""")}


def test_every_right_of_every_brand_and_year_is_exact(world):
    got = _scorecard(world)
    expected = {}
    for (brand, year), parts in EXPECTED.items():
        for right, (met, not_met, unknown) in zip(RIGHTS, parts, strict=True):
            total = met + not_met + unknown
            expected[(brand, year, right)] = (total, met, not_met, unknown,
                                              round(met / total, 6), MODELS[(brand, year)])
    for year in (2024, 2025):  # ALL sums the brands; its models are counted once
        for i, right in enumerate(RIGHTS):
            parts = [EXPECTED[k][i] for k in EXPECTED if k[1] == year]
            met, not_met, unknown = (sum(p[j] for p in parts) for j in range(3))
            total = met + not_met + unknown
            expected[("ALL", year, right)] = (total, met, not_met, unknown,
                                              round(met / total, 6), MODELS[("ALL", year)])
    assert got == expected
    assert got[("A", 2024, "licensed")][0] == 33 and got[("ALL", 2024, "licensed")][0] == 49


def test_parts_add_up_and_all_is_the_sum_of_brands(world):
    assert rows(world, """
        select count(*) from marts.rights_scorecard
        where assets_met + assets_not_met + assets_unknown <> twin_assets""") == [(0,)]
    assert rows(world, """
        with brands as (
            select year, "right", sum(twin_assets) t, sum(assets_met) m,
                   sum(assets_not_met) n, sum(assets_unknown) u
            from marts.rights_scorecard where brand_id <> 'ALL' group by all
        )
        select count(*) from brands join marts.rights_scorecard s using (year, "right")
        where s.brand_id = 'ALL' and (s.twin_assets, s.assets_met, s.assets_not_met,
              s.assets_unknown) <> (t, m, n, u)""") == [(0,)]


def test_licensed_agrees_with_the_consent_mart(world):
    assert rows(world, """
        select year(month), brand_id, sum(licensed_assets), sum(twin_assets)
        from marts.consent_monthly group by all order by all""") == rows(world, """
        select year, brand_id, assets_met, twin_assets from marts.rights_scorecard
        where "right" = 'licensed' and brand_id <> 'ALL' order by year, brand_id""")


def test_fair_pay_benchmark_and_rates(world):
    assert rows(world, """
        select twin_id, model_id, shoots, shoot_income, shoot_assets, income_per_asset
        from staging.int_twin_shoot_rate order by twin_id""") == [
        ("T1", "M1", 2, 500, 50.0, 10.0), ("T2", "M2", 0, None, None, None)]
    # what each brand paid per image of each twin in the year, against the benchmark
    assert rows(world, """
        select distinct year, brand_id, twin_id, twin_fee_per_asset, fair_pay
        from staging.int_usage_rights order by all""") == [
        (2024, "A", "T1", 10.0, 1), (2024, "A", "T2", 80 / 15, None),
        (2024, "A", "TX", 0.0, None), (2024, "B", "T1", 20 / 11, 0),
        (2024, "B", "T2", 6.0, None), (2025, "A", "T1", 5.0, 0)]


# ---- the optional licence columns through the loader ------------------------------------

def test_licence_terms_load_as_true_false_or_not_stated(tmp_path):
    db = fresh_db(tmp_path)
    con = open_con(db)
    f = write(tmp_path / "lic.csv", [
        {"license_id": "L1", **_lic(), "exclusive": "Yes", "training_allowed": "0"},
        {"license_id": "L2", **_lic(), "exclusive": "", "training_allowed": "TRUE"},
        {"license_id": "L3", **_lic(), "exclusive": "maybe", "training_allowed": ""},
    ])
    r = load(con, "licenses", f)
    assert (r["inserted"], r["quarantined"]) == (2, 1)
    assert con.execute("select license_id, exclusive, training_allowed from raw.licenses "
                       "order by 1").fetchall() == [("L1", True, False), ("L2", None, True)]
    assert con.execute("select reason from meta.quarantine").fetchall() == [
        ("exclusive: not a boolean (true/false/yes/no/1/0), got 'maybe'",)]


def test_a_licences_file_without_the_new_columns_still_loads(tmp_path):
    db = fresh_db(tmp_path)
    con = open_con(db)
    f = write(tmp_path / "old.csv", [{"license_id": "L1", **_lic()}])
    r = load(con, "licenses", f)
    assert (r["inserted"], r["quarantined"], r["ignored_columns"]) == (1, 0, [])
    assert con.execute("select exclusive, training_allowed from raw.licenses").fetchall() == [
        (None, None)]
    # a later file that states the terms updates the row; stating nothing again changes it back
    g = write(tmp_path / "new.csv", [{"license_id": "L1", **_lic(), "exclusive": "false",
                                      "training_allowed": "false"}])
    assert load(con, "licenses", g)["updated"] == 1
    assert con.execute("select exclusive, training_allowed from raw.licenses").fetchall() == [
        (False, False)]


def test_a_warehouse_from_before_the_new_columns_gains_them(tmp_path):
    db = fresh_db(tmp_path)
    con = open_con(db)
    load(con, "licenses", write(tmp_path / "old.csv", [{"license_id": "L1", **_lic()}]))
    con.execute("alter table raw.licenses drop column exclusive")
    con.execute("alter table raw.licenses drop column training_allowed")
    warehouse.ensure_schema(con)  # what every writer runs first
    r = load(con, "licenses", write(tmp_path / "new.csv", [
        {"license_id": "L2", **_lic(), "exclusive": "true", "training_allowed": ""}]))
    assert r["inserted"] == 1
    assert con.execute("select license_id, exclusive, training_allowed from raw.licenses "
                       "order by 1").fetchall() == [("L1", None, None), ("L2", True, None)]
    marts.rebuild(con)
    assert con.execute("select count(*) from marts.rights_scorecard").fetchone() == (0,)


def _lic() -> dict:
    return {"twin_id": "T1", "brand_id": "B1", "granted_on": "2024-03-08",
            "valid_from": "2024-03-08", "valid_to": "2025-03-07", "channels": "*",
            "regions": "GB", "fee_model": "per_asset", "fee_amount": "2", "currency": "EUR",
            "revoked_on": ""}


# ---- the demo ---------------------------------------------------------------------------

def test_the_demo_scorecard_adds_up(demo_db):
    assert rows(demo_db, """
        select count(*) from marts.rights_scorecard
        where assets_met + assets_not_met + assets_unknown <> twin_assets""") == [(0,)]
    assert rows(demo_db, """
        select count(distinct "right"), min(twin_assets) > 0 from marts.rights_scorecard
        where brand_id = 'ALL' and year = 2025""") == [(10, True)]


def test_the_demo_has_every_term_in_both_states(demo_db):
    stated = rows(demo_db, "select count(exclusive) from raw.licenses")[0][0]
    if not stated:
        pytest.skip("this demo's licences state no exclusivity yet (the simulator's part)")
    shares = dict(rows(demo_db, """
        select "right", share_met from marts.rights_scorecard
        where brand_id = 'ALL' and year = 2025"""))
    for right in ("time_limited", "purpose_limited", "non_exclusive", "no_training",
                  "revocation_honoured"):
        assert 0.05 < shares[right] < 0.995, (right, shares[right])
    assert rows(demo_db, "select count(*) > 0 from marts.rights_scorecard "
                         "where brand_id <> 'ALL' and assets_unknown > 0") == [(True,)]


# ---- the page and the brand report ------------------------------------------------------

# every year of the world (2024 and 2025) for both brands: (met, not met, unknown)
ALL_YEARS = {"licensed": (27, 32, 0), "time_limited": (27, 32, 0),
             "purpose_limited": (27, 32, 0), "non_exclusive": (25, 24, 10),
             "no_training": (27, 24, 8), "revocation_honoured": (51, 7, 1),
             "watermarked": (34, 25, 0), "disclosed": (35, 24, 0),
             # no image of this world was checked (tests/test_images.py checks some)
             "disclosed_checked": (0, 0, 59), "fair_pay": (16, 21, 22)}


def _page(db, monkeypatch, public=False, **params):
    import streamlit as st
    from streamlit.testing.v1 import AppTest
    from test_dashboard_pages import VIEWS

    monkeypatch.setenv("TWINIMPACT_DB", str(db))
    monkeypatch.setenv("TWINIMPACT_PUBLIC", "1" if public else "0")
    monkeypatch.delenv("TWINIMPACT_K", raising=False)
    st.cache_data.clear()
    at = AppTest.from_file(str(VIEWS / "consent.py"), default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception[0].message
    return at


def test_the_consent_page_scores_every_right_and_names_the_worst(
        world, monkeypatch, downloads):  # noqa: F811 — the fixture imported above
    from test_dashboard_pages import csv

    at = _page(world, monkeypatch)
    assert at.title[0].value == "Consent and rights: were twins used with consent, on fair terms?"
    card = csv(downloads, "consent-rights.csv")
    assert {r["right"]: (r["assets_met"], r["assets_not_met"], r["assets_unknown"])
            for _, r in card.iterrows()} == ALL_YEARS
    assert set(card["twin_assets"]) == {59} and set(card["models"]) == {3}
    # the sentence is the scorecard declaration's summary, said once, under its chart, as
    # text (ui.plain escapes what Markdown would read)
    finding = [m.value for m in at.markdown if m.value.startswith("Of 59 twin images in")]
    assert finding == [text.plain(
        "Of 59 twin images in 2022–2025, the widest gaps were licensed (not met "
        "for 54.2%), time-limited (54.2%) and purpose-limited (54.2%). Unknown, because the "
        "data do not say: disclosed in the image 100.0%, fair pay 37.3%, non-exclusive 16.9%, "
        "no training allowed 13.6%.")]
    assert "\\." in finding[0]  # escaped: a value from the data never reads as Markdown
    assert not any(m.value.startswith("**Finding.**") for m in at.markdown)  # not twice
    brands = csv(downloads, "consent-rights-brands.csv")
    b = brands[brands["right"] == "fair_pay"].set_index("brand_id")
    assert (b.loc["A", "assets_met"], b.loc["A", "assets_unknown"]) == (16, 17)
    assert (b.loc["B", "assets_not_met"], b.loc["B", "assets_unknown"]) == (11, 5)
    trend = csv(downloads, "consent-rights-trend.csv")
    t = trend[trend["right"] == "licensed"]
    assert t[["year", "assets_met", "twin_assets"]].values.tolist() == [[2024, 27, 49],
                                                                       [2025, 0, 10]]
    one = _page(world, monkeypatch, brand="B", **{"from": "2024-03", "to": "2024-12"})
    card = csv(downloads, "consent-rights.csv").set_index("right")
    assert card.loc["licensed", ["assets_met", "assets_not_met", "twin_assets", "models"]
                    ].tolist() == [9, 7, 16, 2]
    assert "2024" in one.subheader[0].value


def test_public_mode_withholds_the_scorecard(
        world, monkeypatch, downloads):  # noqa: F811 — the fixture imported above
    # issue 19: the scorecard's met / not met / unknown counts are not cells of the public
    # release, so public mode shows none of them (and says why), whatever the models
    at = _page(world, monkeypatch, public=True)
    assert "consent-rights.csv" not in downloads
    assert not any("the widest gaps were" in m.value for m in at.markdown)
    assert any(i.value.startswith("Withheld in public mode: not part of the public release")
               for i in at.info)


def test_the_brand_report_carries_the_brand_scorecard(world):
    from dashboard import rights
    from dashboard.audience import Audience
    from dashboard.filters import Filters

    f = Filters(from_month="2024-01", to_month="2024-12", brand=("A",))
    page = rights.brand_scorecard_html(world, f, Audience(role="local", k=None))
    assert "<h2>Rights scorecard, 2024</h2>" in page
    # A in 2024: 33 images; licensed 18 met, 15 not; fair pay 16 met, 17 unknown
    assert ("<tr><td>licensed (a valid licence covered the use)</td><td class=num>54.5%</td>"
            "<td class=num>45.5%</td><td class=num>0.0%</td><td class=num>33</td></tr>") in page
    assert ("<td class=num>48.5%</td><td class=num>0.0%</td><td class=num>51.5%</td>"
            "<td class=num>33</td></tr>") in page
    # public: not part of the release (issue 19), so no figure, and the reason said
    public = rights.brand_scorecard_html(world, f, Audience(role="public", k=5))
    assert "Withheld in public mode: not part of the public release" in public
    assert "54.5%" not in public and "<td class=num>" not in public

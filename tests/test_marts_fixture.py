"""Every column of every mart, on a hand-computed industry (tests/marts_fixture.py).

Brand A adopts in 2023-03; brand C never adopts (the control). Pre-period for A: the 12
months before 2023-03, clipped to the data's first month 2023-01 → 2023-01 and 2023-02.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import marts_fixture as mf
import pytest

JAN, FEB, MAR, APR = (date(2023, m, 1) for m in (1, 2, 3, 4))


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("marts") / "warehouse.duckdb"
    mf.build(path, mf.fixture_tables())
    return path


def test_displacement_adopter_ecommerce(db):
    # A, ecommerce, pre-period Jan+Feb: shoot days 2 + 4 = 6 → pre_level 3/month;
    # assets 40 + 60 = 100 → 100/6 = 16.666667 assets per shoot day (the upper bound's rate).
    # Control C: Jan 3, Feb 5 → pre mean 4; Mar 6 → trend 1.5; Apr 2 → trend 0.5.
    # Mar: expected 3 × 1.5 = 4.5, actual 1 (b4 cancelled) → DiD 3.5;
    #      twin assets U1 30 + U2 10 = 40 → upper 40 / 16.666667 = 2.4;
    #      twin_share 40 / (40 + 20) = 0.666667; cancelled_for_twin_days 2 (b4).
    # Apr: expected 3 × 0.5 = 1.5, actual 1.5 (b6 cancelled for budget) → DiD 0;
    #      twin assets 5+6+7+2+1+9+4 = 34 → upper 34 × 6 / 100 = 2.04; share 34/59.
    got = mf.rows(db, """
        select month, region, shoot_days, shoot_assets, bookings, twin_assets, twin_uses,
               twin_fee_paid, twin_share, cancelled_for_twin_days,
               displaced_shoot_days_upper, displaced_shoot_days_did, expected_shoot_days,
               adoption_month, is_adopter, post_adoption, pre_months, pre_level,
               control_trend, did_method, assets_per_shoot_day, upper_rate_source
        from marts.displacement_monthly where brand_id = 'A' and channel = 'ecommerce'
        order by month""")
    common = (MAR, True)
    tail = (2, 3.0)
    assert got == [
        (JAN, "GB", 2.0, 40, 1, 0, 0, Decimal("0"), 0.0, 0.0, 0.0, 0.0, None, *common, False,
         *tail, 0.75, "did_channel", 16.666667, "brand_pre_period"),
        (FEB, "GB", 4.0, 60, 1, 0, 0, Decimal("0"), 0.0, 0.0, 0.0, 0.0, None, *common, False,
         *tail, 1.25, "did_channel", 16.666667, "brand_pre_period"),
        (MAR, "GB", 1.0, 20, 1, 40, 2, Decimal("80"), 0.666667, 2.0, 2.4, 3.5, 4.5, *common,
         True, *tail, 1.5, "did_channel", 16.666667, "brand_pre_period"),
        (APR, "GB", 1.5, 25, 1, 34, 7, Decimal("50"), 0.576271, 0.0, 2.04, 0.0, 1.5, *common,
         True, *tail, 0.5, "did_channel", 16.666667, "brand_pre_period"),
    ]


def test_displacement_channel_without_control_or_bookings(db):
    # A, campaign: twins only (U11 3 assets in Mar, U4 8 in Apr); nobody ever booked a
    # campaign shoot. DiD: no control data in the channel → the control's all-channel trend
    # (pre mean (3+5)/2 = 4; Mar 6/4, Apr 2/4) × pre_level 0 = expected 0; actual 0 → 0.
    # Upper: no campaign rate anywhere → all bookings' rate: assets (40+60+20+25)+(30+50+60+20)
    # = 305 over days 8.5 + 16 = 24.5 → 12.44898; Mar 3/12.44898 = 0.240984, Apr 0.642623.
    got = mf.rows(db, """
        select month, shoot_days, twin_assets, twin_share, displaced_shoot_days_upper,
               displaced_shoot_days_did, expected_shoot_days, control_trend, did_method,
               assets_per_shoot_day, upper_rate_source
        from marts.displacement_monthly where brand_id = 'A' and channel = 'campaign'
        order by month""")
    assert got == [
        (JAN, 0.0, 0, 0.0, 0.0, 0.0, None, 0.75, "did_all_channels", 12.44898,
         "industry_all_channels"),
        (FEB, 0.0, 0, 0.0, 0.0, 0.0, None, 1.25, "did_all_channels", 12.44898,
         "industry_all_channels"),
        (MAR, 0.0, 3, 1.0, 0.240984, 0.0, 0.0, 1.5, "did_all_channels", 12.44898,
         "industry_all_channels"),
        (APR, 0.0, 8, 1.0, 0.642623, 0.0, 0.0, 0.5, "did_all_channels", 12.44898,
         "industry_all_channels"),
    ]


def test_displacement_never_adopter_is_zero(db):
    got = mf.rows(db, """
        select month, region, shoot_days, shoot_assets, twin_assets, twin_share,
               displaced_shoot_days_upper, displaced_shoot_days_did, expected_shoot_days,
               adoption_month, is_adopter, post_adoption, did_method
        from marts.displacement_monthly where brand_id = 'C' order by month""")
    assert got == [
        (JAN, "SE", 3.0, 30, 0, 0.0, 0.0, 0.0, None, None, False, False, None),
        (FEB, "SE", 5.0, 50, 0, 0.0, 0.0, 0.0, None, None, False, False, None),
        (MAR, "SE", 6.0, 60, 0, 0.0, 0.0, 0.0, None, None, False, False, None),
        (APR, "SE", 2.0, 20, 0, 0.0, 0.0, 0.0, None, None, False, False, None),
    ]
    assert mf.rows(db, "select count(*) from marts.displacement_monthly") == [(12,)]


def test_crew_impact(db):
    # A's pre-period (Jan+Feb, 6 shoot days): photographer 2 + 4 = 6 days → 1 per shoot day;
    # model 2 + 4 → 1; hair 2 → 1/3. DiD Mar 3.5 → displaced days 3.5, 3.5, 1.166667.
    # Median day rates over A's pre-period rows (EUR): photographer 400, 400 → 400;
    # model 500 and 441.74 GBP at 0.88348 = 500 → 500; hair 300.
    # Income Mar: 3.5 × 400 = 1400; 3.5 × 500 = 1750; 3.5/3 × 300 = 350.
    got = mf.rows(db, """
        select month, role, region, crew_days, crew_income, people, displaced_crew_days,
               displaced_crew_income, median_day_rate, day_rate_source
        from marts.crew_impact_monthly where brand_id = 'A' order by role, month""")
    d = Decimal
    assert got == [
        (JAN, "hair", "GB", 0.0, d("0"), 0, 0.0, 0.0, 300.0, "brand_pre_period"),
        (FEB, "hair", "GB", 2.0, d("600"), 1, 0.0, 0.0, 300.0, "brand_pre_period"),
        (MAR, "hair", "GB", 0.0, d("0"), 0, 1.166667, 350.0, 300.0, "brand_pre_period"),
        (APR, "hair", "GB", 0.0, d("0"), 0, 0.0, 0.0, 300.0, "brand_pre_period"),
        (JAN, "model", "GB", 2.0, d("1000"), 1, 0.0, 0.0, 500.0, "brand_pre_period"),
        (FEB, "model", "GB", 4.0, d("2000"), 1, 0.0, 0.0, 500.0, "brand_pre_period"),
        (MAR, "model", "GB", 1.0, d("800"), 1, 3.5, 1750.0, 500.0, "brand_pre_period"),
        (APR, "model", "GB", 1.5, d("700"), 1, 0.0, 0.0, 500.0, "brand_pre_period"),
        (JAN, "photographer", "GB", 2.0, d("800"), 1, 0.0, 0.0, 400.0, "brand_pre_period"),
        (FEB, "photographer", "GB", 4.0, d("1600"), 1, 0.0, 0.0, 400.0, "brand_pre_period"),
        (MAR, "photographer", "GB", 1.0, d("500"), 1, 3.5, 1400.0, 400.0, "brand_pre_period"),
        (APR, "photographer", "GB", 1.5, d("600"), 1, 0.0, 0.0, 400.0, "brand_pre_period"),
    ]


def test_crew_impact_control_and_currency(db):
    # C: model M3 in Jan (3 × 300 EUR); photographer P3 on Saturday 2023-04-15 paid
    # 2 × 1105.70 USD at Friday's fixing 1.1057 USD/EUR = 2000 EUR. Never adopts → 0.
    # Median day rates fall back to all rows of the role: model 300, 500, 500, 500, 800 → 500;
    # photographer 400, 400, 400, 500, 1000 → 400 (b4 is cancelled, bX unknown: left out).
    got = mf.rows(db, """
        select month, role, crew_days, crew_income, people, displaced_crew_days,
               displaced_crew_income, median_day_rate, day_rate_source
        from marts.crew_impact_monthly where brand_id = 'C' and crew_days > 0
        order by month, role""")
    assert got == [
        (JAN, "model", 3.0, Decimal("900"), 1, 0.0, 0.0, 500.0, "industry_all_time"),
        (APR, "photographer", 2.0, Decimal("2000"), 1, 0.0, 0.0, 400.0, "industry_all_time"),
    ]
    assert mf.rows(db, "select count(*), sum(displaced_crew_days) from "
                       "marts.crew_impact_monthly where brand_id = 'C'") == [(8, 0.0)]


def test_crew_currency_conversion_in_staging(db):
    got = mf.rows(db, """
        select booking_id, person_id, fx_date, day_rate_rep, fee_total_rep, booking_known
        from staging.stg_booking_crew where currency <> 'EUR' order by booking_id""")
    assert got == [
        # GBP, shoot date Friday 2023-02-10: 0.88348 GBP per EUR
        ("b2", "M1", date(2023, 2, 10), Decimal("500.0000"), Decimal("2000.0000"), True),
        # unknown booking: the latest fixing the warehouse holds (GBP 0.8338 on 2026-10-30)
        ("bX", "P9", date(2026, 10, 30), Decimal("119.9328"), Decimal("119.9328"), False),
        # USD, Saturday 2023-04-15 → Friday 2023-04-14's 1.1057 USD per EUR
        ("c4", "P3", date(2023, 4, 14), Decimal("1000.0000"), Decimal("2000.0000"), True),
    ]


def test_model_income_monthly(db):
    # M1: shoot fees Jan 1000, Feb 2000 (GBP converted), Apr 700 (fee_total given);
    # twin fees Mar U1 60 + U2 20 + U11 3 = 83, Apr 10+16+6+2+9+8 = 51. Twin T1 created
    # 2023-02-20 → has_twin from Feb. M2: Mar shoot 800; Apr twin U7 14 (T2 created Apr 11).
    # U10's twin TX is unknown: nobody's income.
    d = Decimal
    got = mf.rows(db, """
        select month, model_id, has_twin, shoot_income, twin_income, total_income,
               shoot_days, bookings, twin_assets
        from marts.model_income_monthly order by model_id, month""")
    assert got == [
        (JAN, "M1", False, d("1000"), d("0"), d("1000"), 2.0, 1, 0),
        (FEB, "M1", True, d("2000"), d("0"), d("2000"), 4.0, 1, 0),
        (MAR, "M1", True, d("0"), d("83"), d("83"), 0.0, 0, 43),
        (APR, "M1", True, d("700"), d("51"), d("751"), 1.5, 1, 34),
        (MAR, "M2", False, d("800"), d("0"), d("800"), 1.0, 1, 0),
        (APR, "M2", True, d("0"), d("14"), d("14"), 0.0, 0, 7),
        (JAN, "M3", False, d("900"), d("0"), d("900"), 3.0, 1, 0),
    ]


def test_income_distribution_yearly(db):
    # 2023 incomes: M1 3700 + 134 = 3834, M2 814, M3 900 (no twin).
    # all [814, 900, 3834]: median 900; p90 at position 0.9 × 2 = 1.8 → 900 + 0.8 × 2934
    # = 3247.2; top 10%: ceil(0.3) = 1 model → 3834 / 5548 = 0.691060;
    # gini: ordered-pair |diffs| 2 × (86 + 3020 + 2934) = 12080 / (2 × 9 × 5548/3) = 0.362894.
    # twin_holders [814, 3834]: median 2324; p90 814 + 0.9 × 3020 = 3532; top10 3834/4648;
    # gini 2 × 3020 / (2 × 4 × 2324) = 0.324871. no_twin [900]: gini 0, top10 1.
    got = mf.rows(db, """
        select year, cohort, models, median_income, p90_income, top10_share, gini,
               mean_income, total_income, shoot_income, twin_income
        from marts.income_distribution_yearly order by cohort""")
    assert got == [
        (2023, "all", 3, 900.0, 3247.2, 0.69106, 0.362894, 1849.3333, 5548.0, 5400.0, 148.0),
        (2023, "no_twin", 1, 900.0, 900.0, 1.0, 0.0, 900.0, 900.0, 900.0, 0.0),
        (2023, "twin_holders", 2, 2324.0, 3532.0, 0.824871, 0.324871, 2324.0, 4648.0,
         4500.0, 148.0),
    ]


def test_consent_monthly(db):
    # Mar: U1 30 licensed, U2 10 licensed (valid_to inclusive), U11 3 not_yet_valid.
    #   watermarked U1 + U11 = 33/43; disclosed U1 + U2 = 40/43.
    # Apr: licensed U4 8 + U12 9 = 17; expired U3 5; out_of_scope U6 6; no_licence U7 7 +
    #   U10 1 = 8; unknown_licence U8 2; revoked U5 4 (revoked on the day of use).
    #   watermarked U4 8 + U6 6 + U8 2 + U5 4 = 20/42; disclosed 20 + U12 9 = 29/42.
    got = mf.rows(db, """
        select month, brand_id, region, twin_assets, licensed_assets, unlicensed_assets,
               unlicensed_reason_counts, watermarked_share, disclosed_share, licensed_share,
               no_licence_assets, not_yet_valid_assets, expired_assets, revoked_assets,
               out_of_scope_assets, unknown_licence_assets, watermarked_assets,
               disclosed_assets, twin_uses, twin_fee_paid
        from marts.consent_monthly order by month""")
    reasons = ("no_licence", "not_yet_valid", "expired", "revoked", "out_of_scope",
               "unknown_licence")
    assert got == [
        (MAR, "A", "GB", 43, 40, 3, dict(zip(reasons, (0, 3, 0, 0, 0, 0), strict=True)),
         0.767442, 0.930233, 0.930233, 0, 3, 0, 0, 0, 0, 33, 40, 3, Decimal("83")),
        (APR, "A", "GB", 42, 17, 25, dict(zip(reasons, (8, 0, 5, 4, 6, 2), strict=True)),
         0.47619, 0.690476, 0.404762, 8, 0, 5, 4, 6, 2, 20, 29, 8, Decimal("66")),
    ]


def test_consent_twin_models(db):
    # Mar: only T1 (model M1) → 1. Apr: T1 (M1), T2 (M2) and TX, a twin not in the loaded
    # twins, counted as one model of its own → 3.
    assert mf.rows(db, "select month, brand_id, twin_models from marts.consent_monthly "
                       "order by month") == [(MAR, "A", 1), (APR, "A", 3)]


def test_brands(db):
    assert mf.rows(db, "select * from marts.brands order by brand_id") == [
        # coverage (CONTRACT §2): the one bookings file spans 2023-01..2023-04
        ("A", "GB", ["GB"], MAR, True, JAN, APR, JAN, APR, ["2023-01..2023-04"], 4),
        ("C", "SE", ["SE"], None, False, JAN, APR, JAN, APR, ["2023-01..2023-04"], 4),
    ]


def test_data_quality(db):
    got = mf.rows(db, "select check_name, kind, rows, assets, examples from marts.data_quality "
                      "where rows > 0 order by check_name")
    assert got == [
        ("crew_unknown_booking", "booking-crew", 1, None, ["bX"]),
        ("usage_licence_mismatch", "twin-usage", 1, 7, None),
        ("usage_unknown_licence", "twin-usage", 1, 2, None),
        ("usage_unknown_twin", "twin-usage", 1, 1, ["TX"]),
    ]


def test_every_relation_states_its_grain(db):
    got = mf.rows(db, """
        select schema_name, table_name, comment from duckdb_tables()
        where schema_name = 'marts' order by table_name""")
    assert [r[1] for r in got] == [
        "brands", "consent_monthly", "crew_impact_monthly", "data_quality",
        "displacement_estimates", "displacement_event_study",  # CONTRACT §4, etl/estimate.py
        "displacement_monthly", "employment",
        "filter_values",  # the dashboard's filter values (queries.known_values)
        "image_checks_monthly",  # images checked by scan-images (tests/test_images.py)
        "income_distribution_yearly", "model_income_monthly", "model_income_yearly",
        "rights_scorecard"]
    assert all(r[2].startswith("grain: one row per ") for r in got)
    assert dict((r[1], r[2]) for r in got)["displacement_monthly"] == (
        "grain: one row per month × brand_id × channel")


@pytest.fixture(scope="module")
def gini_db(tmp_path_factory):
    # 2024: four models earn 100 each. 2025: one model earns 1000, three earn 0 (day rate 0).
    # 2026: eleven models earn 100, 200, ..., 1100.
    bookings = [("g24", "G", "2024-05-02", "ecommerce", "GB", "1", "10", "completed", ""),
                ("g25", "G", "2025-05-02", "ecommerce", "GB", "1", "10", "completed", ""),
                ("g26", "G", "2026-05-04", "ecommerce", "GB", "1", "10", "completed", "")]
    crew = [("g24", f"E{i}", "model", "1", "100", "", "EUR") for i in range(4)]
    crew += [("g25", "Z0", "model", "1", "1000", "", "EUR")]
    crew += [("g25", f"Z{i}", "model", "1", "0", "", "EUR") for i in range(1, 4)]
    crew += [("g26", f"N{i:02}", "model", "1", str(100 * i), "", "EUR") for i in range(1, 12)]
    path = tmp_path_factory.mktemp("gini") / "warehouse.duckdb"
    mf.build(path, {"bookings": bookings, "booking-crew": crew})
    return path


def test_gini_of_known_distributions(gini_db):
    got = mf.rows(gini_db, """
        select year, models, median_income, p90_income, top10_share, gini
        from marts.income_distribution_yearly where cohort = 'all' order by year""")
    assert got == [
        (2024, 4, 100.0, 100.0, 0.25, 0.0),        # all equal → 0; top 10% = ceil(0.4) = 1
        (2025, 4, 0.0, 700.0, 1.0, 0.75),          # one has everything → (n − 1)/n = 3/4
        # 1..11 × 100: ceil(1.1) = 2 top earners (1100 + 1000) / 6600; gini (n − 1)/(3n)
        (2026, 11, 600.0, 1000.0, 0.318182, 0.30303),
    ]
    # nobody holds a twin: the twin_holders cohort is empty, not missing
    assert mf.rows(gini_db, """
        select models, median_income, p90_income, top10_share, gini
        from marts.income_distribution_yearly where cohort = 'twin_holders' and year = 2024
        """) == [(0, None, None, None, None)]


def test_consent_reason_precedence(tmp_path):
    # K1: T1 → A, ecommerce only, 2024-01-01..2024-01-31. K2: T1 → A, GB only, from
    # 2024-02-10, revoked 2024-02-20.
    licences = [
        ("K1", "T1", "A", "2024-01-01", "2024-01-01", "2024-01-31", "ecommerce", "*",
         "per_asset", "1", "EUR", ""),
        ("K2", "T1", "A", "2024-01-01", "2024-02-10", "", "*", "GB",
         "per_asset", "1", "EUR", "2024-02-20"),
    ]
    usage = [
        # on K1's first day → licensed
        ("V1", "2024-01-01", "T1", "A", "K1", "ecommerce", "GB", "1", "0", "EUR", "no", "no"),
        # no id: K1 wrong channel (out_of_scope), K2 not yet valid → the closer: out_of_scope
        ("V2", "2024-01-15", "T1", "A", "", "social", "GB", "2", "0", "EUR", "no", "no"),
        # no id: K1 expired, K2 revoked → the closer: expired
        ("V3", "2024-02-25", "T1", "A", "", "ecommerce", "GB", "4", "0", "EUR", "no", "no"),
        # named K2, revoked and out of region: revoked is checked first
        ("V4", "2024-02-21", "T1", "A", "K2", "ecommerce", "SE", "8", "0", "EUR", "no", "no"),
        # no id, between K1's end and K2's start: K1 expired, K2 not yet valid → expired
        ("V5", "2024-02-05", "T1", "A", "", "ecommerce", "GB", "16", "0", "EUR", "no", "no"),
    ]
    db = tmp_path / "warehouse.duckdb"
    mf.build(db, {"twins": [("T1", "M1", "2023-12-01")], "licenses": licences,
                  "twin-usage": usage})
    assert mf.rows(db, """
        select month, consent_status, assets from staging.int_usage_monthly
        order by month, assets""") == [
        (date(2024, 1, 1), "licensed", 1), (date(2024, 1, 1), "out_of_scope", 2),
        (date(2024, 2, 1), "revoked", 8), (date(2024, 2, 1), "expired", 20)]


def test_did_without_control_brands_or_pre_period(tmp_path):
    # Every brand adopts: no control group. X adopts in 2024-03 after 2 months of shoots
    # (2 and 4 days) → before_after: expected = pre_level 3, actual 1 → 2; upper: 60 assets
    # / 6 days = 10 per day → 10 twin assets / 10 = 1.
    # Y adopts in the data's first month → no pre-period: DiD not estimable (0, `none`);
    # upper at the industry's all-time ecommerce rate (20+40+10+30) / (2+4+1+3) = 10 → 0.5.
    bookings = [
        ("x1", "X", "2024-01-10", "ecommerce", "GB", "2", "20", "completed", ""),
        ("x2", "X", "2024-02-10", "ecommerce", "GB", "4", "40", "completed", ""),
        ("x3", "X", "2024-03-10", "ecommerce", "GB", "1", "10", "completed", ""),
        ("y2", "Y", "2024-02-10", "ecommerce", "GB", "3", "30", "completed", ""),
    ]
    usage = [
        ("W1", "2024-03-05", "T1", "X", "", "ecommerce", "GB", "10", "0", "EUR", "no", "no"),
        ("W2", "2024-01-05", "T1", "Y", "", "ecommerce", "GB", "5", "0", "EUR", "no", "no"),
    ]
    db = tmp_path / "warehouse.duckdb"
    mf.build(db, {"bookings": bookings, "twin-usage": usage})
    assert mf.rows(db, """
        select brand_id, month, did_method, pre_months, displaced_shoot_days_did,
               expected_shoot_days, displaced_shoot_days_upper, upper_rate_source
        from marts.displacement_monthly where post_adoption order by brand_id, month""") == [
        ("X", date(2024, 3, 1), "before_after", 2, 2.0, 3.0, 1.0, "brand_pre_period"),
        ("Y", date(2024, 1, 1), "none", 0, 0.0, None, 0.5, "industry_all_time"),
        ("Y", date(2024, 2, 1), "none", 0, 0.0, None, 0.0, "industry_all_time"),
        ("Y", date(2024, 3, 1), "none", 0, 0.0, None, 0.0, "industry_all_time"),
    ]


def test_crew_money_in_a_non_euro_reporting_currency(tmp_path):
    # Reporting currency GBP. On 2023-02-10: 0.88348 GBP and 1.069 USD per EUR.
    # 1000 EUR → 883.48 GBP; 1069 USD → 1069 / 1.069 × 0.88348 = 883.48 GBP; GBP stays.
    from etl.load import load_paths

    db = tmp_path / "warehouse.duckdb"
    bookings = mf.write_csv(tmp_path / "bookings.csv", mf.HEADERS["bookings"], [
        ("g1", "G", "2023-02-10", "ecommerce", "GB", "1", "10", "completed", "")])
    crew = mf.write_csv(tmp_path / "crew.csv", mf.HEADERS["booking-crew"], [
        ("g1", "P1", "photographer", "1", "1000", "", "EUR"),
        ("g1", "P2", "hair", "1", "1069", "", "USD"),
        ("g1", "P3", "makeup", "1", "500", "", "GBP")])
    load_paths(db, "bookings", [bookings], currency="GBP")
    load_paths(db, "booking-crew", [crew])
    assert mf.rows(db, """
        select role, crew_income from marts.crew_impact_monthly order by role""") == [
        ("hair", Decimal("883.4800")), ("makeup", Decimal("500.0000")),
        ("photographer", Decimal("883.4800"))]


def test_one_exchange_rate_staleness_rule_at_load_and_in_the_marts(tmp_path):
    # HRK's last ECB fixing is Friday 2022-12-30 (7.5365 per EUR; Croatia joined the euro),
    # so it holds until the ECB's next fixing day, Monday 2023-01-02 (stg_fx_rates). The same
    # rule for twin fees at load and crew fees in staging: Sunday 2023-01-01 converts,
    # 2023-01-02 and a 2025 date do not (before, crew took the 2022 rate for both).
    from etl.load import load_paths

    db = tmp_path / "warehouse.duckdb"
    days = ("2023-01-01", "2023-01-02", "2025-03-10")
    bookings = mf.write_csv(tmp_path / "bookings.csv", mf.HEADERS["bookings"], [
        (f"h{i}", "H", d, "ecommerce", "HR", "1", "10", "completed", "")
        for i, d in enumerate(days)])
    crew = mf.write_csv(tmp_path / "crew.csv", mf.HEADERS["booking-crew"], [
        (f"h{i}", f"P{i}", "photographer", "1", "753.65", "", "HRK") for i in range(3)])
    usage = mf.write_csv(tmp_path / "usage.csv", mf.HEADERS["twin-usage"], [
        (f"U{i}", d, "T1", "H", "", "ecommerce", "HR", "1", "753.65", "HRK", "no", "no")
        for i, d in enumerate(days)])
    load_paths(db, "bookings", [bookings])
    load_paths(db, "booking-crew", [crew])
    [r] = load_paths(db, "twin-usage", [usage])
    assert (r["inserted"], r["quarantined"]) == (1, 2)
    assert mf.rows(db, "select usage_id, fx_date, fee_paid_rep from raw.twin_usage") == [
        ("U0", date(2022, 12, 30), Decimal("100.0000"))]
    assert mf.rows(db, "select reason from meta.quarantine order by line") == [
        ("currency: no European Central Bank rate for 'HRK' on or just before 2023-01-02",),
        ("currency: no European Central Bank rate for 'HRK' on or just before 2025-03-10",)]
    assert mf.rows(db, """
        select booking_id, fx_date, fee_total_rep from staging.stg_booking_crew
        order by booking_id""") == [
        ("h0", date(2022, 12, 30), Decimal("100.0000")), ("h1", None, None), ("h2", None, None)]
    assert mf.rows(db, "select rows from marts.data_quality "
                       "where check_name = 'crew_no_fx_rate'") == [(2,)]

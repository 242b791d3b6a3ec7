"""Coverage, the pre-period and the displacement estimates on hand-built worlds (CONTRACT §2, §4).

World (2024, ecommerce, assets = 10 × days): controls C1, C2, C3 book 2, 3 and 5 / 3 days
(odd / even months) in main.csv (2024-01..2024-12): 10 and 8 days, a pre-period mean of 9, so
the control trend is 10/9 in odd months and 8/9 in even ones. An adopter booking the same days
every month has relative residuals y ÷ E − 1 of −0.1 and +0.125 in turn: its scatter is not 0
and its interval has width. Adopters (first twin use = adoption):
  A  main.csv, 4 days/month Jan–Jun, 2 days Jul–Dec; twins from Jul.
  U  main.csv, 1 day every month; twins from Jul → unchanged bookings.
  P  main.csv, 1 day every month; twins from Jan → no pre-period: not estimable.
  E  early.csv (Jan–Sep only), 1 day/month; twins Jul–Dec → observed Jan–Sep only.
  L  late.csv (Apr–Dec only), 2 days/month; twins from Jun → pre-period Apr, May: two
     residual months, its scatter cannot be measured: not estimable.
"""

from __future__ import annotations

from datetime import date

import marts_fixture as mf
import pytest

from etl import cli
from etl.load import load_paths

MONTHS = range(1, 13)
CONTROLS = {"C1": 2, "C2": 3, "C3": (5, 3)}  # a pair: days in odd, even months


def _booking(brand: str, month: int, days: float) -> tuple:
    return (f"{brand}-{month}", brand, f"2024-{month:02d}-10", "ecommerce", "GB", str(days),
            str(int(days * 10)), "completed", "")


def _use(brand: str, month: int, assets: int) -> tuple:
    return (f"u{brand}-{month}", f"2024-{month:02d}-12", "T1", brand, "", "ecommerce", "GB",
            str(assets), "0", "EUR", "true", "true")


def _days(d, month: int) -> float:
    return d[(month - 1) % 2] if isinstance(d, tuple) else d


def _build(tmp_path, controls: dict) -> object:
    main = [_booking(c, m, _days(d, m)) for c, d in controls.items() for m in MONTHS]
    main += [_booking("A", m, 4 if m <= 6 else 2) for m in MONTHS]
    main += [_booking("U", m, 1) for m in MONTHS] + [_booking("P", m, 1) for m in MONTHS]
    early = [_booking("E", m, 1) for m in range(1, 10)]
    late = [_booking("L", m, 2) for m in range(4, 13)]
    usage = ([_use("A", m, 20) for m in range(7, 13)] + [_use("U", m, 10) for m in range(7, 13)]
             + [_use("P", m, 10) for m in MONTHS] + [_use("E", m, 10) for m in range(7, 13)]
             + [_use("L", m, 20) for m in range(6, 13)])
    db = tmp_path / "w.duckdb"
    for name, rows in (("main", main), ("early", early), ("late", late)):
        path = mf.write_csv(tmp_path / f"{name}.csv", mf.HEADERS["bookings"], rows)
        assert load_paths(db, "bookings", [path])[0]["status"] == "loaded"
    path = mf.write_csv(tmp_path / "usage.csv", mf.HEADERS["twin-usage"], usage)
    assert load_paths(db, "twin-usage", [path])[0]["status"] == "loaded"
    return db


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return _build(tmp_path_factory.mktemp("est"), CONTROLS)


def test_coverage_is_recorded_per_file_and_brand(db):
    assert mf.rows(db, """
        select brand_id, covered_from, covered_to, coverage, observed_months
        from marts.brands where brand_id in ('A', 'E', 'L') order by brand_id""") == [
        ("A", date(2024, 1, 1), date(2024, 12, 1), ["2024-01..2024-12"], 12),
        ("E", date(2024, 1, 1), date(2024, 9, 1), ["2024-01..2024-09"], 9),
        ("L", date(2024, 4, 1), date(2024, 12, 1), ["2024-04..2024-12"], 9),
    ]


def test_no_invented_zeros_outside_coverage(db):
    # E's file ends in September: October–December have no row, no zero, no displacement,
    # although its twins are used then (the bug: zeros up to the warehouse's last month).
    assert mf.rows(db, """
        select month, shoot_days, displaced_shoot_days_did, displaced_shoot_days_upper
        from marts.displacement_monthly where brand_id = 'E' and month >= '2024-06-01'
        order by month""") == [
        (date(2024, 6, 1), 1.0, 0.0, 0.0),
        (date(2024, 7, 1), 1.0, 0.111111, 1.0),   # 1 × 10/9 − 1
        (date(2024, 8, 1), 1.0, -0.111111, 1.0),  # 1 × 8/9 − 1
        (date(2024, 9, 1), 1.0, 0.111111, 1.0),
    ]
    # L's file starts in April: its pre-period is April and May only
    assert mf.rows(db, """
        select min(month), any_value(pre_months), any_value(pre_level), count(*)
        from marts.displacement_monthly where brand_id = 'L'""") == [
        (date(2024, 4, 1), 2, 2.0, 9)]
    assert mf.rows(db, "select brand_id, adoption_month, pre_months, pre_start "
                       "from staging.int_pre_period where month = pre_start "
                       "order by brand_id") == [
        ("A", date(2024, 7, 1), 6, date(2024, 1, 1)),
        ("E", date(2024, 7, 1), 6, date(2024, 1, 1)),
        ("L", date(2024, 6, 1), 2, date(2024, 4, 1)),
        ("U", date(2024, 7, 1), 6, date(2024, 1, 1)),
    ]


RHO = -0.3  # alternating residuals: ρ̂ far below 0, clipped at the estimator's floor (−0.3)


def _se(z2: float, pre: list[int], pre_e: list[float], post: list[int], post_e: list[float],
        rho: float = RHO) -> float:
    """The AR(1) standard error, written out: σ² = Σz² ÷ (m − 1ᵀR1 ÷ m) over the pre months;
    weights −E on each post month and ΣE × E_s ÷ ΣE_pre on each pre month s (the level's
    share); se² = σ² wᵀRw with R[s, t] = ρ^|s − t|."""
    import numpy as np

    months = np.array(pre + post)
    r = rho ** np.abs(months[:, None] - months[None, :])
    m = len(pre)
    sigma2 = z2 / (m - r[:m, :m].sum() / m)
    w = np.r_[sum(post_e) * np.array(pre_e) / sum(pre_e), -np.array(post_e)]
    return float(np.sqrt(sigma2 * w @ r @ w))


def test_estimates_exact_rows(db):
    # A: expected 4 × 10/9 (odd months) and 4 × 8/9 (even), actual 2, Jul–Dec → DiD
    # 3 × (22/9 + 14/9) = 12; upper 20 twin assets ÷ 10 per day × 6. Its residuals y ÷ E − 1
    # are −0.1, +0.125 in turn (±0.1125 around their mean: Σz² = 6 × 0.1125²); they alternate,
    # so ρ is the floor −0.3 (_se above writes the rest out); t(0.975, 5) = 2.571.
    # U: 1 day throughout → DiD 0, E a quarter of A's. E: Jul–Sep, DiD 28/9 − 3 = 1/9
    # (rounded to 6 places by the mart). L: two pre months (Apr, May): its scatter cannot be
    # measured → not estimable, never a zero-width interval. P: no pre-period.
    # ALL: A + U + E; se² = Σ se² + (Σ se)² ÷ 3 controls, t(0.975, 2) = 4.303. upper counts
    # every adopter: 12 + 3 + 14 + 12 + 6 = 47; months_observed 12 + 9 + 9 + 12 + 12 = 54.
    z2 = 6 * 0.1125 ** 2
    e_a = [40 / 9, 32 / 9] * 3
    se_a = _se(z2, list(range(1, 7)), e_a, list(range(7, 13)), e_a)
    se_u = se_a / 4
    se_e = _se(z2, list(range(1, 7)), e_a, [7, 8, 9], [10 / 9, 8 / 9, 10 / 9])
    half_a, half_u, half_e = (2.571 * x for x in (se_a, se_u, se_e))
    half_all = 4.303 * (se_a**2 + se_u**2 + se_e**2 + (se_a + se_u + se_e) ** 2 / 3) ** 0.5
    got = mf.rows(db, """
        select scope, year, months_observed, round(did, 4), round(did_low, 4),
               round(did_high, 4), upper, control_brands, estimable, note, brands, rho
        from marts.displacement_estimates order by scope = 'ALL', scope""")
    never = (0.0, 0.0, 0.0, 0.0, None, True, "never adopts twins", 1, None)
    assert got == [
        ("A", 2024, 12, 12.0, pytest.approx(12 - half_a, abs=2e-4),
         pytest.approx(12 + half_a, abs=2e-4), 12.0, 3, True, None, 1, RHO),
        ("C1", 2024, 12, *never), ("C2", 2024, 12, *never), ("C3", 2024, 12, *never),
        ("E", 2024, 9, 0.1111, pytest.approx(0.1111 - half_e, abs=2e-4),
         pytest.approx(0.1111 + half_e, abs=2e-4), 3.0, 3, True, None, 1, RHO),
        ("L", 2024, 9, None, None, None, 14.0, 3, False,
         "fewer than 3 pre-adoption months with 3 control brands (2): the brand's scatter "
         "cannot be measured", 1, None),
        ("P", 2024, 12, None, None, None, 12.0, 0, False, "no observed pre-adoption months", 1,
         None),
        ("U", 2024, 12, 0.0, pytest.approx(-half_u, abs=2e-4), pytest.approx(half_u, abs=2e-4),
         6.0, 3, True, None, 1, RHO),
        ("ALL", 2024, 54, 12.1111, pytest.approx(12.1111 - half_all, abs=2e-4),
         pytest.approx(12.1111 + half_all, abs=2e-4), 47.0, 3, True,
         "2 adopting brand(s) not estimable this year are left out", 3, RHO),
    ]
    # the mart's monthly DiD and the estimate agree exactly
    assert mf.rows(db, "select sum(displaced_shoot_days_did) from marts.displacement_monthly "
                       "where brand_id = 'A'") == [(12.0,)]
    # no estimable row has a zero-width interval
    assert mf.rows(db, "select count(*) from marts.displacement_estimates where estimable "
                       "and did_high - did_low < 1e-9 and note is distinct from "
                       "'never adopts twins' and note is distinct from 'before adoption'") == [(0,)]


def test_event_study_exact_rows(db):
    # A: a placebo month's effect is the level from the other 5 pre months (4) × the trend −
    # 4: 40/9 − 4 = 4/9 in odd months, 32/9 − 4 = −4/9 in even ones; after adoption the DiD,
    # 22/9 and 14/9. se of a post month: _se over that one month.
    got = mf.rows(db, """
        select event_month, round(effect, 4), brands, placebo,
               round(effect_high - effect, 4), joint_high - effect > effect_high - effect
        from marts.displacement_event_study where scope = 'A' order by event_month""")
    assert [r[:4] for r in got] == [
        *((e, (0.4444, -0.4444)[e % 2], 1, True) for e in range(-6, 0)),
        *((e, (2.4444, 1.5556)[e % 2], 1, False) for e in range(0, 6)),
    ]
    e_a = [40 / 9, 32 / 9] * 3
    assert got[6][4] == pytest.approx(2.571 * _se(6 * 0.1125 ** 2, list(range(1, 7)), e_a, [7],
                                                  [40 / 9]), abs=2e-4)
    assert all(r[5] for r in got)  # the simultaneous band is wider than the pointwise one
    # ALL at +3 (A Oct, U Oct; E's October is not observed; L not estimable)
    assert mf.rows(db, "select round(effect, 4), brands from marts.displacement_event_study "
                       "where scope = 'ALL' and event_month = 3") == [(1.4444, 2)]


def test_fewer_than_three_controls_is_not_estimable(tmp_path):
    db = _build(tmp_path, {"C1": 2, "C2": 3})
    assert mf.rows(db, """
        select did, did_low, did_high, control_brands, estimable, note
        from marts.displacement_estimates where scope = 'A'""") == [
        (None, None, None, 2, False,
         "fewer than 3 control brands observed in these months (2)")]
    assert mf.rows(db, "select count(*) from marts.displacement_event_study") == [(0,)]


def test_covers_declares_coverage_and_bad_values_are_usage_errors(tmp_path, capsys):
    path = mf.write_csv(tmp_path / "b.csv", mf.HEADERS["bookings"],
                        [_booking("A", 3, 1), _booking("B", 5, 1)])
    db = tmp_path / "w.duckdb"
    assert cli.main(["load", "bookings", str(path), "--covers", "2024-01..2024-10",
                     "--db", str(db)]) == 0
    assert mf.rows(db, "select brand_id, first_month, last_month from meta.coverage "
                       "order by brand_id") == [
        ("A", date(2024, 1, 1), date(2024, 10, 1)), ("B", date(2024, 1, 1), date(2024, 10, 1))]
    # inside coverage, months without bookings are real zeros
    assert mf.rows(db, "select count(*), sum(shoot_days) from marts.displacement_monthly "
                       "where brand_id = 'A'") == [(10, 1.0)]
    capsys.readouterr()
    for bad in ("2024-13..2024-12", "2024-05..2024-01", "2024"):
        assert cli.main(["load", "bookings", str(path), "--covers", bad, "--db", str(db)]) == 2
        err = capsys.readouterr().err
        assert err.startswith("error: --covers") and err.count("\n") == 1, err


def test_unchanged_bookings_against_noisy_controls_contain_zero(tmp_path):
    # Controls now wobble ±1 day around 2, 3 and 4 days (in different months), so placebo
    # errors are not 0 and the intervals have width; U's bookings never change.
    wobble = {"C1": [2, 3, 1, 2, 2, 3, 1, 2, 3, 2, 1, 2], "C2": [3, 3, 4, 2, 3, 4, 3, 2, 3, 4, 3, 2],
              "C3": [4, 5, 4, 3, 4, 4, 5, 3, 4, 4, 5, 3], "C4": [2, 2, 3, 2, 1, 2, 2, 3, 2, 1, 2, 2]}
    db = tmp_path / "w.duckdb"
    rows = [_booking(c, m, d) for c, ds in wobble.items() for m, d in zip(MONTHS, ds, strict=True)]
    rows += [_booking("U", m, 1) for m in MONTHS]
    mf.write_csv(tmp_path / "b.csv", mf.HEADERS["bookings"], rows)
    mf.write_csv(tmp_path / "u.csv", mf.HEADERS["twin-usage"], [_use("U", 7, 10)])
    load_paths(db, "bookings", [tmp_path / "b.csv"])
    load_paths(db, "twin-usage", [tmp_path / "u.csv"])
    [(did, low, high, controls)] = mf.rows(db, """
        select did, did_low, did_high, control_brands from marts.displacement_estimates
        where scope = 'U'""")
    assert controls == 4 and low < 0 < high and high - low > 0.5
    assert low < did < high


def test_interval_from_the_brands_own_pre_period_scatter(tmp_path):
    # Constant controls (trend 1). W books 1, 3, 1, 3, 1, 3 days Jan–Jun (mean 2: relative
    # residuals ±0.5, alternating: ρ = −0.3), then 2 days a month with twins from Jul:
    # expected 2 a month, DiD 0; se as _se writes it out; t(0.975, 5) = 2.571.
    rows = [_booking(c, m, d) for c, d in {"C1": 2, "C2": 3, "C3": 4}.items() for m in MONTHS]
    rows += [_booking("W", m, (1, 3)[(m - 1) % 2] if m <= 6 else 2) for m in MONTHS]
    db = tmp_path / "w.duckdb"
    load_paths(db, "bookings", [mf.write_csv(tmp_path / "b.csv", mf.HEADERS["bookings"], rows)])
    usage = [_use("W", m, 10) for m in range(7, 13)]
    load_paths(db, "twin-usage", [mf.write_csv(tmp_path / "u.csv", mf.HEADERS["twin-usage"],
                                               usage)])
    [(did, low, high, note)] = mf.rows(db, """
        select did, did_low, did_high, note from marts.displacement_estimates
        where scope = 'W'""")
    half = 2.571 * _se(6 * 0.25, list(range(1, 7)), [2] * 6, list(range(7, 13)), [2] * 6)
    assert (did, note) == (0.0, None)
    assert low == pytest.approx(-half) and high == pytest.approx(half)
    # event study: a post month's se as _se over that month; a placebo month (June) is
    # predicted from the other five pre months: weights −2 there and 2 ÷ 5 on each of them
    got = dict(mf.rows(db, """
        select event_month, effect_high - effect from marts.displacement_event_study
        where scope = 'W' and event_month in (-1, 0)"""))
    assert got[0] == pytest.approx(2.571 * _se(1.5, list(range(1, 7)), [2] * 6, [7], [2]))
    assert got[-1] == pytest.approx(2.571 * _se(1.5, list(range(1, 6)), [2] * 5, [6], [2])
                                    * (1.5 / (6 - _r_sum(6) / 6)) ** 0.5
                                    / (1.5 / (5 - _r_sum(5) / 5)) ** 0.5)


def _r_sum(m: int, rho: float = RHO) -> float:
    """1ᵀR1 over m consecutive months."""
    return sum(rho ** abs(i - j) for i in range(m) for j in range(m))


def test_interval_words():
    from dashboard import interval

    assert interval.estimate(346.4, 279.6, 410.2) == "346 shoot days (95% interval 280–410)"
    assert interval.estimate(-3.2, -12.6, 6.1) == "−3 shoot days (95% interval −13–6)"
    assert interval.estimate(12.0, 12.0, 12.0) == "12 shoot days"
    assert interval.estimate(None, None, None, estimable=False,
                             note="no observed pre-adoption months") == (
        "not estimable: no observed pre-adoption months")
    assert interval.row({"crew_days": 1200.0, "crew_days_low": 950.0, "crew_days_high": 1450.0,
                         "estimable": True, "note": None}, unit="crew days",
                        prefix="crew_days") == "1,200 crew days (95% interval 950–1,450)"
    assert interval.agrees_with_upper(10, 4, 5) and not interval.agrees_with_upper(10, 6, 5)


def test_queries_respect_brand_and_region_filters(db):
    from dashboard import queries
    from dashboard.filters import Filters

    every = queries.displacement_estimates(db, Filters(from_month="2024-01", to_month="2024-12"))
    assert list(every["scope"]) == ["ALL", "A", "C1", "C2", "C3", "E", "L", "P", "U"]
    one = queries.displacement_estimates(db, Filters(brand=("A",)))
    assert one[["scope", "year", "did"]].values.tolist() == [["A", 2024, 12.0]]
    assert queries.displacement_estimates(db, Filters(from_month="2025-01",
                                                      to_month="2025-06")).empty
    assert queries.displacement_estimates(db, Filters(region=("SE",))).empty
    cov = queries.coverage(db, Filters(brand=("E", "L")))
    assert cov.values.tolist() == [["E", "2024-01", "2024-09", "2024-01..2024-09", 9],
                                   ["L", "2024-04", "2024-12", "2024-04..2024-12", 9]]
    es = queries.event_study(db, Filters())
    # A, U (Jan–Dec) and E (Jan–Sep) adopted in July; L is not estimable
    assert set(es["scope"]) == {"ALL"} and list(es["event_month"]) == list(range(-6, 6))
    a = queries.event_study(db, Filters(brand=("A",)))
    assert a[["event_month", "effect", "placebo"]].round(4).values.tolist()[5:7] == [
        [-1, -0.4444, True], [0, 2.4444, False]]


def test_event_study_chart_shades_placebo_months(db):
    from dashboard import charts, queries
    from dashboard.filters import Filters

    fig = charts.event_study(queries.event_study(db, Filters(brand=("A",))))
    [shade] = fig.layout.shapes[:1]
    assert (shade.x0, shade.x1) == (-6.5, -0.5)
    assert [t.name for t in fig.data] == [None, "simultaneous 95% band", None,
                                          "95% interval (each month)", "estimate"]
    assert [round(y, 4) for y in fig.data[4].y] == [0.4444, -0.4444] * 3 + [2.4444, 1.5556] * 3


def test_bench_summary_figures():
    from etl import bench_estimators as be

    # (estimable, did, low, high, truth) per brand-year; (did, low, high, truth) per ALL-year
    world = {"brand_years": [(True, 10.0, 6.0, 14.0, 12.0), (True, 20.0, 15.0, 25.0, 26.0),
                             (False, None, None, None, 5.0), (True, 4.0, 2.0, 6.0, 4.0)],
             "all_years": [(34.0, 28.0, 40.0, 42.0), (30.0, 20.0, 40.0, 33.0)],
             "never_zero": [True, True], "placebo": [True, True, False, True],
             "placebo_all": [True]}
    got = be.summarise([world])
    assert got == {
        "worlds": 1, "brand_years": 4, "estimable_share": 0.75,
        "bias_brand_year": round((-2 - 6 + 0) / 3, 3), "relative_bias": round(-8 / 42, 3),
        "coverage_brand_years": round(2 / 3, 3), "coverage_all_years": 0.5, "all_years": 2,
        "bias_all_year": -5.5,
        # half-widths 4, 5, 2 → median 4; truths 12, 26, 4 → median 12
        "median_half_width_over_truth": round(4 / 12, 3),
        "placebo_coverage": 0.75, "placebo_coverage_all": 1.0,
        "never_adopters_exactly_zero": True,
        "pretrend_flagged": None, "zero_width_estimable_rows": 0,
        "estimates_not_equal_monthly_sums": 0,
    }


def test_bench_estimators_rejects_no_seeds(capsys):
    assert cli.main(["bench", "--estimators", "--seeds", "0"]) == 2
    assert capsys.readouterr().err.startswith("error: --seeds 0")


def test_coverage_survives_reloads_and_accumulates_per_file(tmp_path):
    db = tmp_path / "w.duckdb"
    f = tmp_path / "a.csv"
    mf.write_csv(f, mf.HEADERS["bookings"], [_booking("A", 1, 1), _booking("A", 3, 1)])
    load_paths(db, "bookings", [f])
    # the same file name again, now reaching May: the later load states that file's coverage
    mf.write_csv(f, mf.HEADERS["bookings"], [_booking("A", 1, 1), _booking("A", 5, 1)])
    load_paths(db, "bookings", [f])
    g = mf.write_csv(tmp_path / "b.csv", mf.HEADERS["bookings"], [_booking("A", 9, 2)])
    load_paths(db, "bookings", [g])
    load_paths(db, "bookings", [g])  # skipped: same bytes, coverage unchanged
    assert mf.rows(db, "select file, first_month, last_month from meta.coverage "
                       "order by first_month") == [
        (str(f), date(2024, 1, 1), date(2024, 5, 1)), (str(g), date(2024, 9, 1), date(2024, 9, 1))]
    assert mf.rows(db, "select coverage, observed_months from marts.brands") == [
        (["2024-01..2024-05", "2024-09..2024-09"], 6)]

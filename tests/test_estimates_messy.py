"""Estimates on panels shaped like real exports (issue 18): too few pre months, a month no
file covers, controls whose file ends before adoption, a brand leaving the data.

Every world: 2024, ecommerce, assets = 10 × days; noisy controls C1 (2 days), C2 (3) and C3
(5 in odd months, 3 in even ones), so every brand's residuals have scatter.
"""

from __future__ import annotations

import re
from datetime import date

import marts_fixture as mf
from test_estimates import CONTROLS, _booking, _days, _use

from dashboard import figures, queries, report
from dashboard.audience import Audience
from dashboard.filters import Filters
from etl.load import load_paths

LOCAL = Audience(role="local", k=None)


def _load(tmp_path, files: dict[str, list[tuple]], usage: list[tuple]):
    db = tmp_path / "w.duckdb"
    for name, rows in files.items():
        path = mf.write_csv(tmp_path / f"{name}.csv", mf.HEADERS["bookings"], rows)
        assert load_paths(db, "bookings", [path])[0]["status"] == "loaded"
    path = mf.write_csv(tmp_path / "usage.csv", mf.HEADERS["twin-usage"], usage)
    assert load_paths(db, "twin-usage", [path])[0]["status"] == "loaded"
    return db


def _controls(months) -> list[tuple]:
    return [_booking(c, m, _days(d, m)) for c, d in CONTROLS.items() for m in months]


def test_fewer_than_three_pre_months_is_not_estimable_never_zero_width(tmp_path):
    # X adopts in March, the third month of every file: two pre months, and no control has
    # three months before it. The brand's scatter cannot be measured: X and ALL are not
    # estimable, and the event study has no X month (the bug: σ = 0, zero-width intervals
    # marked estimable, every event-study month of zero width).
    rows = _controls(range(1, 13)) + [_booking("X", m, 4 if m < 3 else 2) for m in range(1, 13)]
    db = _load(tmp_path, {"main": rows}, [_use("X", m, 20) for m in range(3, 13)])
    assert mf.rows(db, """
        select scope, did, did_low, did_high, estimable, note from marts.displacement_estimates
        where scope in ('X', 'ALL') order by scope""") == [
        ("ALL", None, None, None, False, "no adopting brand is estimable this year"),
        ("X", None, None, None, False,
         "fewer than 3 pre-adoption months with 3 control brands (2): the brand's scatter "
         "cannot be measured"),
    ]
    assert mf.rows(db, "select count(*) from marts.displacement_event_study") == [(0,)]


def test_a_month_no_file_covers_leaves_the_calendar_dense(tmp_path):
    # Two files: Jan–Apr and Jun–Dec; May is covered by none, so it is unobserved, not a
    # zero, and not skipped over. G books 4 days a month, 2 from its first twin use in
    # August. The estimate equals the monthly mart's sum (the bug: 13.66 against 15.43),
    # event month 0 is August and −1 is July (the bug: September and August), and May
    # (−3) has no placebo month.
    def rows(months):
        return _controls(months) + [_booking("G", m, 4 if m < 8 else 2) for m in months]

    db = _load(tmp_path, {"early": rows(range(1, 5)), "late": rows(range(6, 13))},
               [_use("G", m, 20) for m in range(8, 13)])
    [(mart_sum, august)] = mf.rows(db, """
        select sum(displaced_shoot_days_did),
               sum(displaced_shoot_days_did) filter (where month = '2024-08-01')
        from marts.displacement_monthly where brand_id = 'G'""")
    # 4 × trend − 2: trend 10/9 in odd months and 8/9 in even ones, here over the pre
    # months Jan–Apr, Jun, Jul (10 + 8 + 10 + 8 + 8 + 10 = 54 ÷ 6 = 9): Aug..Dec
    assert round(mart_sum, 4) == round(4 * (8 + 10 + 8 + 10 + 8) / 9 - 10, 4)
    assert mf.rows(db, "select round(did, 4), estimable from marts.displacement_estimates "
                       "where scope = 'G'") == [(round(mart_sum, 4), True)]
    got = dict(mf.rows(db, "select event_month, round(effect, 4) "
                           "from marts.displacement_event_study where scope = 'G'"))
    assert got[0] == round(august, 4) == round(4 * 8 / 9 - 2, 4)
    assert sorted(got) == [-7, -6, -5, -4, -2, -1, 0, 1, 2, 3, 4]
    assert mf.rows(db, "select count(*) from marts.displacement_monthly "
                       "where month = '2024-05-01'") == [(0,)]


def test_controls_ending_before_adoption_no_figure_called_did(tmp_path):
    # The controls' file ends in June; B adopts in August. The monthly mart's figure for
    # B's post months is then a before/after shortfall (did_method 'before_after'): the
    # key numbers leave the DiD empty and show that figure under its own name (the bug:
    # "Shoot days displaced (difference in differences) 22" beside "not estimable").
    controls = _controls(range(1, 7))
    brand = [_booking("B", m, 4 if m < 8 else 2) for m in range(1, 13)]
    db = _load(tmp_path, {"controls": controls, "brand": brand},
               [_use("B", m, 20) for m in range(8, 13)])
    assert mf.rows(db, "select estimable, note from marts.displacement_estimates "
                       "where scope = 'B'") == [
        (False, "fewer than 3 control brands observed in these months (0)")]
    f = Filters(from_month="2024-01", to_month="2024-12", brand=("B",))
    numbers = report.key_numbers(db, f, LOCAL).set_index("metric")["value"]
    did = numbers["Shoot days displaced (difference in differences)"]
    assert did != did  # NaN: shown as –
    assert numbers[report.BEFORE_AFTER] == 10.0  # 5 months × (4 − 2)
    html = report.build_html(db, f, LOCAL)
    assert "<td>Shoot days displaced (difference in differences)</td><td class=num>–</td>" \
        in html


def test_a_brand_leaving_the_data_is_named_beside_the_change(tmp_path):
    # H's file covers 2023 and 2024; K's file stops at the end of 2023. The change from
    # 2023 to 2024 is not like for like: the key numbers say that K left the data.
    rows = [_dated("H", y, m, 3) for y in (2023, 2024) for m in range(1, 13)]
    k = [_dated("K", 2023, m, 5) for m in range(1, 13)]
    db = _load(tmp_path, {"h": rows, "k": k}, [_use("H", 1, 1)])
    f = Filters(from_month="2024-01", to_month="2024-12")
    totals = queries.displacement_totals(db, f)
    assert [list(x) for x in totals["brand_ids"]] == [["H"], ["H", "K"]]
    assert report.turnover(totals) == (
        "Changes against the previous period compare different brands: K left the data "
        "(previous period only).")
    html = report.build_html(db, Filters(from_month="2024-01", to_month="2024-12",
                                         brand=("H",)), LOCAL)
    assert "K left" not in html  # the brand's own report: only its own brand
    assert mf.rows(db, "select min(month) from marts.displacement_monthly") == [
        (date(2023, 1, 1),)]


def test_f_tail():
    from etl.estimate import f_sf

    # the 95% points of F(3, 10), F(1, 20) and F(2, 5) (tables)
    assert [round(f_sf(x, a, b), 4) for x, a, b in ((3.708, 3, 10), (4.351, 1, 20),
                                                   (5.786, 2, 5))] == [0.05, 0.05, 0.05]
    assert f_sf(0.0, 3, 4) == 1.0


def _dated(brand: str, year: int, month: int, days: float) -> tuple:
    b = list(_booking(brand, month, days))
    b[0], b[2] = f"{brand}-{year}-{month}", f"{year}-{month:02d}-10"
    return tuple(b)


def test_shoots_cut_before_the_first_twin_use_fail_the_pre_trend_test(tmp_path):
    # 2023–2024. Q1..Q3 book 4 days a month, cut to 1 in 2024-05 and 2024-06, two months
    # before their first twin use in July (anticipation); R books 2 days throughout. The
    # joint test of the last three pre months (against the 15 before them) flags the cut for
    # each Q and for ALL, not for R; R's breakdown M̄ is did_low ÷ (its largest placebo
    # deviation × 6 post months), or 0 when its interval includes 0.
    years = [(y, m) for y in (2023, 2024) for m in range(1, 13)]
    rows = [_dated(c, y, m, _days(d, m)) for c, d in CONTROLS.items() for y, m in years]
    rows += [_dated("R", y, m, 2) for y, m in years]
    rows += [_dated(q, y, m, 1 if (y, m) in ((2024, 5), (2024, 6)) else 4)
             for q in ("Q1", "Q2", "Q3") for y, m in years]
    usage = [_use(b, m, 20) for b in ("Q1", "Q2", "Q3", "R") for m in range(7, 13)]
    db = _load(tmp_path, {"main": rows}, usage)
    got = dict(mf.rows(db, "select scope, any_value(pretrend_p) "
                           "from marts.displacement_estimates where pretrend_p is not null "
                           "group by scope"))
    assert got["ALL"] < 0.05 and got["Q1"] < 0.05 and got["R"] > 0.05, got
    [(low, m)] = mf.rows(db, "select did_low, breakdown_m from marts.displacement_estimates "
                             "where scope = 'R' and year = 2024")
    deviation = mf.rows(db, "select max(abs(effect)) from marts.displacement_event_study "
                            "where scope = 'R' and placebo")[0][0]
    assert m == (0.0 if low <= 0 else low / (deviation * 6))
    # the test said in words under the estimates table: the table declaration's sentence
    # (the page builds none of its own); ALL is flagged
    built = figures.compose(db, figures.DECLARED["displacement-estimates"],
                            Filters(from_month="2024-01", to_month="2024-12"), LOCAL)
    assert built.summary.startswith("Joint pre-trend test over the 3 months before the first "
                                    "twin use: p ")
    assert built.summary.endswith(
        "; below 0.05: shoots had already departed from the comparison before the first twin "
        "use (anticipation, or trends that are not parallel), so the estimate may be biased.")
    # and the brand report prints the same declaration's sentence under its estimates table
    text = report.build_html(db, Filters(from_month="2024-01", to_month="2024-12",
                                         brand=("Q1",)), LOCAL)
    said = re.search(r'<p id="pretrend">([^<]*)</p>', text).group(1)
    assert said.startswith("Joint pre-trend test over the 3 months before the first twin use: "
                           "p ") and said.endswith("so the estimate may be biased.")

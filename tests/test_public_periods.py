"""Issue 19: public mode's filters are the release's. The period picker offers the release's
periods (a year, a quarter or a month), `change against` compares two release periods, one
breakdown is followed at a time, and headlines and charts cover the same period (attack 4:
a headline over a window minus the months a chart shows beside it gave a hidden month).
A brand audience's industry figures come from the release too.

The `years` world (built here from release_worlds.World): brands B1 (e-commerce) and B2
(campaign) book one shoot a month each, 3 days in 2024 and 4 in 2025 (shoot days 72 and 96,
shoot images 960 a year). Twin images: 2024-Q1 one model (M0) 10 a month; from 2024-04 six
models 5 a month each (30 a month), 2025 six models 10 a month each (60): 2024 300, 2025 720.
The release hides 2024-Q1's twin images (one model, primary: 30, and its months) and, to give
every hidden cell room for ±50% in each of its relations, two more quarters: the year (300 =
Q1 + Q2 + Q3 + Q4, shown) needs a second hidden quarter, Q2 (90, the smallest ≥ 15), which can
then go up only by Q1's 30 (needs 45), so Q3 (90) too; Q2 (= April + May + June, 30 each)
needs hidden months, April and May (none is ≥ 45, so the largest twice), and Q3 July and
August. From the industry's cells alone a reader gets Q1 + Q2 + Q3 = 300 − 90 = 210 with
Q2, Q3 ≥ 30 (June's and September's 30 shown); the breakdowns' cells narrow that, the audit
and the independent LP find every hidden cell ±50% wide all the same. The year 2024 (300),
Q4 and June, September to December are shown. 2025 is shown whole (six models every month)
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
import release_worlds as rw
import streamlit as st
import test_release_public
from streamlit.testing.v1 import AppTest
from test_release_public import _public_page as page  # a public page run on a warehouse
from test_release_public import relations

from dashboard import data, filters, privacy, public, ui
from dashboard.audience import Audience
from dashboard.filters import Filters


def years() -> rw.World:
    w = rw.World()
    for year, days in ((2024, 3), (2025, 4)):
        months = [f"{year}-{m:02d}" for m in range(1, 13)]
        w.shoots("B1", "ecommerce", months, days=days)
        w.shoots("B2", "campaign", months, days=days)
    for m in range(1, 13):
        if m <= 3:
            w.twin_use("B1", "ecommerce", "M0", f"2024-{m:02d}", 10)
        else:
            for i in range(6):
                brand, ch = ("B1", "ecommerce") if i % 2 else ("B2", "campaign")
                w.twin_use(brand, ch, f"M{i}", f"2024-{m:02d}", 5)
        for i in range(6):
            brand, ch = ("B1", "ecommerce") if i % 2 else ("B2", "campaign")
            w.twin_use(brand, ch, f"M{i}", f"2025-{m:02d}", 10)
    return w


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Path:
    return rw.build(years(), tmp_path_factory.mktemp("years"))


@pytest.fixture(scope="module")
def window(tmp_path_factory) -> Path:
    return rw.build(rw.window(), tmp_path_factory.mktemp("window"))


recorded = test_release_public.recorded  # the fixture recording every SQL statement run


def metric(at: AppTest, label: str):
    m = next(m for m in at.metric if m.label.startswith(label))
    return m.value, m.proto.delta, m.proto.delta_description


def sidebar(at: AppTest, label: str):
    return next(s for s in at.sidebar.selectbox if s.label == label)


# ---- the periods, pure --------------------------------------------------------------------

@pytest.mark.parametrize("period, months, before", [
    ("2025", ("2025-01", "2025-12"), "2024"),
    ("2025-Q1", ("2025-01", "2025-03"), "2024-Q4"),
    ("2025-Q4", ("2025-10", "2025-12"), "2025-Q3"),
    ("2025-01", ("2025-01", "2025-01"), "2024-12"),
])
def test_release_periods_and_their_months(period, months, before):
    assert filters.span(period) == months
    assert filters.period_name(*months) == period
    assert filters.before(period) == before


@pytest.mark.parametrize("text", ["2025-13", "2025-Q5", "25", "2025-1", "1999", "x"])
def test_not_a_period(text):
    assert filters.span(text) is None


@pytest.mark.parametrize("window", [("2025-02", "2025-06"), ("2025-01", "2025-02"),
                                    ("2025-02", "2025-04"), ("2024-07", "2025-06")])
def test_a_window_that_is_no_release_period(window):
    assert filters.period_name(*window) is None


HALF = ("2025", "2025-Q1", "2025-Q2", *(f"2025-{m:02d}" for m in range(1, 7)))


@pytest.mark.parametrize("periods, default", [
    (HALF, "2025-Q2"),                        # no whole year: the latest whole quarter
    (("2025-04", "2025-05"), "2025-05"),       # no whole quarter: the latest month
    (("2024", "2025", *(f"{y}-{m:02d}" for y in (2024, 2025) for m in (1, 12))), "2025"),
    (("2024", "2025", "2024-01", "2024-12", "2025-01", "2025-06"), "2024"),
    ((), None),
])
def test_default_period(periods, default):
    assert filters.default_period(periods) == default


@pytest.mark.parametrize("params, expected, warning", [
    ({}, ("2025-Q2", None), None),
    ({"period": "2025-Q1"}, ("2025-Q1", None), None),
    ({"from": "2025-04", "to": "2025-06"}, ("2025-Q2", None), None),
    ({"from": "2025-03", "to": "2025-03"}, ("2025-03", None), None),
    ({"period": "2025-Q2", "vs": "2025-Q1"}, ("2025-Q2", None), None),  # the default
    ({"period": "2025-06", "vs": "2025-02"}, ("2025-06", "2025-02"), None),
    ({"from": "2025-02", "to": "2025-06"}, ("2025-Q2", None),
     "Ignored from='2025-02' and to='2025-06': public figures cover one period of the "
     "release (a whole year, quarter or month it holds); showing 2025-Q2."),
    ({"from": "2025-04"}, ("2025-Q2", None), "Ignored from='2025-04': public figures"),
    ({"period": "2024"}, ("2025-Q2", None),
     "Ignored period='2024': not a period of the public release (a year, quarter or month "
     "it holds); showing 2025-Q2."),
    ({"period": "<b>x</b>"}, ("2025-Q2", None), "Ignored period='<b>x</b>'"),
    ({"period": "2025-Q1", "from": "2025-04", "to": "2025-06"}, ("2025-Q1", None),
     "Ignored from='2025-04' and to='2025-06': the period parameter chooses the period."),
    ({"period": "2025-Q2", "vs": "2025"}, ("2025-Q2", None),
     "Ignored vs='2025': not another quarter of the public release; comparing with "
     "2025-Q1."),
    ({"period": "2025-Q2", "vs": "2025-Q2"}, ("2025-Q2", None), "Ignored vs='2025-Q2'"),
])
def test_pick_period(params, expected, warning):
    period, vs, warnings = filters.pick_period(params, HALF)
    assert (period, vs) == expected
    assert len(warnings) == (0 if warning is None else 1)
    assert warning is None or warnings[0].startswith(warning)


# ---- the picker, on the page --------------------------------------------------------------

def test_picker_offers_the_release_periods(world, monkeypatch):
    """34 periods: 2 years, 8 quarters, 24 months; the page opens on the latest whole year,
    compared with the year before, and writes the period into the URL."""
    at = page("overview", world, monkeypatch)
    con = duckdb.connect(str(world), read_only=True)
    periods = [p for (p,) in con.execute("select period from release.periods").fetchall()]
    con.close()
    picker = sidebar(at, "Period")
    assert sorted(picker.options) == sorted(periods) and len(periods) == 34
    assert picker.options[:4] == ["2025", "2024", "2025-Q4", "2025-Q3"]
    assert picker.options[-1] == "2024-01"
    assert picker.value == "2025"
    vs = sidebar(at, "Change against")
    assert vs.options == ["2024"] and vs.value == "2024"
    assert at.query_params["period"] == "2025" and "vs" not in at.query_params
    assert not at.warning
    # headlines of the year 2025 against 2024: shoot days 96 and 72; twin share 720 of 1,680
    # images (42.86%) against 2024's 300 of 1,260 (23.81%, its year shown): +19.05 points
    assert metric(at, "Shoot days booked") == ("96", "+33.3%", "vs 2024")
    assert metric(at, "Twin share of images") == ("42.9%", "+19.0 pts", "vs 2024")
    assert at.caption[0].value.startswith(
        "Headline numbers and charts: 2025, change against 2024.")
    # the chart beside them shows the same twelve months (no longer all 24 months of history)
    chart = pd.to_datetime(at.table[0].value.iloc[:, 0]).dt.strftime("%Y-%m").tolist()
    assert chart == [f"2025-{m:02d}" for m in range(1, 13)]


def test_a_window_that_is_no_release_period_warns_and_shows_the_default(world, monkeypatch):
    at = page("overview", world, monkeypatch, **{"from": "2025-02", "to": "2025-06"})
    assert [w.value for w in at.warning] == [ui.plain(
        "Ignored from='2025-02' and to='2025-06': public figures cover one period of the "
        "release (a whole year, quarter or month it holds); showing 2025.")]
    assert sidebar(at, "Period").value == "2025"
    assert at.query_params["period"] == "2025" and "from" not in at.query_params
    assert metric(at, "Shoot days booked")[0] == "96"


def test_a_window_that_is_a_release_period_is_that_period(world, monkeypatch):
    at = page("overview", world, monkeypatch, **{"from": "2025-04", "to": "2025-06"})
    assert not at.warning
    assert sidebar(at, "Period").value == "2025-Q2"
    assert at.query_params["period"] == "2025-Q2"
    assert metric(at, "Shoot days booked") == ("24", "+0.0%", "vs 2025-Q1")


# ---- change against -----------------------------------------------------------------------

def test_change_against_two_release_periods(world, monkeypatch):
    """2025-12 against 2024-12: shoot days 8 and 6 (+33.3%); twin share 60 of 140 against
    30 of 110 (+15.6 pts)."""
    at = page("overview", world, monkeypatch, period="2025-12", vs="2024-12")
    assert not at.warning
    assert sidebar(at, "Change against").value == "2024-12"
    assert at.query_params["vs"] == "2024-12"
    assert metric(at, "Shoot days booked") == ("8", "+33.3%", "vs 2024-12")
    assert metric(at, "Twin share of images") == ("42.9%", "+15.6 pts", "vs 2024-12")


def test_change_is_the_difference_of_two_release_cells(world):
    """The two rows are the release's cells of the two periods, exactly."""
    con = duckdb.connect(str(world), read_only=True)
    try:
        f = Filters(from_month="2025-12", to_month="2025-12", against=("2024-12", "2024-12"))
        two = public.compared("displacement_totals")(con, f)
        cells = con.execute("""
            select period, measure, value from release.cells
            where dim = 'all' and period in ('2025-12', '2024-12')
              and measure in ('shoot_days', 'twin_images', 'shoot_images')""").fetchall()
    finally:
        con.close()
    cell = {(p, m): v for p, m, v in cells}
    assert two["period"].tolist() == ["current", "previous"]
    assert two["shoot_days"].tolist() == [cell["2025-12", "shoot_days"],
                                          cell["2024-12", "shoot_days"]] == [8.0, 6.0]
    assert two["twin_assets"].tolist() == [cell["2025-12", "twin_images"],
                                           cell["2024-12", "twin_images"]] == [60.0, 30.0]
    assert two["shoot_days"].iloc[0] - two["shoot_days"].iloc[1] == 2.0
    assert two["twin_share"].tolist() == pytest.approx([60 / 140, 30 / 110])


def test_a_hidden_comparison_cell_hides_the_change(world, monkeypatch):
    """2024-Q1's twin images are hidden (one model): against it the twin share has no change,
    the shoot days (not about people) do."""
    con = duckdb.connect(str(world), read_only=True)
    try:
        two = public.compared("displacement_totals")(
            con, Filters(from_month="2025-04", to_month="2025-06",
                         against=("2024-01", "2024-03")))
    finally:
        con.close()
    assert two["twin_assets"].iloc[0] == 180.0 and np.isnan(two["twin_assets"].iloc[1])
    assert two[privacy.SUPPRESSED_COL].tolist() == ["", privacy.note(5)]
    at = page("overview", world, monkeypatch, period="2025-Q2", vs="2024-Q1")
    assert metric(at, "Twin share of images") == (
        "42.9%", "", "no change shown against 2024-Q1 (no data, or a hidden figure)")
    assert metric(at, "Shoot days booked") == ("24", "+33.3%", "vs 2024-Q1")


def test_a_comparison_of_another_grain_warns(world, monkeypatch):
    at = page("overview", world, monkeypatch, period="2025", vs="2024-Q3")
    assert [w.value for w in at.warning] == [ui.plain(
        "Ignored vs='2024-Q3': not another year of the public release; comparing with 2024.")]
    assert metric(at, "Shoot days booked")[2] == "vs 2024"


# ---- one breakdown at a time --------------------------------------------------------------

def test_one_breakdown_at_a_time(world, monkeypatch):
    at = page("overview", world, monkeypatch, brand="B1", channel="ecommerce")
    assert [w.value for w in at.warning] == [ui.plain(
        "Ignored channel='ecommerce': public figures show one breakdown with one value at a "
        "time; showing brand 'B1'.")]
    assert next(r for r in at.sidebar.radio).value == "brand"
    assert sidebar(at, "Brand").value == "B1"
    assert dict(at.query_params) == {"period": "2025", "brand": "B1"}
    # B1's 2025: 48 shoot days
    assert metric(at, "Shoot days booked") == ("48", "+33.3%", "vs 2024")


def test_two_values_of_one_breakdown_are_dropped(world, monkeypatch):
    at = page("overview", world, monkeypatch, brand="B1,B2")
    assert [w.value for w in at.warning] == [ui.plain(
        "Ignored brand='B1,B2': public figures show one breakdown with one value at a time; "
        "showing the whole industry.")]
    assert dict(at.query_params) == {"period": "2025"}
    assert metric(at, "Shoot days booked")[0] == "96"


# ---- attack 4 -----------------------------------------------------------------------------

def test_attack_4_headline_and_chart_cover_the_same_release_period(window, monkeypatch):
    """The window world: 2025, 60 twin images a month from six models, March 20 from two.
    The default Overview shows the year 2025 in its headline and its chart alike; the chart
    hides March (primary), January (its partner) and February (January, 60, must be able to
    move by 30; March alone gives way by 20 at most), so the headline's 680 twin images less
    the nine shown months (540) is January to March together (140), never March alone."""
    at = page("overview", window, monkeypatch)
    assert sidebar(at, "Period").value == "2025"
    # the twin share headline: 680 twin images of 680 + 960 shoot images
    assert metric(at, "Twin share of images")[0] == "41.5%"
    shown = at.table[0].value
    months = pd.to_datetime(shown.iloc[:, 0]).dt.strftime("%Y-%m").tolist()
    assert months == [f"2025-{m:02d}" for m in range(1, 13)]  # the headline's months
    twin = shown.filter(like="win").iloc[:, 0]  # the twin images column, however labelled
    hidden = [m for m, v in zip(months, twin, strict=True) if pd.isna(v)]
    assert hidden == ["2025-01", "2025-02", "2025-03"]
    assert 680 - twin.sum() == 140


# ---- a brand's industry figures -----------------------------------------------------------

def test_brand_industry_figures_come_from_the_release(world, monkeypatch):
    """A brand's own figures stay on the marts; the industry's model income is the
    release's, and B1's view of it is withheld besides (one other brand: B1's own part
    taken from it would give B2's)."""
    monkeypatch.setenv("TWINIMPACT_DB", str(world))
    monkeypatch.delenv("TWINIMPACT_K", raising=False)
    st.cache_data.clear()
    b1 = Audience(role="brand", k=None, brand="B1")
    f = Filters(from_month="2025-01", to_month="2025-12", brand=("B1",))
    calls = data._routed((("model_income_totals", f), ("displacement_totals", f)), b1,
                         Path(world))
    assert calls == ((public.PREFIX + "model_income_totals", f), ("displacement_totals", f))
    union = Audience(role="union", k=None)
    assert data._routed((("model_income_totals", f),), union, Path(world)) == (
        ("model_income_totals", f),)
    monkeypatch.setattr(data, "audience", lambda: b1)
    income, disp = data.fetch(("model_income_totals", f), ("displacement_totals", f))
    assert np.isnan(income["twin_income"].iloc[0])
    assert "fewer than 2 other brands" in income[privacy.SUPPRESSED_COL].iloc[0]
    # B1's own: 48 shoot days, 360 twin images (three models, 10 a month) shown whole
    assert disp["shoot_days"].iloc[0] == 48.0 and disp["twin_assets"].iloc[0] == 360.0


def test_the_sidebar_writes_the_choice_into_the_url(world, monkeypatch):
    """Choosing a quarter, a comparison and a breakdown in the sidebar: the URL holds them,
    and the headline follows (B2's 2025-Q2 shoot days 12 against its 2024-Q4's 9)."""
    at = page("overview", world, monkeypatch)
    sidebar(at, "Period").set_value("2025-Q2").run()
    assert dict(at.query_params) == {"period": "2025-Q2"}
    assert sidebar(at, "Change against").value == "2025-Q1"
    sidebar(at, "Change against").set_value("2024-Q4").run()
    next(r for r in at.sidebar.radio).set_value("brand").run()
    sidebar(at, "Brand").set_value("B2").run()
    assert not at.exception
    assert dict(at.query_params) == {"period": "2025-Q2", "vs": "2024-Q4", "brand": "B2"}
    assert metric(at, "Shoot days booked") == ("12", "+33.3%", "vs 2024-Q4")


def test_union_users_keep_free_filters_on_the_marts(world, monkeypatch):
    """A signed-in union user: the month slider, any window and several values of several
    filters, no warning. B1's e-commerce shoots 2025-02..2025-06: 4 days × 5 months = 20,
    against 2024-09..2025-01: 3 × 4 + 4 = 16 (+25.0%)."""
    from dashboard import signin

    monkeypatch.setattr(signin, "audience", lambda: Audience(role="union", k=None))
    at = page("overview", world, monkeypatch,
              **{"from": "2025-02", "to": "2025-06", "brand": "B1,B2", "channel": "ecommerce"})
    assert not at.warning
    assert [s.label for s in at.sidebar.select_slider] == ["Period (months)"]
    assert [s.label for s in at.sidebar.selectbox] == []
    assert dict(at.query_params) == {"from": "2025-02", "to": "2025-06", "brand": "B1,B2",
                                     "channel": "ecommerce"}
    assert metric(at, "Shoot days booked") == ("20", "+25.0%",
                                               "vs 2024-09 to 2025-01")


def test_a_brand_page_reads_the_industry_from_the_release(world, monkeypatch, recorded):
    """Brand B1 on the Income page: free filters (the month slider, its own brand only), its
    own figures from the marts, the industry's model income from the release (and withheld:
    B2 is the only other brand)."""
    from dashboard import signin

    monkeypatch.setattr(signin, "audience",
                        lambda: Audience(role="brand", k=None, brand="B1"))
    at = page("income", world, monkeypatch, **{"from": "2025-01", "to": "2025-12"})
    assert [s.label for s in at.sidebar.select_slider] == ["Period (months)"]
    assert next(m for m in at.sidebar.multiselect if m.label == "Brand").options == ["B1"]
    read = relations(recorded)
    # the industry (models' income covers every model) from the release; its own crew
    # figures, on free filters, from the marts
    assert {"release.cells", "release.statistics", "marts.crew_impact_monthly"} <= read
    assert "marts.model_income_monthly" not in read
    assert metric(at, "Models' income from twins")[0] == "–"


# ---- what a public figure says about itself ----------------------------------------------

def test_public_captions_say_the_figures_are_the_releases(world, monkeypatch):
    """Every figure's source line in public mode adds that its numbers come through the
    release; a union user's (the marts, unsuppressed) does not. The findings name the
    release period (`In 2025`), not its months."""
    at = page("overview", world, monkeypatch)
    sources = [c.value for c in at.caption if c.value.startswith("**Source:**")]
    assert sources and all(ui.plain(public.RELEASE_SOURCE) in s for s in sources)
    assert any(m.value.startswith("- In 2025 brands booked 96 shoot days") for m in at.markdown)
    from dashboard import signin

    monkeypatch.setattr(signin, "audience", lambda: Audience(role="union", k=None))
    at = page("overview", world, monkeypatch, **{"from": "2025-01", "to": "2025-12"})
    sources = [c.value for c in at.caption if c.value.startswith("**Source:**")]
    assert sources and not any(ui.plain(public.RELEASE_SOURCE) in s for s in sources)


@pytest.mark.parametrize(("start", "end", "text"), [
    ("2025-01", "2025-12", "2025 (data up to 2025-06 only)"),
    ("2025-04", "2025-06", "2025-Q2"),
    ("2025-06", "2025-06", "2025-06"),
    ("2024-07", "2025-06", "2024-07 to 2025-06 (data from 2024-09 only)"),
    ("2024-01", "2025-12", "2024-01 to 2025-12 (data from 2024-09 and up to 2025-06 only)"),
    ("2025-02", "2025-05", "2025-02 to 2025-05"),
    (None, None, "the whole period"),
])
def test_a_period_in_a_sentence_says_where_the_data_stops(start, end, text):
    """Data 2024-09..2025-06: a year the data covers half of never reads as a whole year."""
    months = tuple(f"{y}-{m:02d}" for y, ms in ((2024, range(9, 13)), (2025, range(1, 7)))
                   for m in ms)
    assert ui.period_text(Filters(from_month=start, to_month=end),
                          filters.Known(months=months)) == text

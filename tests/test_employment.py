"""The Employment page's series: one source, one granularity and one area level each, never
summed across them (issue 10 item 6), over every survey period, with an index view."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest
from test_dashboard_pages import _decode

from dashboard import trends
from etl import load, marts, warehouse

ROOT = __import__("pathlib").Path(__file__).resolve().parents[1]
PAGE = str(ROOT / "dashboard" / "views" / "employment.py")

# One survey (S1) publishing a year, quarters and months, for countries and for London
# (GB-LND lies inside GB), and a second source (S2). Nothing here may be added to anything
# of another source, period length or area level.
MIXED = """period,area,role,employed,median_earnings,earnings_basis,currency,source
2025,GB,model,100,50000,year,GBP,S1
2025,GB-LND,model,30,60000,year,GBP,S1
2025-Q3,GB,model,80,900,day,GBP,S1
2025-Q4,GB,model,90,950,day,GBP,S1
2025-Q4,GB-LND,model,40,1100,day,GBP,S1
2025-Q3,SE,model,10,9000,day,SEK,S1
2025-Q4,SE,model,12,9500,day,SEK,S1
2025-Q3,GB,photographer,4,400,day,GBP,S1
2025-Q4,GB,photographer,5,420,day,GBP,S1
2025-11,GB,model,28,,,,S1
2025-12,GB,model,30,,,,S1
2025-Q4,GB,model,500,700,day,GBP,S2
"""


@pytest.fixture(scope="module")
def mixed_db(tmp_path_factory):
    folder = tmp_path_factory.mktemp("mixed")
    db = folder / "warehouse.duckdb"
    (folder / "survey.csv").write_text(MIXED)
    with warehouse.writer(db, fresh=True) as con:
        warehouse.ensure_schema(con)
        assert load.load_file(con, "crew-employment", folder / "survey.csv")["inserted"] == 12
        marts.rebuild(con)
    return db


def _run(db, monkeypatch, public=False, **params) -> AppTest:
    monkeypatch.setenv("TWINIMPACT_DB", str(db))
    monkeypatch.setenv("TWINIMPACT_PUBLIC", "1" if public else "0")
    monkeypatch.delenv("TWINIMPACT_K", raising=False)
    st.cache_data.clear()
    at = AppTest.from_file(PAGE, default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception[0].message
    return at


def _lines(at: AppTest, i: int = 0) -> dict:
    """role → (x dates as YYYY-MM-DD, y) of the i-th chart's role lines."""
    import json
    fig = _decode(json.loads(at.get("plotly_chart")[i].proto.spec))
    return {t["meta"]["role"]: ([str(x)[:10] for x in t["x"]], list(t["y"]))
            for t in fig["data"] if "role" in t.get("meta", {})}


def _metric(at: AppTest) -> tuple[str, str]:
    m = at.metric[0]
    return m.label, m.value


def test_the_default_series_is_one_source_granularity_and_level(mixed_db, monkeypatch):
    at = _run(mixed_db, monkeypatch)
    # quarterly S1 countries (its most rows): 2025-Q4 is GB 90 + SE 12 models + 5
    # photographers; not + London 40, not + S2's 500, not the string-largest period
    assert _metric(at) == ("People in the survey, 2025-Q4", "107")
    assert _lines(at) == {"model": (["2025-07-01", "2025-10-01"], [90, 102]),
                          "photographer": (["2025-07-01", "2025-10-01"], [4, 5])}
    # earnings: one area, one currency and basis, never summed (GB has the most rows)
    assert _lines(at, 1) == {"model": (["2025-07-01", "2025-10-01"], [900.0, 950.0]),
                             "photographer": (["2025-07-01", "2025-10-01"], [400.0, 420.0])}
    assert "GBP per day, as published" in at.get("plotly_chart")[1].proto.spec


@pytest.mark.parametrize(("params", "metric", "lines"), [
    ({"every": "month"}, ("People in the survey, 2025-12", "30"),
     {"model": (["2025-11-01", "2025-12-01"], [28, 30])}),
    ({"every": "year"}, ("People in the survey, 2025", "100"),
     {"model": (["2025-01-01"], [100])}),
    ({"every": "year", "level": "subdivision"}, ("People in the survey, 2025", "30"),
     {"model": (["2025-01-01"], [30])}),
    ({"level": "subdivision"}, ("People in the survey, 2025-Q4", "40"),
     {"model": (["2025-10-01"], [40])}),
    ({"region": "SE"}, ("People in the survey, 2025-Q4", "12"),
     {"model": (["2025-07-01", "2025-10-01"], [10, 12])}),
    ({"source": "S2"}, ("People in the survey, 2025-Q4", "500"),
     {"model": (["2025-10-01"], [500])}),
])
def test_each_choice_draws_exactly_one_series(mixed_db, monkeypatch, params, metric, lines):
    at = _run(mixed_db, monkeypatch, **params)
    assert _metric(at) == metric
    assert _lines(at) == lines
    assert dict(at.query_params) == params  # the link reproduces the view


def test_an_unknown_series_value_is_named_and_ignored(mixed_db, monkeypatch):
    at = _run(mixed_db, monkeypatch, source="nope", every="week")
    # (the URL's values are quoted as text: every punctuation mark backslash-escaped)
    warnings = " ".join(w.value for w in at.warning).replace("\\", "")
    assert "Ignored source='nope'" in warnings and "Ignored every='week'" in warnings
    assert _metric(at) == ("People in the survey, 2025-Q4", "107")


def test_public_mode_leaves_small_areas_out_of_the_sums(mixed_db, monkeypatch):
    at = _run(mixed_db, monkeypatch, public=True)
    # photographers (4, 5) and Swedish models (10 and 12 are shown; k = 5) — 4 is hidden
    x, y = _lines(at)["photographer"]
    assert x == ["2025-07-01", "2025-10-01"] and y[0] != y[0] and y[1] == 5  # NaN: not drawn
    assert _lines(at)["model"] == (["2025-07-01", "2025-10-01"], [90, 102])


# ---- the pure series functions ------------------------------------------------------------

def _quarters(values: dict[str, float]) -> pd.DataFrame:
    return pd.DataFrame([{"period": p, "period_start": pd.Timestamp(
        int(p[:4]), 3 * int(p[-1]) - 2, 1), "role": "model", "employed": v}
        for p, v in values.items()])


def test_the_index_is_100_at_the_first_full_pre_twin_year():
    s = _quarters({"2021-Q3": 5, "2021-Q4": 5, "2022-Q1": 10, "2022-Q2": 20, "2022-Q3": 30,
                   "2022-Q4": 40, "2023-Q1": 50})
    # 2021 is not full; 2022 is, and ends before twins arrived in 2023-03: its mean is 25
    ix = trends.indexed(s, "employed", ["role"], "quarter", date(2023, 3, 1))
    assert ix["base_year"].unique().tolist() == [2022]
    assert ix["index"].tolist() == [20, 20, 40, 80, 120, 160, 200]
    assert ix.loc[ix["period"].str.startswith("2022"), "index"].mean() == 100
    # twins arrived in 2022: no full year before them, so no index
    assert trends.indexed(s, "employed", ["role"], "quarter", date(2022, 12, 1))[
        "index"].isna().all()
    # no twins at all: the first full year
    assert trends.base_year(s, "employed", "quarter", None) == 2022


def test_the_index_on_the_demo_is_100_over_2022(demo_db, monkeypatch):
    at = _run(demo_db, monkeypatch, view="index", region="GB")
    lines = _lines(at)
    assert len(lines) == 12
    for role, (x, y) in lines.items():  # 2022 (four quarters) averages 100 for every role
        base = [v for d, v in zip(x, y, strict=True) if d.startswith("2022")]
        assert len(base) == 4 and sum(base) / 4 == pytest.approx(100), role
        assert len(x) == 18, role  # every survey quarter, 2022-Q1 … 2026-Q2


def test_the_series_query_never_mixes_families(mixed_db):
    from dashboard import queries
    from dashboard.filters import Filters

    default = queries.employment_series(mixed_db, Filters())  # the family with most rows
    assert set(zip(default["source"], default["granularity"], default["area_level"],
                   strict=True)) == {("S1", "quarter", "country")}
    assert len(default) == 6
    london = queries.employment_series(mixed_db, Filters(), "S1", "year", "subdivision")
    assert london[["period", "area", "employed"]].values.tolist() == [["2025", "GB-LND", 30]]
    assert queries.employment_sources(mixed_db, Filters())[
        ["source", "granularity", "area_level", "rows"]].values.tolist() == [
        ["S1", "quarter", "country", 6], ["S1", "month", "country", 2],
        ["S1", "quarter", "subdivision", 1], ["S1", "year", "country", 1],
        ["S1", "year", "subdivision", 1], ["S2", "quarter", "country", 1]]


# ---- employees beside the self-employed (fetch-nomis's per-type sources) -------------------

TYPES = """period,area,role,employed,source,note
2023,GB,photographer,71500,ONS APS NM_218_1 (all in employment),caveat
2023,GB,photographer,25300,ONS APS NM_218_1 (employees),caveat
2023,GB,photographer,45900,ONS APS NM_218_1 (self-employed),caveat
2023,GB,model,23600,ONS APS NM_218_1 (employees),caveat
2023,GB,model,52800,ONS APS NM_218_1 (self-employed),caveat
2022,GB,model,20000,ONS APS NM_218_1 (employees),caveat
2022,GB,model,50000,ONS APS NM_218_1 (self-employed),caveat
2023,GB,hair,3,ONS APS NM_218_1 (self-employed),caveat
"""


@pytest.fixture(scope="module")
def types_db(tmp_path_factory):
    folder = tmp_path_factory.mktemp("types")
    db = folder / "warehouse.duckdb"
    (folder / "aps.csv").write_text(TYPES)
    with warehouse.writer(db, fresh=True) as con:
        warehouse.ensure_schema(con)
        assert load.load_file(con, "crew-employment", folder / "aps.csv")["inserted"] == 8
        marts.rebuild(con)
    return db


def _types_chart(at):
    import json
    for el in at.get("plotly_chart"):
        fig = _decode(json.loads(el.proto.spec))
        if fig["layout"]["title"]["text"].startswith("Employees and self-employed"):
            return fig
    return None


def test_employees_and_self_employed_are_shown_side_by_side(types_db, monkeypatch):
    at = _run(types_db, monkeypatch, source="ONS APS NM_218_1 (all in employment)")
    fig = _types_chart(at)
    assert fig["layout"]["title"]["text"].startswith(
        "Employees and self-employed per role, 2023 (ONS APS NM_218_1)")
    bars = {t["name"]: dict(zip(t["y"], t["x"], strict=True)) for t in fig["data"]}
    employees = bars["employees"]
    assert list(employees) == ["Hair stylist", "Model", "Photographer"]
    assert employees["Hair stylist"] != employees["Hair stylist"]  # none published: no bar
    assert (employees["Model"], employees["Photographer"]) == (23600, 25300)
    assert bars["self-employed"] == {"Hair stylist": 3, "Model": 52800, "Photographer": 45900}
    # the sentence counts only roles with both figures, not hair (self-employed only):
    # (52800 + 45900) / (23600 + 25300 + 52800 + 45900) = 98700 / 147600 = 67%
    # it is the declaration's summary (figures._types), shown as its chart's text, plain
    text = [m.value for m in at.markdown]
    assert ("In 2023\\, 67\\% of the people in the occupations of model\\, photographer "
            "\\(ONS APS NM\\_218\\_1\\) were self\\-employed\\.") in text


def test_no_side_by_side_without_both_types(mixed_db, monkeypatch):
    at = _run(mixed_db, monkeypatch)
    assert _types_chart(at) is None


def test_the_pairing_and_the_sums():
    assert trends.type_pairs(["A (employees)", "A (self-employed)", "B (employees)", "C"]) == {
        "A": ("A (employees)", "A (self-employed)")}
    e = pd.DataFrame({"period": ["2023"], "period_start": [pd.Timestamp(2023, 1, 1)],
                      "role": ["model"], "employed": [30]})
    s = e.assign(employed=[70])
    out = trends.employees_and_self_employed(e, s)
    assert out[["employees", "self_employed", "self_employed_share"]].values.tolist() == [
        [30, 70, 0.7]]


# ---- employees beside the self-employed: an image and an embed like every listed chart -----

def test_the_side_by_side_chart_is_listed_and_drawn_as_an_image(types_db, tmp_path, capsys):
    """`employment-types` is in the registry: its image and embed draw the survey family the
    page shows (its choices: family, period length, area level), or without them the first
    family that publishes both types; a warehouse without one says so in one line."""
    from pathlib import Path

    from dashboard import figures
    from dashboard.audience import Audience
    from dashboard.filters import Filters
    from etl import cli
    from etl.errors import UserError

    assert "employment-types" in figures.REGISTRY
    r = figures.render(types_db, "employment-types", Filters(), Audience(role="public", k=5))
    assert r.opts == {"family": "ONS APS NM_218_1", "every": "year", "level": "country"}
    # 2023: hair's 3 self-employed are fewer than k = 5 (hidden); employees none published
    shown = r.built.shown.set_index("role")
    assert shown.loc["model", ["employees", "self_employed"]].tolist() == [23600, 52800]
    assert shown.loc["photographer", ["employees", "self_employed"]].tolist() == [25300, 45900]
    assert r.source_line().startswith(
        "Source: ONS APS NM_218_1 (employees) and (self-employed) (release.survey) · through "
        "the audited public release · data as of ")
    assert r.built.fig.layout.title.text.startswith(
        "Employees and self-employed per role, 2023 (ONS APS NM_218_1)")
    # the page's choices go into its embed's address
    with pytest.raises(UserError, match="no survey in this warehouse publishes employees and "
                                        "the self-employed apart"):
        figures.render(_no_pairs(tmp_path), "employment-types", Filters(),
                       Audience(role="public", k=5))
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("/usr/bin/chromium is missing")
    out = tmp_path / "types.svg"
    assert cli.main(["chart", "employment-types", "--out", str(out), "--db", str(types_db)]) == 0
    svg = out.read_text()
    assert "Source: ONS APS NM_218_1 (employees) and (self-employed) (release.survey)" in svg
    assert "Employees and self-employed per role, 2023" in svg
    capsys.readouterr()


def _no_pairs(folder):
    """A warehouse whose only survey is employees' (no self-employed beside it)."""
    db = folder / "employees.duckdb"
    (folder / "emp.csv").write_text("period,area,role,employed,source,note\n"
                                    "2023,GB,model,23600,ONS APS NM_218_1 (employees),caveat\n")
    with warehouse.writer(db, fresh=True) as con:
        warehouse.ensure_schema(con)
        load.load_file(con, "crew-employment", folder / "emp.csv")
        marts.rebuild(con)
    return db


def test_the_page_offers_the_side_by_side_image_and_embed(types_db, monkeypatch):
    at = _run(types_db, monkeypatch, source="ONS APS NM_218_1 (all in employment)")
    """The page's image downloads and embed snippet carry the series it shows."""
    images = [b.label for b in at.get("download_button") if "employment-types" in str(b.proto)]
    assert images == ["Download data as CSV (3 rows)", "Image (PNG)", "Image (SVG)"], images
    codes = [c.value for c in at.code]
    # the survey chart's image and embed follow the series chosen too
    assert any("chart=employment-survey&amp;view=people&amp;source=ONS+APS+NM_218_1+%28all+"
               "in+employment%29&amp;every=year&amp;level=country&amp;embed=true" in c
               for c in codes), codes
    assert any("chart=employment-types&amp;family=ONS+APS+NM_218_1&amp;every=year&amp;"
               "level=country" in c for c in codes), codes


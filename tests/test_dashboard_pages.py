"""Every dashboard page through Streamlit's AppTest, on warehouses built by the real loader.

The tiny fixture (tests/dashboard_fixture.py) is small enough to work every number out by hand:
2 brands × 6 months × one 2-day, 40-image shoot = 24 shoot days and 480 shoot images; brand A
used 20 twin images a month from April (60), so the twin share is 60 / 540 = 11.1% overall and
60 / 300 = 20.0% for April–June against 0% for January–March.
"""

from __future__ import annotations

import base64
import io
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import streamlit as st
from dashboard_fixture import build
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from dashboard import findings, queries
from dashboard import public as release
from dashboard.filters import Filters
from dashboard.text import plain
from etl import cli

ROOT = Path(__file__).resolve().parents[1]
VIEWS = ROOT / "dashboard" / "views"


@pytest.fixture(scope="module")
def tiny_db(tmp_path_factory) -> Path:
    return build(tmp_path_factory.mktemp("tiny"))


@pytest.fixture
def downloads(monkeypatch) -> dict[str, bytes]:
    """Every file a page offers for download, by file name."""
    files: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def spy(self, path_or_data, mimetype, kind, filename=None):
        if filename and isinstance(path_or_data, bytes):
            files[filename] = path_or_data
        return original(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", spy)
    return files


@pytest.fixture
def run(tiny_db, monkeypatch, downloads):
    """Run one page on the tiny warehouse with URL parameters; private mode unless public=True."""
    def _run(page: str, public: bool = False, db: Path | None = None, **params) -> AppTest:
        monkeypatch.setenv("TWINIMPACT_DB", str(db or tiny_db))
        monkeypatch.setenv("TWINIMPACT_PUBLIC", "1" if public else "0")
        monkeypatch.delenv("TWINIMPACT_K", raising=False)
        st.cache_data.clear()  # caches are process-wide: never let one warehouse leak into another
        at = AppTest.from_file(str(VIEWS / f"{page}.py"), default_timeout=60)
        for key, value in params.items():
            at.query_params[key] = value
        at.run()
        assert not at.exception, at.exception[0].message
        return at
    return _run


def metrics(at: AppTest) -> dict[str, tuple[str, str]]:
    return {m.label: (m.value, m.delta) for m in at.metric}


def _decode(obj):
    """Plotly ≥ 6 ships numeric arrays as {"dtype", "bdata"} (base64): turn them into lists."""
    if isinstance(obj, dict):
        if set(obj) >= {"dtype", "bdata"}:
            return np.frombuffer(base64.b64decode(obj["bdata"]), dtype=obj["dtype"]).tolist()
        return {k: _decode(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_decode(v) for v in obj]
    return obj


def chart(at: AppTest, i: int) -> dict:
    """The i-th chart's figure, arrays as plain lists."""
    return _decode(json.loads(at.get("plotly_chart")[i].proto.spec))


def csv(downloads: dict[str, bytes], name: str) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(downloads[name]), keep_default_na=False)


def test_overview_numbers_findings_and_chart(run, downloads):
    at = run("overview")
    m = metrics(at)
    assert m["Twin share of images"][0] == "11.1%"
    assert m["Shoot days booked"][0] == "24"
    findings = next(md.value for md in at.markdown if md.value.startswith("- "))
    assert "Twin assets made up 11% of e-commerce images in 2025 H1." in findings
    assert "brands booked 24 shoot days" in findings
    # the year's estimate is said once: under its headline, not again among the findings
    assert "not estimable" not in findings and "not estimable" in said(at)[2]
    assert "33.3% of twin images were used without a valid licence" in findings
    line = chart(at, 0)["data"][0]
    assert [round(y, 4) for y in line["y"]] == [0, 0, 0, 0.2, 0.2, 0.2]  # 20 ÷ (20 + 2 × 40)
    shown = csv(downloads, "overview-twin-share.csv")
    assert len(shown) == 6 and shown["twin_assets"].tolist() == [0, 0, 0, 20, 20, 20]
    assert "Download data as CSV (6 rows)" in [d.label for d in at.get("download_button")]
    # industry events inside the period are annotated: only H&M's of 2025-03-28 falls in it
    notes = chart(at, 0)["layout"]["annotations"]
    assert [(a["text"], a["x"][:10]) for a in notes] == [("H&M", "2025-03-28")]


def test_headlines_are_declared_figures_with_their_sources(run):
    """Each page's headline numbers are declarations (keynumbers.HEADLINES), drawn in the
    page's order with one source line under the row naming the marts they were read from
    (locally: the marts themselves)."""
    at = run("income")
    assert [m.label for m in at.metric] == ["Models' income from shoots",
                                            "Models' income from twins",
                                            "Twin share of models' income"]
    at = run("overview", channel="ecommerce")
    assert [m.label for m in at.metric] == [
        "Twin share of images", "Shoot days booked",
        "Shoot days displaced in 2025 (DiD, 95% interval)", "Crew days displaced (all channels)"]
    said = ("**Source:** bookings and twin\\-usage exports \\(marts\\.displacement\\_monthly\\)\\; "
            "marts\\.displacement\\_estimates \\(all channels\\; ALL \\= every adopting brand "
            "together\\)\\; booking\\-crew exports \\(marts\\.crew\\_impact\\_monthly\\) · data as of ")
    assert any(c.value.startswith(said) for c in at.caption)


def said(at: AppTest) -> list[str]:
    """The sentences under the headline numbers, as text (ui.headlines: one per number)."""
    n = len(at.metric)
    captions = [c.value for c in at.caption]
    first = next(i for i, c in enumerate(captions) if c.startswith("**Source:**")) - n
    return captions[first:first + n]


def test_each_headline_says_what_it_shows(run):
    """Under each headline number, its declared sentence (keynumbers.sentence): what the
    number means and its period, made from the value as shown. The tiny world, 2025-01..06:
    24 shoot days, 60 twin images of 540 images (11.1%), no control brand to estimate with,
    no crew booked after A's first twin use; the fixture is not simulated."""
    at = run("overview")
    assert said(at) == [plain(s) for s in (
        "11.1% of the fashion images in 2025-01 to 2025-06 were made with digital twins "
        "(from the loaded exports).",
        "24 shoot days were booked in 2025-01 to 2025-06 (from the loaded exports).",
        "Shoot days displaced in 2025 (difference in differences): not estimable — no "
        "adopting brand is estimable this year (from the loaded exports).",
        "0 days of crew work were displaced in 2025-01 to 2025-06: the displaced shoot days × "
        "each brand's crew days per shoot day before twins (from the loaded exports).")]
    # the upper bound: 20 twin images a month ÷ 20 images per shoot day over April–June
    at = run("displacement", **{"from": "2025-04"})
    # the year's estimate is said once: under its headline, not again on the page
    estimate = plain("Shoot days displaced in 2025 (difference in differences): not "
                     "estimable — no adopting brand is estimable this year (from the loaded "
                     "exports).")
    assert said(at)[1] == estimate
    assert not any(m.value.startswith(estimate[:60]) for m in at.markdown)
    assert said(at)[2] == plain("At most 3 shoot days in 2025-Q2 were displaced, the upper "
                                "bound: had every twin image replaced shoot output (from "
                                "the loaded exports).")
    at = run("income")
    assert said(at) == [plain(s) for s in (
        "Models earned €0 from shoots in 2025-01 to 2025-06 (from the loaded exports).",
        "Models earned €600 from licences of their twins in 2025-01 to 2025-06 (from the "
        "loaded exports).",
        "100.0% of models' income in 2025-01 to 2025-06 came from their twins (from the "
        "loaded exports).")]


def test_a_hidden_headline_says_why_never_a_number(run):
    """Public mode, 2025-Q2: A's twin images show one model's twin (fewer than k = 5): each
    consent headline is hidden and its sentence says so, without a figure; the 12 shoot
    days booked in the quarter keep theirs."""
    at = run("consent", public=True)
    assert [m.value for m in at.metric] == ["–"] * 4
    assert said(at) == [plain(f"{name} for 2025-Q2: hidden (suppressed: fewer than 5 people).")
                        for name in ("Twin images", "Used without a valid licence",
                                     "Twin images watermarked", "Twin images disclosed as AI")]
    at = run("overview", public=True)
    assert said(at)[:2] == [
        plain("Twin share of images for 2025-Q2: hidden (suppressed: fewer than 5 people)."),
        plain("12 shoot days were booked in 2025-Q2 (from the loaded exports).")]


def test_the_survey_and_the_loads_counts_are_declared_headlines(run):
    """The Employment page's counts of the survey series (2024: 120 photographers + 3
    stylists in GB) and the Data page's of the loads (6 files, 29 rows of which 1
    quarantined) are declared headlines, each with its sentence and a source line; in
    public mode the 3 stylists are left out of the people (fewer than k)."""
    at = run("employment")
    assert [(m.label, m.value) for m in at.metric] == [
        ("People in the survey, 2024", "123"), ("Roles", "2"), ("Areas covered", "1")]
    assert said(at) == [plain(s) for s in (
        "123 people worked in the series' roles in 2024, its latest period, summed over the "
        "areas shown (from the loaded exports).",
        "Roles the series counts people in: 2 (from the loaded exports).",
        "Areas the series covers: 1 (from the loaded exports).")]
    assert any(
        c.value.startswith("**Source:** the survey series chosen \\(marts\\.employment\\)")
        for c in at.caption)
    # which series, its areas and when twins arrived: the survey chart's caption (its
    # declaration's note, quoting the data as text), not a sentence of the page's own
    assert any(c.value.endswith(" · " + plain(
        "one series per role (Union survey, yearly, countries); people summed over GB; twins "
        "arrived: first twin use by any brand, 2025-04")) for c in at.caption)
    assert not any("Twins arrived" in c.value for c in at.caption)
    at = run("employment", public=True)
    assert at.metric[0].value == "120"
    at = run("data_sources")
    assert [(m.label, m.value) for m in at.metric] == [
        ("Files loaded", "6"), ("Rows loaded", "28"), ("Rows quarantined", "1")]
    # a fact about the warehouse itself: never "simulated" nor "from the loaded exports"
    assert said(at) == [plain(s) for s in (
        "Files loaded into the warehouse: 6.",
        "Rows loaded from those files, the quarantined ones not counted: 28.",
        "Rows kept aside in the quarantine, each having broken a rule of the data "
        "contract: 1.")]


def test_headlines_compare_with_the_previous_period(run):
    at = run("overview", **{"from": "2025-04"})
    m = metrics(at)
    assert m["Shoot days booked"] == ("12", "+0.0%")
    assert m["Twin share of images"] == ("20.0%", "+20.0 pts")
    assert dict(at.query_params) == {"from": "2025-04"}


def test_displacement_page(run, downloads):
    at = run("displacement")
    m = metrics(at)
    assert m["Upper bound"][0] == "3"  # 20 twin images a month ÷ 20 images per shoot day
    assert m["Twin share of images"][0] == "11.1%"
    crew = csv(downloads, "displacement-crew-by-role.csv")
    assert crew[["role", "crew_days", "crew_income", "people"]].values.tolist() == [
        ["photographer", 6.0, 3000.0, 6], ["stylist", 3.0, 900.0, 3]]
    brands = csv(downloads, "displacement-brands.csv")
    assert brands["brand_id"].tolist() == ["A", "C"]
    assert brands["adoption_month"].tolist() == ["2025-04", ""]
    shoot = chart(at, 1)
    # fewer than 3 control brands here: the expectation is a before/after line, named so,
    # and the DiD line is empty after adoption (issue 18)
    names = [t["name"] for t in shoot["data"]]
    assert names[1].startswith("expected without twins (before/after: no DiD")
    assert names[3] == "actual shoot days" and shoot["data"][3]["y"] == [4.0] * 6
    assert str(shoot["data"][2]["y"]) == "[4.0, 4.0, 4.0, nan, nan, nan]"  # none after adoption


def test_public_mode_hides_a_group_of_three_in_chart_table_and_csv(run, downloads):
    # public mode opens on the latest whole quarter (the tiny world holds no whole year);
    # the year 2025 (the release period holding every month of it) shows all its crew
    at = run("displacement", public=True, period="2025")
    bars = next(t for t in chart(at, 2)["data"] if t["type"] == "bar")
    by_role = dict(zip(bars["y"], zip(bars["x"], bars["text"], strict=True), strict=True))
    assert by_role["Stylist"] == (0, "suppressed: fewer than 5 people")
    # six photographers could be shown, but the crew total (nine people) is shown elsewhere:
    # total − photographers would give the stylists, so the photographers are hidden too
    assert by_role["Photographer"] == (0, "suppressed: would reveal a figure about fewer "
                                          "than 5 people")
    crew = csv(downloads, "displacement-crew-by-role.csv")
    stylist = crew[crew["role"] == "stylist"].iloc[0]
    assert stylist["crew_days"] == "" and stylist["crew_income"] == "" and stylist["people"] == ""
    assert stylist["suppressed"] == "suppressed: fewer than 5 people"
    assert crew[crew["role"] == "photographer"].iloc[0]["crew_income"] == ""
    assert any("Public mode" in i.value for i in at.info)

    emp = run("employment", public=True)
    table = emp.dataframe[0].value  # roles as words on screen
    assert pd.isna(table.loc[table["role"] == "Stylist", "employed"].iloc[0])
    assert table.loc[table["role"] == "Photographer", "employed"].iloc[0] == 120
    survey = csv(downloads, "employment-survey.csv")
    assert survey.loc[survey["role"] == "stylist", "employed"].iloc[0] == ""

    data = run("data_sources", public=True)
    assert "data-quarantine-rows.csv" not in downloads
    assert not any("quarantined rows with their values" in d.label
                   for d in data.get("download_button"))


def test_public_mode_hides_consent_figures_of_one_model(run, downloads):
    # brand A's twin images all come from one model's twin (T1 → M9): fewer than k = 5 people
    at = run("consent", public=True)
    m = metrics(at)
    assert m["Twin images"][0] == "–" and m["Watermarked"][0] == "–"
    brands = csv(downloads, "consent-brands.csv")
    row = brands[brands["brand_id"] == "A"].iloc[0]
    assert row["twin_assets"] == "" and row["licensed_share"] == "" and row["people"] == ""
    assert row["suppressed"] == "suppressed: fewer than 5 people"
    monthly = csv(downloads, "consent-monthly.csv")
    # from the public release (issue 19): a month with no unlicensed image has no cell there
    # (nothing about anybody: 0); the month with some is hidden with its twin images
    assert monthly["unlicensed_assets"].tolist() == ["0.0", "0.0", ""]
    assert monthly["twin_assets"].tolist() == ["", "", ""]
    private = run("consent")
    assert metrics(private)["Twin images"][0] == "60"


def test_income_page(run, downloads):
    at = run("income")
    m = metrics(at)
    assert m["Models' income from twins"][0] == "€600"
    assert m["Models' income from shoots"][0] == "€0"
    assert m["Twin share of models' income"][0] == "100.0%"
    monthly = csv(downloads, "income-models-monthly.csv")
    assert monthly["twin_income"].tolist() == [200.0, 200.0, 200.0]
    lorenz = chart(at, 1)
    assert lorenz["data"][1]["name"] == "all models (1)"


def test_consent_page(run, downloads):
    at = run("consent")
    m = metrics(at)
    assert m["Twin images"][0] == "60"
    assert m["Used without a valid licence"][0] == "33.3%"
    assert m["Watermarked"][0] == "66.7%"
    assert m["Disclosed as AI"][0] == "33.3%"
    reasons = csv(downloads, "consent-reasons.csv")
    assert reasons.values.tolist() == [["expired", 20, 1]]  # one model's twin
    monthly = chart(at, 3)  # after the three rights charts
    assert monthly["data"][1]["name"] == "unlicensed" and monthly["data"][1]["y"] == [0, 0, 20]


def test_employment_page(run):
    at = run("employment")
    assert metrics(at)["People in the survey, 2024"][0] == "123"
    assert any("employees* only, not the self-employed" in w.value for w in at.warning)
    assert any("No BLS figures are loaded" in i.value for i in at.info)


def test_brand_report_page(run, downloads):
    at = run("brand_report", brand="A")
    assert at.selectbox[0].value == "A"
    numbers = csv(downloads, "brand-A-numbers.csv")
    # this world has fewer than 3 control brands: no DiD, and its before/after figure is shown
    # under its own name (issue 18), never as a difference in differences
    assert len(numbers) == 12
    by = numbers.set_index("metric")
    assert by.loc["Shoot days displaced (difference in differences)", "this_period"] == "–"
    assert by.index[-1].startswith("Shoot days below the pre-twin level (before/after")
    row = numbers.set_index("metric").loc["Twin images"]
    assert (row["this_period"], row["previous_period"]) == ("60", "–")
    assert any(d.label == "Download the A report (HTML)" for d in at.get("download_button"))
    # the brand's yearly estimate is a declared headline with its sentence (one control
    # brand: not estimable), and its estimates table the declared one, as in the report
    assert at.metric[2].label == "Shoot days displaced in 2025 (DiD, 95% interval)"
    assert said(at)[2] == plain(
        "Shoot days displaced in 2025 (difference in differences): not estimable — fewer than "
        "3 control brands observed in these months (1) (from the loaded exports).")
    est = csv(downloads, "displacement-estimates.csv")
    assert est[["scope", "year", "estimable"]].values.tolist() == [["A", 2025, False]]


def test_data_page(run, downloads):
    at = run("data_sources")
    m = metrics(at)
    assert m["Files loaded"][0] == "6" and m["Rows quarantined"][0] == "1"
    summary = csv(downloads, "data-quarantine-summary.csv")
    assert summary[["kind", "rows"]].values.tolist() == [["bookings", 1]]
    rows = csv(downloads, "data-quarantine-rows.csv")
    assert rows[["kind", "line"]].values.tolist() == [["bookings", 14]]
    assert len(csv(downloads, "data-loads.csv")) == 6


def test_invalid_url_values_warn_and_show_the_defaults(run):
    at = run("displacement", **{"from": "2025-13", "to": "' OR 1=1 --", "brand": "' OR 1=1 --",
                                "role": "x'); drop table marts.brands; --"})
    # the URL's values are quoted as plain text: every punctuation mark escaped
    warnings = [re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", w.value) for w in at.warning]
    for needle in ("from='2025-13'", "to=\"' OR 1=1 --\"", "brand=\"' OR 1=1 --\"",
                   "role=\"x'); drop table marts.brands; --\""):
        assert any(needle in w for w in warnings), needle
    assert metrics(at)["Twin share of images"][0] == "11.1%"  # the defaults: everything
    assert dict(at.query_params) == {}


def test_filter_widgets_write_the_url_and_the_url_sets_the_widgets(run):
    at = run("displacement", brand="C", channel="ecommerce")
    assert at.sidebar.multiselect[0].value == ["C"]
    assert metrics(at)["Twin share of images"][0] == "0.0%"
    at.sidebar.multiselect[0].set_value(["A"]).run()
    at.sidebar.select_slider[0].set_value(("2025-04", "2025-06")).run()
    assert dict(at.query_params) == {"from": "2025-04", "brand": "A", "channel": "ecommerce"}
    assert metrics(at)["Twin share of images"][0] == "33.3%"


def test_missing_warehouse_says_what_to_run(run, tmp_path, monkeypatch):
    monkeypatch.setenv("TWINIMPACT_DB", str(tmp_path / "none.duckdb"))
    st.cache_data.clear()
    at = AppTest.from_file(str(VIEWS / "overview.py"), default_timeout=60).run()
    assert not at.exception
    assert "twinimpact demo" in at.error[0].value


def test_every_page_through_the_app_on_the_demo(demo_db, monkeypatch):
    monkeypatch.setenv("TWINIMPACT_DB", str(demo_db))
    monkeypatch.setenv("TWINIMPACT_PUBLIC", "0")
    st.cache_data.clear()
    at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=60).run()
    assert at.title[0].value.startswith("Twin Impact")
    assert [x.endswith(plain(" (simulated data).")) for x in said(at)] == [True] * 4
    for page in ("displacement", "income", "consent", "employment", "brand_report",
                 "data_sources"):
        at.switch_page(f"views/{page}.py").run()
        assert not at.exception, (page, at.exception[0].message)
        assert at.get("plotly_chart") or page == "data_sources", f"{page}: no chart drawn"
        assert at.get("download_button"), page
        assert any("Simulated data" in w.value for w in at.warning), page
        sources = [c.value for c in at.caption if c.value.startswith("**Source")]
        simulated = [c for c in sources if "US Bureau of Labor Statistics" not in c]
        assert simulated and all("Simulated data" in c for c in simulated), page
        assert all("Simulated data" not in c for c in sources if c not in simulated), page
        # every headline's sentence says it is simulated; the loads' counts are facts about
        # the warehouse itself and do not
        if page == "employment":  # the BLS rows: in its chart's data table, not again
            assert len(at.dataframe) == 1  # (the survey series' rows)
        ends = [x.endswith(plain(" (simulated data).")) for x in said(at)]
        assert ends and all(ends) if page != "data_sources" else not any(ends), page


def test_covered_time_counts_overlaps_once():
    from dashboard import perf

    # 0–10 and 5–12 overlap (12 s covered), 20–21 stands alone: 13 s
    assert perf._covered_ms([(5, 12), (0, 10), (20, 21)]) == 13_000
    assert perf._covered_ms([(0, 10), (2, 3)]) == 10_000  # one inside another
    assert perf._covered_ms([]) == 0


def test_perf_measure_reports_every_page(tiny_db, monkeypatch):
    from dashboard import perf

    monkeypatch.setenv("TWINIMPACT_PUBLIC", "0")
    result = perf.measure(tiny_db, repeats=1)
    pages = {"overview", "displacement", "income", "consent", "employment", "brand_report",
             "data_sources"}
    assert set(result["query_ms"]) == pages and set(result["page_run_ms"]) == pages
    assert all(v > 0 for v in [*result["query_ms"].values(), *result["page_run_ms"].values()])
    assert result["limits_ms"] == {"query": 100, "page_run": 1500}
    # both modes were run, and a page's figure is the slower of the two
    for figure, by in (("query_ms", "query_ms_by_mode"), ("query_sum_ms", "query_sum_ms_by_mode")):
        by_mode = result[by]
        assert set(by_mode) == {"local", "public"}
        assert all(set(by_mode[m]) == pages for m in by_mode)
        assert result[figure] == {p: max(by_mode["local"][p], by_mode["public"][p])
                                  for p in pages}
    # the queries were recorded as the pages ran them: the slowest names its SQL
    assert result["slowest_query"]["ms"] > 0
    sql = result["slowest_query"]["sql"]
    assert sql == "warehouse_ready" or "select" in sql.lower(), sql
    assert result["query_ok"] is all(v <= 100 for v in result["query_ms"].values())


def test_an_empty_warehouse_explains_itself(run, tmp_path):
    from etl import marts, warehouse

    db = tmp_path / "empty.duckdb"
    with warehouse.writer(db, fresh=True) as con:
        warehouse.ensure_schema(con)
        marts.rebuild(con)
    for page in ("overview", "displacement", "income", "consent", "brand_report"):
        at = run(page, db=db)
        infos = " ".join(i.value for i in at.info)
        assert "holds no bookings or twin use yet" in infos or "No brands" in infos, page


def test_marts_from_another_version_say_how_to_rebuild(run, tiny_db, tmp_path):
    import shutil

    from etl import warehouse
    old = tmp_path / "old.duckdb"
    shutil.copyfile(tiny_db, old)
    with warehouse.writer(old) as con:  # as a warehouse built before licensed_assets existed
        con.execute("alter table marts.consent_monthly drop column licensed_assets")
    at = run("consent", db=old)
    assert len(at.error) == 1 and "built by another version" in at.error[0].value
    assert "licensed_assets" in at.error[0].value and "twinimpact load" in at.error[0].value
    assert not at.metric  # the page stops there: no half-drawn figures


@pytest.mark.parametrize("days, role", [
    ([6.0, 3.0], "photographer"),        # the most days
    ([3.0, 6.0], "stylist"),
    ([6.0, float("nan")], None),          # a hidden role might have lost more: none named
    ([0.0, 0.0], None),                   # nobody lost any
    ([], None),
])
def test_the_findings_name_the_role_that_lost_most(days, role):
    """The Overview's findings name a role from crew_by_role (findings.top_role: the logic
    the page held before)."""
    from dashboard import findings

    by_role = pd.DataFrame({"role": ["photographer", "stylist"][:len(days)],
                            "displaced_crew_days": pd.Series(days, dtype="float64")})
    assert findings.top_role(by_role) == role


def test_the_findings_say_which_filters_a_figure_ignores():
    from dashboard import findings
    from dashboard.filters import Filters

    assert findings.ignored(Filters(channel=("ecommerce",), brand=("A",))) == {
        "crew": "all channels", "income": "all brands and channels",
        "consent": "all channels"}
    assert findings.ignored(Filters()) == {}


@pytest.fixture(scope="module")
def did_world(tmp_path_factory) -> Path:
    """Three controls C1–C3 and two adopters, each a 2-day e-commerce shoot a month
    2025-01..06 (release_worlds.World), twin images from six models (10 each a month, never
    fewer than k = 5 people). B adopts in 2025-04: its pre-period level (2 days) × the
    controls' trend (2 ÷ 2 = 1) − its 2 days = a DiD of exactly 0 in each month after.
    A uses twins from its first observed month (2025-01): no pre-period, no DiD
    (did_method 'none'; its shortfall column holds 0), which no cell must turn into 0."""
    import release_worlds as rw

    world = rw.World()
    months = [f"2025-0{m}" for m in range(1, 7)]
    for brand in ("A", "B", "C1", "C2", "C3"):
        world.shoots(brand, "ecommerce", months)
    for brand, first in (("A", 1), ("B", 4)):
        for month in months[first - 1:]:
            for model in range(6):
                world.twin_use(brand, "ecommerce", f"{brand}M{model}", month, 10)
    return rw.build(world, tmp_path_factory.mktemp("did"))


DID = "Shoot days displaced (difference in differences)"


@pytest.mark.parametrize("public", [False, True])
def test_no_did_is_no_figure_and_a_did_of_zero_is_zero(run, downloads, did_world, public,
                                                       tmp_path):
    """2025-Q2 against 2025-Q1. Brand A has no DiD: "–" with no figure in its sentence,
    privately and in public mode, on the brand report page, in its CSV and in the HTML
    report (public mode read 0: the release has no cell for it); brand B's DiD of exactly 0
    is 0 everywhere (none before its adoption either); the industry's, with A in it, has
    none; the brands table says the same."""
    for brand, shown in (("A", ["–", "–"]), ("B", ["0", "0"])):
        downloads.clear()
        at = run("brand_report", public=public, db=did_world, brand=brand, period="2025-Q2",
                 **{"from": "2025-04", "to": "2025-06"})
        numbers = csv(downloads, f"brand-{brand}-numbers.csv").set_index("metric")
        assert numbers.loc[DID, ["this_period", "previous_period"]].tolist() == shown
        page = dict(zip([m.label for m in at.metric], said(at), strict=True))
        assert metrics(at)["Shoot days displaced (DiD)"][0] == shown[0]
        assert page["Shoot days displaced (DiD)"] == plain(
            f"{DID} for 2025-Q2: no figure in this selection." if brand == "A" else
            "0 shoot days were displaced by twins in 2025-Q2, by difference in differences "
            "against brands that use no twins (from the loaded exports).")
        out = tmp_path / f"{brand}.html"
        assert cli.main(["report", "--brand", brand, "--from", "2025-04", "--to", "2025-06",
                         "--out", str(out), "--db", str(did_world)]) == 0
        assert (f"<tr><td>{DID}</td><td class=num>{shown[0]}</td>"
                f"<td class=num>{shown[1]}</td></tr>") in out.read_text()
    run("displacement", public=public, db=did_world, period="2025-Q2",
        **{"from": "2025-04", "to": "2025-06"})
    q2 = Filters(from_month="2025-04", to_month="2025-06")
    read = release.displacement_totals if public else queries.displacement_totals
    assert read(did_world, q2)["displaced_did"].isna().tolist() == [True, True]
    # B's half-year: 0; the half before it, observed by nobody, has no figure (the release
    # holds B's DiD of 0 as cells: no cell is no figure)
    half = read(did_world, Filters(from_month="2025-01", to_month="2025-06", brand=("B",)))
    assert half["displaced_did"].fillna(-1).tolist() == [0.0, -1]
    brands = csv(downloads, "displacement-brands.csv").set_index("brand_id")
    assert brands["displaced_did"].to_dict() == {"A": "", "B": "0.0", "C1": "0.0", "C2": "0.0",
                                                 "C3": "0.0"}
    # the findings without the yearly estimate: no DiD is said to be none, not suppressed
    a_q2 = Filters(from_month="2025-04", to_month="2025-06", brand=("A",))
    source = release if public else queries
    disp, crew, income, consent = (getattr(source, name)(did_world, a_q2).iloc[0] for name in (
        "displacement_totals", "crew_totals", "model_income_totals", "consent_totals"))
    assert findings.sentences(source.twin_share_by_half(did_world, a_q2), disp, crew, None,
                              income, consent, "2025-Q2")[1] == (
        "In 2025-Q2 brands booked 6 shoot days; no difference in differences against brands "
        "that use no twins covers them; at most 9 were displaced if every twin image replaced "
        "shoot output.")

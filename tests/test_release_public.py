"""Issue 19: public output reads only the release. Every public page, chart image, embed
and the public brand report runs no query outside `release.*` (recorded at queries._run,
through which every query goes, and run on a warehouse that holds nothing but the release);
their numbers are the release's own cells, hidden ones marked; other audiences keep the
marts.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
import release_worlds as rw

from dashboard import disclosure, figures, keynumbers, privacy, public, queries
from dashboard.audience import Audience
from dashboard.audience import public as public_audience
from dashboard.filters import Filters
from etl.errors import UserError

RELATION = re.compile(r"\b(raw|staging|marts|meta|release|ref|sim|main|information_schema)"
                      r"\.([a-z_][a-z0-9_]*)\b")
RELEASED_CHARTS = ("overview-twin-share", "displacement-share-by-channel", "consent-monthly")


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Path:
    return rw.build(rw.brands(), tmp_path_factory.mktemp("brands"))


@pytest.fixture
def recorded(monkeypatch) -> list[str]:
    """Every SQL statement the queries run (all go through queries._run, as in
    dashboard.perf's recording of page queries)."""
    seen: list[str] = []
    run = queries._run

    def spy(src, sql, params=None):
        seen.append(sql)
        return run(src, sql, params)

    monkeypatch.setattr(queries, "_run", spy)
    return seen


def relations(statements: list[str]) -> set[str]:
    return {f"{s}.{t}" for sql in statements for s, t in RELATION.findall(sql)}


def _outside(read: set[str]) -> set[str]:
    return {r for r in read if not r.startswith("release.")}


@pytest.mark.parametrize("key", RELEASED_CHARTS)
@pytest.mark.parametrize("f", [Filters(), Filters(from_month="2025-04", to_month="2025-06"),
                               Filters(brand=("Y",)), Filters(channel=("campaign",))])
def test_released_charts_read_only_the_release(world, recorded, key, f):
    figures.render(world, key, f, public_audience())
    read = relations(recorded)
    assert "release.cells" in read
    assert not _outside(read), _outside(read)


def test_other_audiences_keep_the_marts(world, recorded):
    figures.render(world, "overview-twin-share", Filters(), Audience(role="union", k=None))
    read = relations(recorded)
    assert "marts.displacement_monthly" in read and "release.cells" not in read


def test_public_twin_share_is_the_release(world):
    """Q2 by month: twin images 183 a month (18 models) are shown; brand X's months (one
    model) are hidden and marked; brand Z's are shown (its six models)."""
    con = duckdb.connect(str(world), read_only=True)
    try:
        overall = public.twin_share_overall(con, Filters(from_month="2025-04",
                                                         to_month="2025-06"))
        x = public.twin_share_overall(con, Filters(brand=("X",)))
        z = public.twin_share_overall(con, Filters(brand=("Z",), channel=("ecommerce",)))
    finally:
        con.close()
    assert overall["twin_assets"].tolist() == [183.0, 183.0, 183.0]
    assert overall["models"].tolist() == [18, 18, 18]
    # 4 brands × 40 shoot images a month: 320, twin share 183 / 503
    assert overall["shoot_assets"].tolist() == [320.0] * 3
    assert np.allclose(overall["twin_share"], 183 / 503)
    q2 = x[x["month"] >= "2025-04-01"]
    assert q2["twin_assets"].isna().all()
    assert set(q2[privacy.SUPPRESSED_COL]) == {privacy.note(5)}
    # months before any twin use: no cell, nothing happened
    q1 = x[x["month"] < "2025-04-01"]
    assert q1["twin_assets"].tolist() == [0.0, 0.0, 0.0] and q1["models"].tolist() == [0] * 3
    # one breakdown at a time: the brand is followed, the channel is not
    assert public.ignored(Filters(brand=("Z",), channel=("ecommerce",))) == ["channel"]
    assert z[z["month"] >= "2025-04-01"]["twin_assets"].tolist() == [60.0, 60.0, 60.0]


def test_governed_serves_public_from_the_release_only(world):
    aud = public_audience()
    frame = disclosure.governed(world, "consent_over_time",
                                Filters(from_month="2025-04", to_month="2025-06"), aud=aud)
    con = duckdb.connect(str(world), read_only=True)
    cells = con.execute("""
        select period_start, value from release.cells
        where measure = 'twin_images' and grain = 'month' and dim = 'all'
          and period between '2025-04' and '2025-06' order by 1""").df()
    con.close()
    assert frame["twin_assets"].tolist() == cells["value"].tolist() == [183.0] * 3
    # every image of the world is unlicensed (no licences loaded): licensed 0
    assert frame["unlicensed_assets"].tolist() == [183.0] * 3
    assert frame["licensed_assets"].tolist() == [0.0] * 3
    assert pd.api.types.is_datetime64_any_dtype(frame["month"])


def _public_page(page: str, db: Path, monkeypatch, **params):
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("TWINIMPACT_DB", str(db))
    monkeypatch.setenv("TWINIMPACT_PUBLIC", "1")
    monkeypatch.delenv("TWINIMPACT_K", raising=False)
    st.cache_data.clear()
    at = AppTest.from_file(str(Path(figures.__file__).parent / "views" / f"{page}.py"),
                           default_timeout=90)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception[0].message
    return at


@pytest.mark.parametrize("params", [{}, {"from": "2025-04", "to": "2025-06"},
                                    {"brand": "Z"}])
def test_public_overview_reads_only_the_release(world, recorded, monkeypatch, params):
    """The Overview in public mode: headlines, findings, the estimates and its chart, when
    the data is from and which filter values exist: all from the release."""
    at = _public_page("overview", world, monkeypatch, **params)
    read = relations(recorded)
    assert "release.cells" in read and "release.provenance" in read
    assert not _outside(read), _outside(read)
    shown = {m.label: m.value for m in at.metric}
    assert any("Shoot days booked" in label for label in shown)


def test_public_overview_reads_shared_release_facts_once(world, recorded, monkeypatch):
    """Issue 19's speed: the public Overview's queries are one a figure, not one a figure
    and its lookups. Its readiness check reads the release's k (1 query); its known values
    and provenance come in one batch (2: the currency and k are in the provenance row); its
    period picker reads release.periods (1), which also gives its figures the release's
    first and last month (no query of their own); its figures: the headlines' industry
    cells of both periods at once (1: shoots, crew, twin fees, consent), the model role's
    crew income (1), the roles (1), the halves (1), the estimates (1) and the chart's
    months (1), and which months have no DiD (1: release.no_did_months, for both periods)
    — 11 in all."""
    _public_page("overview", world, monkeypatch)
    def count(text: str) -> int:
        return sum(text in " ".join(sql.split()) for sql in recorded)
    assert count("select k from release.provenance") == 1
    assert count("from release.provenance") == 2
    assert count("from release.periods") == 1
    assert count("min(period_start) as a") == 0
    assert count("from release.filter_values") == 1
    assert count("from release.cells c join wanted") == 3
    assert count("from release.no_did_months") == 1
    assert len(recorded) == 11, recorded


def test_public_headlines_are_sums_of_release_cells(world):
    """Q2 2025 is one release cell; 2025-02..2025-06 is tiled by months: a sum of shown
    cells, hidden when one tile is hidden. The brands world: shoot days 2 a month for each
    of 8 brands (16 a month); twin images 183 a month from 18 models in Q2."""
    con = duckdb.connect(str(world), read_only=True)
    try:
        q2 = public.displacement_totals(con, Filters(from_month="2025-04", to_month="2025-06"))
        tiled = public.displacement_totals(con, Filters(from_month="2025-02",
                                                        to_month="2025-06"))
        x = public.displacement_totals(con, Filters(from_month="2025-04", to_month="2025-06",
                                                    brand=("X",)))
    finally:
        con.close()
    assert q2["period"].tolist() == ["current", "previous"]
    assert q2["shoot_days"].tolist() == [48.0, 48.0]
    assert q2["twin_assets"].tolist() == [549.0, 0.0] and q2["models"].tolist() == [18, 0]
    # five months, then 2024-09..2025-01, of which only 2025-01 holds data
    assert tiled["shoot_days"].tolist() == [80.0, 16.0]
    assert tiled["twin_assets"].tolist() == [549.0, 0.0]
    assert np.isnan(x["twin_assets"].iloc[0])
    assert x[privacy.SUPPRESSED_COL].iloc[0] == privacy.note(5)
    assert public.tiles(*[pd.Timestamp(d).date() for d in ("2024-11-01", "2026-02-01")]) == [
        ("month", "2024-11"), ("month", "2024-12"), ("year", "2025"), ("month", "2026-01"),
        ("month", "2026-02")]


# ---- every public output reads the release and nothing else ---------------------------------

PAGES = ("overview", "displacement", "income", "consent", "employment", "brand_report",
         "data_sources", "check_image")
NOT_RELEASE = ("marts", "staging", "raw", "meta", "ref", "sim")


@pytest.fixture(scope="module")
def release_only(demo_db, tmp_path_factory) -> Path:
    """The small demo with every schema but `release` dropped: a public output that reads
    anything else fails here, whatever the SQL looks like (the recorder below names it)."""
    import shutil

    db = tmp_path_factory.mktemp("release-only") / "world.duckdb"
    shutil.copy(demo_db, db)
    con = duckdb.connect(str(db))
    try:
        for schema in NOT_RELEASE:
            con.execute(f"drop schema if exists {schema} cascade")  # our own names
        left = con.execute("select distinct schema_name from duckdb_tables() "
                           "where database_name = current_database()").fetchall()
    finally:
        con.close()
    assert left == [("release",)]
    return db


@pytest.mark.parametrize("params", [{}, {"from": "2024-01", "to": "2024-12"},
                                    {"brand": "BR01"}, {"region": "GB", "role": "model"}])
@pytest.mark.parametrize("page", PAGES)
def test_every_public_page_reads_only_the_release(release_only, recorded, monkeypatch, page,
                                                  params):
    """Every page in public mode, on a warehouse that holds nothing but the release: it
    runs, says nothing about stale marts, and every statement it ran reads release.*."""
    from dashboard import data

    at = _public_page(page, release_only, monkeypatch, **params)
    errors = [e.value for e in at.error]
    assert not any("published views" in e for e in errors), errors
    assert not errors, errors
    assert recorded or page == "check_image"
    assert not _outside(relations(recorded)), _outside(relations(recorded))
    assert data.ready()
    # what each figure and each row of headlines says it was read from: the release's tables
    sources = [c.value for c in at.caption if c.value.startswith("**Source:**")]
    assert bool(sources) == (page != "check_image")
    for said in sources:
        assert " · through the audited public release · " in said and "release\\." in said
        assert "marts" not in said and "staging" not in said and "meta\\." not in said, said


@pytest.mark.parametrize("key", list(figures.REGISTRY))
def test_every_chart_image_and_embed_reads_only_the_release(release_only, recorded, key):
    """`twinimpact chart`, the pages' image downloads and /embed draw through
    figures.render as the public audience: every registered chart, on the release alone."""
    f = Filters(brand=("BR01",)) if figures.REGISTRY[key].brand_required else Filters()
    if key == "employment-types":  # the demo's survey publishes no types apart: one line
        with pytest.raises(UserError, match="no survey in this warehouse publishes"):
            figures.render(release_only, key, f, public_audience())
    else:
        r = figures.render(release_only, key, f, public_audience())
        assert r.as_of != "no successful load yet" and r.built.summary
    assert not _outside(relations(recorded)), _outside(relations(recorded))


@pytest.mark.parametrize("key", ["overview-twin-share", "income-lorenz", "consent-rights",
                                 "employment-survey"])
def test_embed_page_reads_only_the_release(release_only, recorded, monkeypatch, key):
    at = _public_page("embed", release_only, monkeypatch, chart=key)
    assert not [e.value for e in at.error]
    assert not _outside(relations(recorded)), _outside(relations(recorded))


def test_public_brand_report_reads_only_the_release(release_only, recorded):
    """The published brand report (`twinimpact report`, the page's download) as the public
    audience: built from the release alone; the rights scorecard says why it is not shown."""
    from dashboard import report

    with duckdb.connect(str(release_only), read_only=True) as con:
        text = report.build_html(con, Filters(from_month="2025-01", to_month="2025-12",
                                              brand=("BR01",)), public_audience())
    assert "Withheld in public mode: not part of the public release" in text
    assert not _outside(relations(recorded)), _outside(relations(recorded))


def test_the_other_public_figures_are_release_cells(world):
    """The brands world (tests/release_worlds.py), hand-worked: 8 brands × one shoot a month
    (2 days, 40 images) 2025-01..06; twin use Q2 only, 10 EUR an image, no licences. Brands
    over the half-year: W and Z 180 twin images (six models each), X (one model) primary, Y
    (150, five models) its secondary partner; Y itself must keep ±50% (up to 225), but beside
    it only X (39) can give way: a third brand of at least 75 is hidden, the smaller of W and Z
    (a tie: W, the first), so Z alone is shown; shoot images 6 × 40 = 240 each."""
    con = duckdb.connect(str(world), read_only=True)
    try:
        f = Filters(from_month="2025-01", to_month="2025-06")
        brands = public.brands_ranked(con, f).set_index("brand_id")
        compliance = public.compliance_by_brand(con, f).set_index("brand_id")
        reasons = public.unlicensed_reasons(con, f)
        income = public.model_income_over_time(con, f)
        shoots = public.shoot_days_vs_expected(con, f)
        arrival = public.twin_arrival(con, f)
        dist = public.income_distribution(con, f).set_index("cohort")
        curve = public.lorenz(con, 2025)
    finally:
        con.close()
    assert brands.loc["Z", ["twin_assets", "models"]].tolist() == [180.0, 6]
    assert brands.loc[["W", "X", "Y"], "twin_assets"].isna().all()
    assert brands.loc["X", privacy.SUPPRESSED_COL] == privacy.note(5)
    assert brands.loc["Y", privacy.SUPPRESSED_COL] == privacy.secondary_note(5)
    assert brands.loc["W", privacy.SUPPRESSED_COL] == privacy.secondary_note(5)
    assert set(brands["shoot_assets"]) == {240.0}
    assert brands.loc["Z", "adoption_month"] == "2025-04" and pd.isna(
        brands.loc["C1", "adoption_month"])
    # no licence loaded: nothing licensed, every image watermarked and disclosed
    assert compliance.loc["Z", ["twin_assets", "licensed_share", "watermarked_share",
                                "disclosed_share"]].tolist() == [180.0, 0.0, 1.0, 1.0]
    # every unlicensed image's reason: no licence named (549 images, 18 models)
    assert reasons[["reason", "assets", "people"]].values.tolist() == [["no_licence", 549.0,
                                                                         18.0]]
    # models' twin income: 183 images × 10 a month in Q2 (no income before: no month, as in
    # marts.model_income_monthly); no crew, no shoot income
    assert income["month"].dt.strftime("%Y-%m").tolist() == ["2025-04", "2025-05", "2025-06"]
    assert income["twin_income"].tolist() == [1830.0] * 3
    assert income["models_twin"].tolist() == [18] * 3
    assert set(income["shoot_income"]) == {0.0}
    assert shoots["actual_shoot_days"].tolist() == [16.0] * 6
    assert arrival["first_use_any"].iloc[0] == pd.Timestamp("2025-04-01")
    # 18 models' yearly income: 17 × 300, X 390. Median 300; the top tenth (2 models) is
    # fewer than k: p90 and the top-10% share hidden; 18 models cannot fill ten deciles of 5
    assert dist.loc["all", "models"] == 18 and dist.loc["all", "median_income"] == 300
    # Gini: 2 Σ i·x(i) / (n Σx) − (n + 1)/n = 2 × 52,920 / 98,820 − 19/18
    assert dist.loc["all", "gini"] == pytest.approx(2 * 52920 / 98820 - 19 / 18, abs=1e-6)
    assert np.isnan(dist.loc["all", "p90_income"]) and np.isnan(dist.loc["all", "top10_share"])
    assert dist.loc["all", privacy.SUPPRESSED_COL] == privacy.note(5)
    assert curve.empty


# ---- the headlines: declared once, drawn from the release -----------------------------------

@pytest.mark.parametrize("key", list(keynumbers.HEADLINES))
def test_every_headline_reads_only_the_release(release_only, recorded, key):
    """Each declared headline's query, as the public audience asks it: read from the release
    alone, the release table its source line names among what it read."""
    h = keynumbers.HEADLINES[key]
    f = Filters(from_month="2025-01", to_month="2025-12")
    call = h.call(f, f)
    frame = disclosure.governed(release_only, *call, aud=public_audience())
    read = relations(recorded)
    assert not _outside(read), _outside(read)
    assert public.RELEASE_TABLES.get(h.query, "release.cells") in read
    assert keynumbers.shown(h, frame, f, "EUR").label


@pytest.mark.parametrize("name", [n for n in public.RELEASED
                                  if n not in public._NOT_RELEASED_COLUMNS])
def test_a_source_line_names_the_release_table_a_query_reads(release_only, recorded, name):
    fn = public.RELEASED[name]
    with duckdb.connect(str(release_only), read_only=True) as con:
        if name == "lorenz":
            fn(con, 2025)
        elif name in ("known_values", "provenance", "reporting_currency", "loads",
                      "quarantine_summary", "data_quality"):
            fn(con)
        else:
            fn(con, Filters(from_month="2025-01", to_month="2025-12"))
    assert public.RELEASE_TABLES.get(name, "release.cells") in relations(recorded)


def test_the_public_headlines_say_they_are_the_releases(release_only, recorded, monkeypatch):
    """The Overview's row of headlines (twin share and shoot days, the year's estimate, crew
    days) in public mode: one source line naming the release tables it was read from, in
    place of the marts a local reader is told about."""
    from dashboard import ui

    at = _public_page("overview", release_only, monkeypatch)
    assert [m.label for m in at.metric] == [
        "Twin share of images", "Shoot days booked",
        "Shoot days displaced in 2025 (DiD, 95% interval)", "Crew days displaced"]
    said = ui.plain("bookings and twin-usage exports (release.cells); release.estimates (all "
                    "channels; ALL = every adopting brand together); booking-crew exports "
                    "(release.cells)")
    assert any(c.value.startswith(f"**Source:** {said} · through the audited public release · ")
               for c in at.caption)

"""Issue 10, items 1, 2, 3 and 8 (Markdown): every figure the dashboard, the report and the
downloads show passes through one disclosure layer (dashboard.disclosure), follows every
active filter or says which it does not, is labelled in the warehouse's currency, and quotes
free text as text. The world: tests/disclosure_world.py (figures worked out there by hand).
"""

from __future__ import annotations

import base64
import io
import json
import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import streamlit as st
from disclosure_world import build
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from dashboard import disclosure, privacy, queries
from dashboard.audience import Audience
from dashboard.filters import Filters
from etl import cli

ROOT = Path(__file__).resolve().parents[1]
VIEWS = ROOT / "dashboard" / "views"
PAGES = ("overview", "displacement", "income", "consent", "employment", "brand_report",
         "data_sources")
HIDDEN = "suppressed: fewer than 5 people"
SECOND = "suppressed: would reveal a figure about fewer than 5 people"


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Path:
    return build(tmp_path_factory.mktemp("world"))


@pytest.fixture(scope="module")
def usd_world(tmp_path_factory) -> Path:
    return build(tmp_path_factory.mktemp("usd"), currency="USD")


@pytest.fixture
def downloads(monkeypatch) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def spy(self, path_or_data, mimetype, kind, filename=None):
        if filename and isinstance(path_or_data, bytes):
            files[filename] = path_or_data
        return original(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", spy)
    return files


@pytest.fixture
def run(monkeypatch, downloads):
    def _run(page: str, db: Path, public: bool = False, **params) -> AppTest:
        monkeypatch.setenv("TWINIMPACT_DB", str(db))
        monkeypatch.setenv("TWINIMPACT_PUBLIC", "1" if public else "0")
        monkeypatch.delenv("TWINIMPACT_K", raising=False)
        st.cache_data.clear()  # caches are process-wide: never let one warehouse leak
        at = AppTest.from_file(str(VIEWS / f"{page}.py"), default_timeout=60)
        for key, value in params.items():
            at.query_params[key] = value
        at.run()
        assert not at.exception, at.exception[0].message
        return at
    return _run


def _decode(obj):
    if isinstance(obj, dict):
        if set(obj) >= {"dtype", "bdata"}:
            return np.frombuffer(base64.b64decode(obj["bdata"]), dtype=obj["dtype"]).tolist()
        return {k: _decode(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_decode(v) for v in obj]
    return obj


def charts(at: AppTest) -> list[dict]:
    return [_decode(json.loads(c.proto.spec)) for c in at.get("plotly_chart")]


def text_of(at: AppTest) -> str:
    """Every word a page shows: headings, Markdown, captions, alerts, metrics, tables, charts
    (titles, labels and hover text), buttons, code."""
    parts = [e.value for kind in ("title", "subheader", "markdown", "caption", "info",
                                  "warning", "error", "code", "text") for e in at.get(kind)]
    parts += [f"{m.label} {m.value} {m.delta or ''} {m.proto.help}" for m in at.metric]
    parts += [e.value.to_csv() for e in at.dataframe]
    parts += [json.dumps(c) for c in charts(at)]
    parts += [d.proto.label for d in at.get("download_button")]
    return "\n".join(str(p) for p in parts)


def numbers_of(at: AppTest, files: dict[str, bytes]) -> set[float]:
    """Every number a page draws (chart traces) or lets download (CSV cells), rounded."""
    out: set[float] = set()

    def add(v):
        if isinstance(v, bool):
            return
        if isinstance(v, (int, float)) and not np.isnan(v):
            out.add(round(float(v), 4))
        elif isinstance(v, list):
            for x in v:
                add(x)
    for fig in charts(at):
        for trace in fig["data"]:
            for key in ("x", "y", "text", "customdata"):
                add(trace.get(key))
    for body in files.values():
        df = pd.read_csv(io.BytesIO(body))
        for col in df.select_dtypes("number").columns:
            add(df[col].dropna().tolist())
    return out


def html_numbers(text: str) -> set[float]:
    """Numbers in the report's chart data (plotly inlines arrays as base64) and its tables."""
    out = {round(float(v), 4) for dtype, data in re.findall(
        r'"dtype":"(\w+)","bdata":"([^"]+)"', text)
        for v in np.frombuffer(base64.b64decode(json.loads(f'"{data}"')), dtype=dtype)}
    out |= {round(float(v.replace(",", "")), 4)
            for v in re.findall(r"<td class=num>[^0-9<]*([0-9][0-9,.]*)", text)}
    return out


# SOLO's twin images (51; 17 a month; 17 unlicensed, unwatermarked: 8.5%, 91.5%, 83.1% of
# the industry's 201 give them away), its shares (licensed and watermarked 2/3, disclosed
# 1/3, twin share 17/97 a month, 51/291 over the period), its upper bound (2.55 days); MANY's
# (150 images, 38.5% share, 7.5 days: total − MANY = SOLO); the stylists (951), the
# photographers' 12,000 and 24 days (total − photographers = stylists + M7); M7's 1,400.
SECRETS = [51, 17, 2 / 3, 1 / 3, 17 / 97, 51 / 291, 2.55, 150, 50 / 130, 150 / 390, 7.5, 951,
           12000, 1400, 17 / 201, 184 / 201, 167 / 201, 184]
SECRET_TEXT = ["66.7%", "33.3%", "951", "1,400", "1400", "12,000", "17.5%", "38.5%", "91.5%",
               "83.1%"]  # (8.5% is in METHODOLOGY.md's text: checked as a number instead)


def _assert_hidden(where: str, text: str, numbers: set[float]):
    for needle in SECRET_TEXT:  # as a number of its own, not inside 0.29515…
        hit = re.search(rf"(?<![\d.,]){re.escape(needle)}(?![\d])", text)
        assert not hit, (where, needle, text[max(0, hit.start() - 150):hit.end() + 60])
    for value in SECRETS:
        assert round(value, 4) not in numbers, (where, value)


def test_public_mode_hides_every_small_figure_on_every_page_report_and_download(
        world, run, downloads, tmp_path, capsys):
    shown = {}
    for page in PAGES:
        downloads.clear()
        # the world's whole history is the release's year 2025 (public mode would open on
        # its latest whole quarter)
        params = {"period": "2025", **({"brand": "SOLO"} if page == "brand_report" else {})}
        at = run(page, world, public=True, **params)
        _assert_hidden(page, text_of(at), numbers_of(at, downloads))
        shown[page] = (at, dict(downloads))

    # what may be shown still is, and what is hidden says so
    overview, files = shown["overview"]
    m = {x.label: x.value for x in overview.metric}
    # 201 twin images from six models, but SOLO's 51 beside MANY's 150: MANY, hidden with
    # SOLO, must be able to move by 75 and SOLO gives way by 51 at most, so the industry's
    # 201 is hidden too (and with it the twin share)
    assert m["Twin share of images"] == "–"
    findings = next(md.value for md in overview.markdown if md.value.startswith("- "))
    # the consent totals are hidden with the twin images (see above), and 1 model is behind
    # the unlicensed ones
    assert ("Consent figures for the twin images in 2025 (data up to 2025-06 only): "
            "suppressed") in findings
    assert "of twin images were used without a valid licence" not in findings
    assert ("Models' income from shoots and twins in 2025 (data up to 2025-06 only): "
            "suppressed") in findings
    consent, files = shown["consent"]
    m = {x.label: x.value for x in consent.metric}
    # six models behind the twin images, but one behind the unlicensed, the unwatermarked and
    # the undisclosed ones: 91.5% watermarked of 201 would give SOLO's 17 unwatermarked
    assert (m["Twin images"], m["Watermarked"], m["Disclosed as AI"]) == ("–", "–", "–")
    assert m["Used without a valid licence"] == "–"
    brands = pd.read_csv(io.BytesIO(files["consent-brands.csv"]), keep_default_na=False)
    assert brands.set_index("brand_id")["suppressed"].to_dict() == {"SOLO": HIDDEN,
                                                                    "MANY": SECOND}
    displacement, files = shown["displacement"]
    ranked = pd.read_csv(io.BytesIO(files["displacement-brands.csv"]), keep_default_na=False)
    assert ranked.set_index("brand_id")["suppressed"].to_dict() == {
        "SOLO": HIDDEN, "MANY": SECOND, "C": "", "D": ""}
    assert ranked.set_index("brand_id").loc["SOLO", "twin_assets"] == ""
    crew = pd.read_csv(io.BytesIO(files["displacement-crew-by-role.csv"]),
                       keep_default_na=False).set_index("role")
    assert crew["suppressed"].to_dict() == {"model": HIDDEN, "photographer": SECOND,
                                            "stylist": HIDDEN}
    income, files = shown["income"]
    m = {x.label: x.value for x in income.metric}
    assert m["Models' income from twins"] == "–"  # six models, hidden like the images
    assert m["Models' income from shoots"] == "–" and m["Twin share of models' income"] == "–"
    report, _ = shown["brand_report"]
    numbers = pd.read_csv(io.BytesIO(shown["brand_report"][1]["brand-SOLO-numbers.csv"]),
                          keep_default_na=False).set_index("metric")["this_period"]
    assert numbers["Twin images"] == "–" and numbers["Twin images watermarked"] == "–"
    assert numbers["Shoot days booked"] == "12"  # shoot days are not people

    # the published report (public by default) of each brand
    for brand in ("SOLO", "MANY", "C"):
        out = tmp_path / f"{brand}.html"
        with pytest.MonkeyPatch.context() as mp:
            mp.delenv("TWINIMPACT_PUBLIC", raising=False)
            mp.delenv("TWINIMPACT_K", raising=False)
            assert cli.main(["report", "--brand", brand, "--out", str(out),
                             "--db", str(world)]) == 0
        capsys.readouterr()
        html = out.read_text()
        # words outside the scripts (plotly.js itself is full of digits); chart data decoded
        words = re.sub(r"<script.*?</script>", "", html, flags=re.S)
        # plotly names each chart's div by a random UUID ("…c4d951a4"): not a figure
        words = re.sub(r"[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}", "", words)
        _assert_hidden(f"report {brand}", words, html_numbers(html))
        assert "suppressed" in html or brand == "C"


@pytest.mark.parametrize("key, value", [("brand", "MANY"), ("channel", "campaign"),
                                        ("role", "photographer"), ("brand", "SOLO")])
def test_a_filter_never_reveals_what_the_unfiltered_view_hides(world, run, downloads, key, value):
    """MANY alone, the campaign channel alone (MANY's twins) or the photographers alone are
    figures about at least k people, but subtracted from the unfiltered total they give SOLO's
    (or the stylists' and M7's): hidden, on every page."""
    for page in PAGES:
        if page == "brand_report" and key != "brand":
            continue
        downloads.clear()
        at = run(page, world, public=True, **{key: value})
        _assert_hidden(f"{page} {key}={value}", text_of(at), numbers_of(at, downloads))


def test_the_same_figures_are_shown_in_private_mode(world, run, downloads):
    """The check above is not vacuous: private mode shows exactly those figures."""
    at = run("consent", world)
    m = {x.label: x.value for x in at.metric}
    assert m["Used without a valid licence"] == "8.5%"  # 17 ÷ 201
    assert (m["Watermarked"], m["Disclosed as AI"]) == ("91.5%", "83.1%")
    brands = pd.read_csv(io.BytesIO(downloads["consent-brands.csv"])).set_index("brand_id")
    assert brands.loc["SOLO", "twin_assets"] == 51
    assert round(brands.loc["SOLO", "watermarked_share"], 4) == round(2 / 3, 4)
    at = run("income", world)
    assert {x.label: x.value for x in at.metric}["Models' income from shoots"] == "€1,400"


@pytest.mark.parametrize("counts, parts, hidden", [
    # one part hidden: the smallest part that could be shown goes with it
    ([1, 5, 6, 0], (), ["fewer", "reveal", "", ""]),
    # two small parts (3 + 4 people may be the same 3): still a part of ≥ k goes with them
    ([3, 4, 9, 7], (), ["fewer", "fewer", "", "reveal"]),
    # nothing hidden, nothing more; a part no one is behind (and 0) stays
    ([5, 6, 0, 8], (), ["", "", "", ""]),
    # no total is shown beside these rows: no second part
    ([1, 5, 6, 7], None, ["fewer", "", "", ""]),
])
def test_secondary_suppression(counts, parts, hidden):
    df = pd.DataFrame({"people": counts, "value": [10.0 if c else 0.0 for c in counts]})
    out = privacy.suppress(df, {"people": ["value"]}, 5, parts=parts)
    marks = ["fewer" if "fewer than 5" in m and "reveal" not in m else
             "reveal" if "reveal" in m else "" for m in out["suppressed"]]
    assert marks == hidden
    assert out["value"].isna().tolist() == [h != "" for h in hidden]


def test_secondary_suppression_works_within_groups():
    df = pd.DataFrame({"month": ["a", "a", "a", "b", "b"], "models": [1, 6, 8, 6, 8],
                       "twin_assets": [3, 10, 20, 10, 20]})
    out = privacy.suppress(df, {"models": ["twin_assets"]}, 5, parts=("month",))
    assert out["twin_assets"].tolist()[:3] == [pytest.approx(np.nan, nan_ok=True)] * 2 + [20]
    assert out["twin_assets"].tolist()[3:] == [10, 20]


def test_every_query_a_page_reads_has_a_rule():
    names = {n for n in dir(queries) if not n.startswith("_") and callable(getattr(queries, n))}
    names -= {"Filters", "Known", "Path", "date", "previous_period", "reader", "events",
              "warehouse_ready", "Source"}
    assert names - set(disclosure.RULES) == set()


def test_a_brand_sees_its_own_figures_and_never_another_brand(world):
    aud = Audience(role="brand", k=None, brand="SOLO")
    f = Filters(from_month="2025-01", to_month="2025-06", brand=("MANY",))
    scoped, warnings = disclosure.scope(f, aud)
    assert scoped.brand == ("SOLO",) and "Ignored brand='MANY'" in warnings[0]
    # its own figures unsuppressed, another brand's never (the filter is narrowed to SOLO)
    ranked = disclosure.governed(world, "brands_ranked", f, aud=aud)
    assert ranked["brand_id"].tolist() == ["SOLO"] and ranked["twin_assets"].tolist() == [51]
    consent = disclosure.governed(world, "compliance_by_brand", replace(f, brand=()), aud=aud)
    assert consent["brand_id"].tolist() == ["SOLO"]
    known = disclosure.governed(world, "known_values", aud=aud)
    assert known.brands == ("SOLO",)
    # industry figures: in public mode, and only where after SOLO's own part at least two
    # other brands contribute, none above 85%: the models' twin income (2,010) is SOLO's 510
    # and MANY's 1,500 — less SOLO's part it would be MANY's alone
    income = disclosure.governed(world, "model_income_totals", f, aud=aud)
    assert income["twin_income"].isna().all()
    assert income["suppressed"].str.contains("withheld: fewer than 2 other brands contribute",
                                             regex=False).all()
    # with two other brands of 1,500 and 1,000: the industry figure in public mode (M7's
    # 1,400 of shoot income stays hidden: one model)
    contrib = pd.DataFrame({"month": pd.to_datetime(["2025-04-01"] * 3),
                            "brand_id": ["SOLO", "MANY", "D"], "shoot_income": [0, 0, 1400],
                            "twin_income": [510.0, 1500.0, 1000.0]})
    shown = disclosure.disclose("model_income_totals", queries.model_income_totals(world, f),
                                aud, contributions=contrib, args=(f,))
    assert shown["twin_income"].tolist()[0] == 2010 and np.isnan(shown["shoot_income"][0])
    # a union audience sees everything; public sees the small figures hidden
    union = disclosure.governed(world, "brands_ranked", f, aud=Audience(role="union", k=None))
    assert union["brand_id"].tolist() == ["MANY"]
    with pytest.raises(KeyError, match="no disclosure rule"):
        disclosure.disclose("not_a_query", pd.DataFrame(), aud)


def test_a_usd_warehouse_is_labelled_in_dollars_everywhere(usd_world, run, downloads, tmp_path,
                                                           capsys):
    texts = []
    for page in PAGES:
        params = {"brand": "SOLO"} if page == "brand_report" else {}
        at = run(page, usd_world, **params)
        texts.append((page, text_of(at)))
    for page, text in texts:
        assert "€" not in text, page
    income = dict(texts)["income"]
    assert "Models' income from twins $2,010" in income  # fees were paid in USD: no conversion
    assert "USD per month" in income and "$%{y:,.0f}" in income
    overview = dict(texts)["overview"]
    assert "Models earned $2,010 from licensing their twins against $1,400 from shoots" \
        in overview
    out = tmp_path / "usd.html"
    assert cli.main(["report", "--brand", "SOLO", "--out", str(out), "--db", str(usd_world)]) == 0
    capsys.readouterr()
    html = out.read_text()
    assert "€" not in html and "Money in USD" in html
    for name, body in downloads.items():
        assert b"\xe2\x82\xac" not in body, name


def test_filters_every_figure_follows_or_says_which_it_does_not(world, run, downloads):
    base = run("overview", world)
    base_m = {x.label: x.value for x in base.metric}
    base_findings = next(md.value for md in base.markdown if md.value.startswith("- "))
    at = run("overview", world, channel="campaign")
    m = {x.label: x.value for x in at.metric}
    # shoots and twin use follow the channel: MANY and D's campaign only
    assert m["Twin share of images"] == "23.8%" != base_m["Twin share of images"]  # 150/630
    assert m["Shoot days booked"] == "24" and base_m["Shoot days booked"] == "48"
    # crew figures cannot: the headline says so on itself, the sentence stands alone
    assert "Crew days displaced (all channels)" in m
    assert any("the channel filter does not apply" in x.proto.help for x in at.metric
               if x.label.startswith("Crew"))
    findings = next(md.value for md in at.markdown if md.value.startswith("- "))
    assert "Across all channels, models earned €2,010 from licensing" in findings
    assert "Models' income" not in base_findings or "Across" not in base_findings
    assert "That is about" not in findings  # never chained to the channel-filtered sentence

    # the crew chart on the displacement page names the channel filter it cannot follow
    # (the page × filter matrix below checks every other figure)
    at = run("displacement", world, channel="campaign")
    assert any("Crew days displaced, by role (all channels)" in json.dumps(c)
               for c in charts(at))


def test_free_text_ids_render_as_text(tmp_path, run):
    evil = "[click](https://evil.example)![x](https://evil.example/i.png)<b>B</b>"
    db = build(tmp_path / "md", brand_id=evil)
    at = run("brand_report", db, brand=evil)
    md = " ".join(m.value for m in at.markdown) + " ".join(i.value for i in at.info)
    assert "[click](https://" not in md and "![x](" not in md and "<b>" not in md
    assert "\\[click\\]\\(https\\:\u2060\\/\\/evil\\.example\\)" in md
    for fig in charts(at):
        assert "<b>B</b>" not in json.dumps(fig)
    warn = run("displacement", db, brand="[x](https://evil.example)")
    assert all("[x](https://" not in w.value for w in warn.warning)


TWIN_SHARE, SHOOT_DAYS = "Twin share of images", "Shoot days booked"
# page → filter → (the headline numbers that change, the charts/downloads that change,
# the filters some figure on the page must say it does not follow). Values: brand MANY
# (150 twin images of 390, 12 shoot days, no crew), channel campaign (MANY and D), region GB
# (every brand: nothing changes), role stylist (SOLO's two stylists).
MATRIX = {
    "overview": {
        "brand": ({0, 1}, {"overview-twin-share.csv"}, "brand"),      # models' income
        "channel": ({0, 1}, {"overview-twin-share.csv"}, "channel"),  # crew, income, consent
        "region": (set(), set(), "region"),                             # models' income
    },
    "displacement": {
        "brand": ({0, 2}, {"displacement-share-by-channel.csv", "displacement-shoot-days.csv",
                           "displacement-crew-by-role.csv", "displacement-brands.csv",
                           "displacement-estimates.csv", "displacement-breakdown.csv"}, None),
        "channel": ({0, 2}, {"displacement-share-by-channel.csv", "displacement-shoot-days.csv",
                             "displacement-brands.csv"}, "channel"),  # the crew chart
        # (ALL is every adopting brand: with a region the brands are listed one by one)
        "region": (set(), {"displacement-estimates.csv", "displacement-breakdown.csv"}, None),
        "role": (set(), {"displacement-crew-by-role.csv"}, "role"),    # shoots have no role
    },
    "income": {
        "brand": (set(), {"income-crew-by-role.csv"}, "brand"),  # models' income: no brand
        "region": (set(), set(), "region"),
        "role": (set(), {"income-crew-by-role.csv"}, "role"),
    },
}
VALUES = {"brand": "MANY", "channel": "campaign", "region": "GB", "role": "stylist"}


@pytest.mark.parametrize("page, key", [(p, k) for p, fs in MATRIX.items() for k in fs])
def test_each_page_and_filter_changes_exactly_the_figures_that_follow_it(world, run, downloads,
                                                                         page, key):
    base = run(page, world)
    base_values = [m.value for m in base.metric]
    base_files = dict(downloads)
    downloads.clear()
    at = run(page, world, **{key: VALUES[key]})
    values = [m.value for m in at.metric]
    metrics, files, named = MATRIX[page][key]
    assert {i for i, (a, b) in enumerate(zip(base_values, values, strict=True)) if a != b} \
        == metrics
    # a download that changed or went (its chart became "nothing matches these filters")
    assert {n for n in base_files if downloads.get(n) != base_files[n]} == files
    said = " ".join([c.value for c in at.caption] + [m.proto.help for m in at.metric]
                    + [m.value for m in at.markdown])
    if named:  # on the figure ("the brand filter does not apply") or its sentence ("Across …")
        assert (f"the {named} filter" in said and "not apply" in said) or \
            f"Across all {named}s" in said or f"(across all {named}s)" in said
    else:
        assert "not apply" not in said and "Across all" not in said


def test_a_brand_audience_on_the_pages(world, run, downloads, monkeypatch):
    """What sign-in will hand the pages (helper auth wires it): a brand sees its own figures
    whole, no other brand's id, and industry figures only from five brands or more."""
    from dashboard import data

    monkeypatch.setattr(data, "audience", lambda: Audience(role="brand", k=None, brand="SOLO"))
    at = run("displacement", world, brand="MANY")
    said = text_of(at)
    assert any("Ignored brand='MANY'" in w.value.replace("\\", "") for w in at.warning)
    assert "MANY" not in said.replace(at.warning[0].value, "")
    assert {x.label: x.value for x in at.metric}["Twin share of images"] == "17.5%"  # 51 ÷ 291
    ranked = pd.read_csv(io.BytesIO(downloads["displacement-brands.csv"]))
    assert ranked["brand_id"].tolist() == ["SOLO"] and ranked["twin_assets"].tolist() == [51]
    at = run("brand_report", world)
    assert at.selectbox[0].options == ["SOLO"]
    at = run("income", world)  # one other brand behind each industry figure: withheld
    assert {x.label: x.value for x in at.metric}["Models' income from twins"] == "–"
    income = pd.read_csv(io.BytesIO(downloads["income-models-monthly.csv"]))
    assert income["suppressed"].str.contains("withheld: fewer than 2 other brands contribute",
                                             regex=False).all()


@pytest.fixture(scope="module")
def named_world(tmp_path_factory) -> Path:
    """The world with ids that can be searched for (C is CEEBRAND, D is DEEBRAND), each
    brand's bookings in its own file named after it."""
    return build(tmp_path_factory.mktemp("named"), brand_id="CEEBRAND", d_id="DEEBRAND",
                 bookings_per_brand=True)


NAMED = ("SOLO", "MANY", "CEEBRAND", "DEEBRAND")


def names(brand: str, text: str) -> int:
    """How often `brand` appears as an id of its own (not inside plotly.js's TOO_MANY_POINTS),
    also behind Markdown escapes."""
    return len(re.findall(rf"(?<![A-Za-z0-9_]){brand}(?![A-Za-z0-9_])", text.replace("\\", "")))


@pytest.mark.parametrize("me", ["SOLO", "MANY"])
def test_every_page_download_and_report_as_a_brand_names_no_other_brand(
        named_world, run, downloads, monkeypatch, me):
    """Issue 17 item 5: a brand audience never sees another brand's id, file name or row
    count — on any page (its figures, filters, Data page, status lines), any download, the
    report. Each other brand of the world is looked for, also behind Markdown escapes."""
    from dashboard import data, report

    aud = Audience(role="brand", k=None, brand=me, user=f"esg@{me.lower()}.example")
    monkeypatch.setattr(data, "audience", lambda: aud)
    others = [b for b in NAMED if b != me]
    for page in PAGES:
        downloads.clear()
        at = run(page, named_world)
        said = text_of(at) + "\n".join(b.decode("utf-8", "replace") for b in downloads.values())
        for other in others:
            assert not names(other, said), (me, page, other)
        assert names(me, said) or page in ("employment", "data_sources"), (me, page)
    # a URL naming another brand: the warning quotes the URL, nothing else names it
    for other in others:
        at = run("brand_report", named_world, brand=other)
        assert names(other, text_of(at)) == names(other, " ".join(w.value for w in at.warning)) \
            == 1
    html = report.build_html(named_world, Filters(from_month="2025-01", to_month="2025-06",
                                                  brand=(me,)), aud)
    for other in others:
        assert not names(other, html), (me, other)
    assert "loaded files covers every brand" in html

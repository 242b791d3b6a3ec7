"""Issue 19, attacks 1 and 4, mounted on the public outputs as they are served: the pages in
public mode (their headlines and CSV downloads), the public brand report; then an independent
linear programme (tests/test_release.py's scipy `ranges`) over the release's published cells
plus every number those outputs showed, which must leave each protected cell a range of at
least ±50%. The worlds are tests/release_worlds.py's, worked out by hand there."""

from __future__ import annotations

import io
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import release_worlds as rw
from test_attacks_doors import downloads  # noqa: F401 — every download's bytes, by name
from test_release import published, ranges, value_of
from test_release_public import _public_page

from dashboard import report
from dashboard.audience import public as public_audience


@pytest.fixture(scope="module")
def worlds(tmp_path_factory):
    built: dict[str, Path] = {}

    def get(name: str) -> Path:
        if name not in built:
            built[name] = rw.build(rw.WORLDS[name](), tmp_path_factory.mktemp(name))
        return built[name]
    return get


@pytest.fixture
def page(monkeypatch, downloads):  # noqa: F811 — the fixture imported above
    """A page in public mode: (its metrics by label, its CSV downloads by file name)."""
    def run(name: str, db: Path, **params) -> tuple[dict[str, str], dict[str, pd.DataFrame]]:
        downloads.clear()
        at = _public_page(name, db, monkeypatch, **params)
        csvs = {n: pd.read_csv(io.BytesIO(b)) for n, b in downloads.items()
                if n.endswith(".csv")}
        return {m.label: m.value for m in at.metric}, csvs
    return run


def _months(a: str, b: str) -> list[str]:
    return [f"{d:%Y-%m}" for d in pd.date_range(f"{a}-01", f"{b}-01", freq="MS")]


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def _rows(df: pd.DataFrame, dim: str, key: str | None, months: list[str]) -> list:
    """Each shown twin_assets of a served frame as (value, the month cells it sums): one
    month's row (a `month` column), else the rows' `key` member over `months`."""
    out = []
    for r in df.dropna(subset=["twin_assets"]).to_dict("records"):
        spans = [str(r["month"])[:7]] if "month" in df.columns else months
        member = "" if dim == "all" else str(r[key])
        out.append((float(r["twin_assets"]), [f"month|{m}|{dim}|{member}" for m in spans]))
    return out


def _protected_ranges(db: Path, extra: list) -> dict[str, tuple[float, float, float]]:
    """Every primary twin_images cell: (value, lo, hi) against the release's published cells
    and `extra` (cells that do not exist are zero: nothing happened there)."""
    cells, homes = published(db)
    twin = cells[cells["measure"] == "twin_images"].reset_index(drop=True)
    keys = set(twin["grain"] + "|" + twin["period"] + "|" + twin["dim"] + "|" + twin["member"])
    extra = [(v, [k for k in ks if k in keys]) for v, ks in extra]
    primary = twin[twin["status"] == "primary"]
    which = list(primary["grain"] + "|" + primary["period"] + "|" + primary["dim"] + "|"
                 + primary["member"])
    ids = dict(zip(which, primary["cell_id"], strict=True))
    return {ids[k]: (value_of(db, ids[k]), lo, hi)
            for k, (lo, hi) in ranges(twin, homes, which, 0.0, extra).items()}


def _wide(value: float, lo: float, hi: float) -> bool:
    return lo <= 0.5 * value + 1e-6 and hi >= 1.5 * value - 1e-6


def test_attack_1_consent_headline_brands_csv_and_brand_report(worlds, page):
    """549 − W 180 − Z 180 − Y's report (150) = X's 39, as the review did it. Served now: the
    Consent headline is 549 and the brands CSVs show Z 180, but X (one model), Y (hidden
    with it) and W (hidden so that Y, 150, can move by 75: X alone gives way by 39) are blank
    there and in Y's public brand report, whose twin images are "–"; with every number of
    those outputs added, X still keeps at least 19.5..58.5 (±50% of 39)."""
    db = worlds("brands")
    months = _months("2025-01", "2025-06")
    metrics, consent = page("consent", db)
    assert metrics["Twin images"] == "549"
    _, displacement = page("displacement", db)
    brands = displacement["displacement-brands.csv"].set_index("brand_id")
    assert brands.loc["Z", "twin_assets"] == 180.0
    assert brands.loc[["W", "X", "Y"], "twin_assets"].isna().all()
    assert brands.loc["Y", "suppressed"] == "suppressed: would reveal a figure about fewer " \
                                            "than 5 people"
    with duckdb.connect(str(db), read_only=True) as con:
        y = report.selection(db, "Y", None, None)
        numbers = report.key_numbers(con, y, public_audience())
        html = report.build_html(con, y, public_audience())
    assert pd.isna(numbers.set_index("metric").loc["Twin images", "value"])
    assert ">150<" not in html and ">39<" not in html
    # the review's subtraction, with what is shown: no longer X
    shown = brands["twin_assets"].sum()
    assert 549 - shown == 369 != 39

    extra = [(549.0, [f"month|{m}|all|" for m in months])]
    extra += _rows(consent["consent-monthly.csv"], "all", None, months)
    extra += _rows(consent["consent-brands.csv"], "brand", "brand_id", months)
    extra += _rows(displacement["displacement-brands.csv"], "brand", "brand_id", months)
    extra += _rows(displacement["displacement-share-by-channel.csv"], "channel", "channel",
                   months)
    got = _protected_ranges(db, extra)
    assert got["twin_images:2025:brand=X"][0] == 39
    assert all(_wide(*r) for r in got.values()), got
    lo, hi = got["twin_images:2025:brand=X"][1:]
    assert lo <= 19.5 and hi >= 58.5


def test_attack_4_headline_window_against_the_monthly_charts(worlds, page):
    """Year 680 − the eleven other months = March (two models, 20 images). Served now: the
    Consent headline (the whole year: 680) beside the monthly chart's CSV and the Overview's
    twin-share CSV: March is blank and so is a second month, and with all those numbers March
    keeps a range of at least ±50%."""
    db = worlds("window")
    months = _months("2025-01", "2025-12")
    metrics, consent = page("consent", db)
    assert _number(metrics["Twin images"]) == 680
    _, overview = page("overview", db)
    monthly = consent["consent-monthly.csv"].set_index("month")
    assert pd.isna(monthly.loc["2025-03-01", "twin_assets"])
    assert monthly["twin_assets"].isna().sum() >= 2
    assert 680 - monthly["twin_assets"].sum() != 20
    share = overview["overview-twin-share.csv"]
    assert share["twin_assets"].isna().sum() >= 2

    extra = [(680.0, [f"month|{m}|all|" for m in months])]
    extra += _rows(consent["consent-monthly.csv"], "all", None, months)
    extra += _rows(share, "all", None, months)
    got = _protected_ranges(db, extra)
    assert got["twin_images:2025-03:all"][0] == 20
    assert all(_wide(*r) for r in got.values()), got


def test_a_headline_window_holding_a_hidden_month_is_not_offered(worlds, page):
    """A public headline is a release period: 2025-02..2025-12 (which would be the year less
    January) is no release period, so the page names it, opens on the year (680) instead, and
    March alone is '–'."""
    db = worlds("window")
    metrics, _ = page("consent", db, **{"from": "2025-02", "to": "2025-12"})
    assert _number(metrics["Twin images"]) == 680
    metrics, _ = page("consent", db, **{"from": "2025-03", "to": "2025-03"})
    assert metrics["Twin images"] == "–"

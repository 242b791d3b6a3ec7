"""The running dashboard in Debian's chromium: every page draws, permalinks hold, loads show up."""

from __future__ import annotations

import re
import shutil

import pytest
from browserkit import ARGS, CHROMIUM, need_chromium, start_dashboard, stop, wait_up
from conftest import run_cli
from playwright.sync_api import expect

pytestmark = pytest.mark.browser
PAGES = ["", "displacement", "income", "consent", "employment", "brand-report", "data"]


@pytest.fixture(scope="module")
def server(demo_db, tmp_path_factory):
    need_chromium()
    folder = tmp_path_factory.mktemp("browser")
    db = folder / "warehouse.duckdb"
    shutil.copyfile(demo_db, db)  # the session demo is read-only; this one gets a load
    proc, base = start_dashboard(db, {"TWINIMPACT_PUBLIC": "0"})
    try:
        wait_up(proc, base, 30)
        yield base, db, folder
    finally:
        stop(proc)


@pytest.fixture(scope="module")
def page(server):
    from playwright.sync_api import sync_playwright

    expect.set_options(timeout=20_000)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        pg = browser.new_page(viewport={"width": 1400, "height": 1000})
        pg.set_default_timeout(20_000)
        yield pg
        browser.close()


def _wait_rendered(pg) -> None:
    pg.wait_for_selector("h1")
    # Streamlit shows a running indicator until the script finishes
    pg.wait_for_function(
        "!document.querySelector('[data-testid=stStatusWidget]')", timeout=20_000)


def test_every_page_renders_its_charts(server, page):
    base, _, _ = server
    for path in PAGES:
        page.goto(f"{base}/{path}")
        _wait_rendered(page)
        if path == "data":
            page.wait_for_selector("[data-testid=stDataFrame]")
        else:
            page.wait_for_selector(".js-plotly-plot .main-svg")
        expect(page.locator("body")).to_contain_text("Simulated data")
        assert page.locator("[data-testid=stException]").count() == 0, path


def test_a_permalink_reproduces_its_filters(server, page):
    base, _, _ = server
    page.goto(f"{base}/displacement?from=2024-01&to=2024-12&brand=BR02&channel=ecommerce")
    _wait_rendered(page)
    page.wait_for_selector(".js-plotly-plot .main-svg")
    expect(page.locator("body")).to_contain_text(
        "Headline numbers: 2024-01 to 2024-12, change against 2023-01 to 2023-12")
    # with st.navigation, Streamlit may drop and redraw sidebar widgets during a run
    # (streamlit#9036): assertions on the page retry until the timeout, never read once
    sidebar = page.locator("[data-testid=stSidebar]")
    expect(sidebar).to_contain_text("BR02")
    expect(sidebar).to_contain_text("ecommerce")
    assert "from=2024-01" in page.url and "brand=BR02" in page.url
    page.goto(f"{base}/displacement?from=2025-13&brand=%27%20OR%201%3D1%20--")
    _wait_rendered(page)
    expect(page.locator("body")).to_contain_text("Ignored from='2025-13'")
    assert page.locator("[data-testid=stException]").count() == 0


def test_no_link_from_a_url_value_in_a_warning(server, page):
    """A URL value quoted in a warning (Markdown link, image, bare or e-mail address) draws
    as text: the page, also /embed inside an iframe, holds no link or image pointing at it."""
    base, _, _ = server
    evil = ("[Click here](https://evil.example/login),![i](https://evil.example/i.png),"
            "https://evil.example/bare,www.evil.example,jane.doe@evil.example")
    for path in ("embed?chart=displacement-shoot-days&", "displacement?", "employment?source=x&"):
        page.goto(f"{base}/{path}brand={evil}")
        _wait_rendered(page) if not path.startswith("embed") else page.wait_for_selector(
            "[data-testid=stAlert]")
        expect(page.locator("[data-testid=stAlert]").first).to_contain_text("evil.example")
        assert page.locator("a[href*='evil'], img[src*='evil'], a[href^='mailto']"
                            ).count() == 0, path


def test_a_load_while_open_shows_after_reload(server, page):
    base, db, folder = server
    page.goto(f"{base}/data")
    _wait_rendered(page)
    page.wait_for_selector("[data-testid=stMetric]")
    before = page.locator("[data-testid=stMetric]").first.inner_text()
    extra = folder / "extra.csv"
    extra.write_text("usage_id,used_on,twin_id,brand_id,license_id,channel,region,assets,"
                     "fee_paid,currency,watermarked,disclosed\n"
                     "XTRA-1,2026-05-10,TW-NEW,BR02,,ecommerce,GB,5,0,EUR,true,true\n")
    proc = run_cli("load", "twin-usage", extra, "--db", db)
    assert proc.returncode == 0, proc.stderr
    page.reload()
    _wait_rendered(page)
    n_before = int(before.split("\n")[-1].replace(",", ""))
    expect(page.locator("[data-testid=stMetric]").first).to_have_text(
        re.compile(rf"(^|\D){re.escape(f'{n_before + 1:,}')}\s*$"))

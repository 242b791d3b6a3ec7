"""Every page, in private and public mode, the embed and the brand report: no serious or
critical axe-core violation; an embedded chart draws inside an <iframe> on another site."""

from __future__ import annotations

import http.server
import shutil
import threading
from contextlib import ExitStack
from functools import partial
from pathlib import Path

import pytest
from browserkit import ARGS, CHROMIUM, need_chromium, start_dashboard, stop, wait_up
from conftest import run_cli

pytestmark = pytest.mark.browser
PATHS = ["/", "/displacement", "/income", "/consent", "/employment", "/brand-report", "/data",
         "/check-image",
         "/embed?chart=displacement-shoot-days", "/embed?chart=consent-reasons&brand=BR02"]


@pytest.fixture(scope="module")
def servers(demo_db, tmp_path_factory):
    """One private and one public dashboard on the demo, started side by side."""
    need_chromium()
    folder = tmp_path_factory.mktemp("a11y")
    db = folder / "warehouse.duckdb"
    shutil.copyfile(demo_db, db)
    started = {mode: start_dashboard(db, {"TWINIMPACT_PUBLIC": "1" if mode == "public" else "0"})
               for mode in ("private", "public")}
    try:
        for proc, base in started.values():
            wait_up(proc, base)
        yield {mode: base for mode, (_, base) in started.items()}, db, folder
    finally:
        for proc, _ in started.values():
            stop(proc)


@pytest.fixture(scope="module")
def browser(servers):
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=30_000)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _settled(pg) -> None:
    """Wait until Streamlit has finished the run and every chart on the page has drawn."""
    pg.wait_for_selector("h1, .js-plotly-plot, [data-testid=stException]")
    # the app says when the script's run is over (before it starts, its state is `initial`)
    pg.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]",
                         timeout=60_000)
    pg.wait_for_function("!document.querySelector('[data-testid=stStatusWidget]')",
                         timeout=60_000)
    pg.wait_for_function("[...document.querySelectorAll('.js-plotly-plot')].every("
                         "d => d.querySelector('.main-svg'))", timeout=30_000)


def _serious(pg) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    found = Axe().run(pg).response["violations"]
    return [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes'][:3]]}"
            for v in found if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("mode", ["private", "public"])
def test_every_page_has_no_serious_accessibility_violation(servers, browser, mode):
    bases, _, _ = servers
    pg = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    problems = {}
    try:
        for path in PATHS:
            pg.goto(bases[mode] + path)
            _settled(pg)
            assert pg.locator("[data-testid=stException]").count() == 0, path
            if mode == "public":
                assert pg.get_by_text("Public mode").count() or path.startswith("/embed"), path
            found = _serious(pg)
            if found:
                problems[path] = found
    finally:
        pg.close()
    assert problems == {}
    assert errors == []


def test_the_brand_report_has_no_serious_accessibility_violation(demo_db, browser, tmp_path):
    out = tmp_path / "r.html"
    proc = run_cli("report", "--brand", "BR02", "--out", out, "--db", demo_db)
    assert proc.returncode == 0, proc.stderr
    pg = browser.new_page()
    try:
        pg.goto(out.as_uri())
        pg.wait_for_function("[...document.querySelectorAll('.plotly-graph-div')].every("
                             "d => d.querySelector('.main-svg'))")
        assert _serious(pg) == []
        # every chart has its sentence and its data table
        assert pg.locator("figure.chart figcaption").count() == 4
        assert pg.locator("figure.chart details table").count() == 4
    finally:
        pg.close()


def test_an_embedded_chart_draws_in_an_iframe_on_another_site(servers, browser, tmp_path):
    from playwright.sync_api import expect

    from dashboard import figures, ui
    from dashboard.filters import Filters

    bases, _, _ = servers
    # the snippet the Embed box offers, and the bare URL without ?embed=true
    snippet = ui.embed_snippet("displacement-shoot-days", Filters(from_month="2024-01",
                                                                  to_month="2025-12"))
    snippet = snippet.replace("http://127.0.0.1:8501", bases["private"])
    bare = f'<iframe src="{bases["private"]}/embed?chart=consent-reasons" ' \
           'title="Consent reasons" width="900" height="600"></iframe>'
    # brands' consent: BR07's twin images come from fewer than 5 models (demo seed 7), so a
    # public chart hides them
    crew = f'<iframe src="{bases["private"]}/embed?chart=consent-brands" ' \
           'title="Consent by brand" width="900" height="700"></iframe>'
    (tmp_path / "article.html").write_text(
        f"<!doctype html><html lang=en><title>Article</title><h1>News</h1>{snippet}{bare}{crew}")
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    site = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=site.serve_forever, daemon=True).start()
    pg = browser.new_page(viewport={"width": 1200, "height": 1400})
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    with ExitStack() as stack:
        stack.callback(site.shutdown)
        stack.callback(pg.close)
        pg.goto(f"http://127.0.0.1:{site.server_address[1]}/article.html")
        for i, key in enumerate(("displacement-shoot-days", "consent-reasons")):
            frame = pg.frame_locator("iframe").nth(i)
            expect(frame.locator(".js-plotly-plot .main-svg").first).to_be_visible()
            expect(frame.locator(".js-plotly-plot").first).to_contain_text(
                figures.REGISTRY[key].title[:30])
            expect(frame.get_by_text("Simulated data").first).to_be_visible()
            expect(frame.get_by_text("data as of", exact=False).first).to_be_visible()
            assert frame.locator("[data-testid=stSidebar]").count() == 0
            assert frame.locator("[data-testid=stSidebarNav]").count() == 0
            assert frame.locator("[data-testid=stException]").count() == 0
            assert frame.get_by_text("Page not found").count() == 0
        # the embed is public even on a private dashboard
        crew_frame = pg.frame_locator("iframe").nth(2)
        expect(crew_frame.locator(".js-plotly-plot .main-svg").first).to_be_visible()
        expect(crew_frame.get_by_text("Public view: figures about fewer than 5 people are "
                                      "suppressed; some in this chart are").first).to_be_visible()
    assert errors == []


def test_a_chart_offers_its_image_and_embed_snippet(servers, browser):
    from playwright.sync_api import expect

    from dashboard import figures

    bases, _, _ = servers
    pg = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        pg.goto(bases["private"] + "/displacement?from=2025-01&to=2025-12")
        _settled(pg)
        with pg.expect_download(timeout=60_000) as dl:
            pg.get_by_role("button", name="Image (SVG)").first.click()
        svg = Path(dl.value.path()).read_text()
        assert dl.value.suggested_filename == "displacement-share-by-channel.svg"
        assert figures.REGISTRY["displacement-share-by-channel"].title in svg
        assert "Simulated data" in svg and "data as of" in svg
        pg.get_by_text("Embed this chart").first.click()
        expect(pg.locator("[data-testid=stCode]").first).to_contain_text(
            f'src="{bases["private"]}/embed?chart=displacement-share-by-channel'
            "&amp;from=2025-01&amp;to=2025-12&amp;embed=true")
        # the highlighted snippet, open, on its grey background: still AA contrast
        pg.wait_for_timeout(500)
        assert _serious(pg) == []
    finally:
        pg.close()


def test_the_brand_report_page_offers_the_reporting_year_as_pdf(servers, browser):
    from pypdf import PdfReader

    bases, _, _ = servers
    pg = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        pg.goto(bases["public"] + "/brand-report?brand=BR02")
        _settled(pg)
        # no period chosen: the demo's last whole calendar year, 2025
        with pg.expect_download(timeout=90_000) as dl:
            pg.get_by_role("button", name="Download the BR02 report (PDF)").click()
        assert dl.value.suggested_filename == "twinimpact-BR02-2025-01-2025-12.pdf"
        pdf = PdfReader(dl.value.path())
        first = pdf.pages[0].extract_text()
        assert "Workforce impact of digital twins: BR02" in first
        assert "Period 2025 · compared with 2024 ·" in first and "Simulated data." in first
        assert "Figures that count or sum fewer than 5 people are suppressed" in first
        assert len(pdf.pages) >= 3
    finally:
        pg.close()

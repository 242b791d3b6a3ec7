"""`twinimpact report`: one self-contained HTML file holding a brand's numbers, charts and method."""

from __future__ import annotations

import html
import os
import re
from pathlib import Path

import pytest
from dashboard_fixture import build

from etl import cli

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def tiny_db(tmp_path_factory) -> Path:
    return build(tmp_path_factory.mktemp("tiny-report"))


def run(capsys, *args, **env) -> tuple[int, str, str]:
    """The real command line, in-process (a subprocess per case costs seconds)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TWINIMPACT_PUBLIC", "0")
        mp.delenv("TWINIMPACT_K", raising=False)
        for key, value in env.items():
            mp.setenv(key, value)
        code = cli.main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def report_a(tiny_db, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("out") / "a.html"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TWINIMPACT_PUBLIC", "0")
        code = cli.main(["report", "--brand", "A", "--from", "2025-04", "--to", "2025-06",
                         "--out", str(out), "--db", str(tiny_db)])
    assert code == 0
    return out


def _row(text: str, metric: str) -> list[str]:
    m = re.search(rf"<tr><td>{re.escape(metric)}</td><td class=num>([^<]*)</td>"
                  r"<td class=num>([^<]*)</td></tr>", text)
    assert m, metric
    return [m.group(1), m.group(2)]


def test_report_holds_the_brands_numbers_method_and_provenance(report_a):
    text = report_a.read_text()
    assert "<title>Workforce impact of digital twins: A</title>" in text
    # April–June against January–March: 60 twin images against none; 20 ÷ (20 + 40) each month
    assert _row(text, "Twin images") == ["60", "0"]
    assert _row(text, "Twin share of images") == ["33.3%", "0.0%"]
    assert _row(text, "Shoot days booked") == ["6", "6"]
    assert _row(text, "Shoot days displaced (upper bound)") == ["3", "0"]
    assert _row(text, "Twin images under a valid licence") == ["66.7%", "–"]
    assert "Difference in differences" in text or "difference in differences" in text
    assert "tiny-report" in text or "bookings.csv" in text  # provenance lists the loaded files
    assert "Simulated data" not in text  # the fixture is not simulated



def _said(text: str) -> list[str]:
    """The sentence under each key number (keynumbers.sentence), in the table's order."""
    return [html.unescape(s) for s in re.findall(r'<tr class="said"><td colspan=3>([^<]*)</td>',
                                                 text)]


def test_each_key_number_says_what_it_shows(report_a, tiny_db, tmp_path, capsys):
    """Under each key number, its declared sentence, from the number as shown: A in 2025-Q2
    (60 twin images, 20 ÷ (20 + 40) of the images each month; no control brand: no DiD)."""
    said = _said(report_a.read_text())
    assert len(said) == 12
    assert said[:4] == [
        "33.3% of the fashion images in 2025-Q2 were made with digital twins (from the "
        "loaded exports).",
        "60 images made with digital twins were used in 2025-Q2 (from the loaded exports).",
        "6 shoot days were booked in 2025-Q2 (from the loaded exports).",
        "Shoot days displaced (difference in differences) for 2025-Q2: no figure in this "
        "selection."]
    assert said[-1] == ("0 shoot days in 2025-Q2 fell below the brands' own pre-twin level "
                        "(before/after), in months without a difference in differences (from "
                        "the loaded exports).")
    # published (public mode): A's twin images show one model's twin, fewer than k = 5: the
    # sentence says it is hidden and never gives the number
    out = tmp_path / "public.html"
    code, _, _ = run(capsys, "report", "--brand", "A", "--from", "2025-04", "--to", "2025-06",
                     "--out", out, "--db", tiny_db, TWINIMPACT_PUBLIC="1")
    assert code == 0
    said = _said(out.read_text())
    assert said[1] == "Twin images for 2025-Q2: hidden (suppressed: fewer than 5 people)."
    assert not any("60" in s for s in said)

def test_report_is_self_contained(report_a):
    text = report_a.read_text()
    assert text.count("plotly.js v") >= 1  # the library itself is inlined…
    assert not re.search(r"<script[^>]+src=", text)  # …and nothing is fetched
    assert text.count('class="plotly-graph-div"') == 4


def test_report_opens_with_no_network(report_a):
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing (install Debian's chromium)")
        pytest.skip(f"{CHROMIUM} is missing")
    from playwright.sync_api import sync_playwright

    requested: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page()

        def block(route):
            requested.append(route.request.url)
            route.abort()
        page.route(re.compile(r"^https?://"), block)
        page.goto(report_a.as_uri())
        page.wait_for_selector(".js-plotly-plot .main-svg", timeout=15_000)
        assert page.locator(".js-plotly-plot").count() == 4
        assert "60" in page.locator("#key-numbers").inner_text()
        browser.close()
    assert requested == []


def test_simulated_warehouse_says_so(demo_db, tmp_path, capsys):
    out = tmp_path / "r.html"
    code, stdout, _ = run(capsys, "report", "--brand", "BR02", "--out", out, "--db", demo_db)
    assert code == 0 and f"wrote {out}" in stdout
    assert "<strong>Simulated data.</strong>" in out.read_text()
    # and each key number's sentence says so
    said = _said(out.read_text())
    assert said and all(s.endswith(" (simulated data).") for s in said)


@pytest.mark.parametrize("args, needle", [
    (["--brand", "ZZ"], "unknown brand 'ZZ'"),
    (["--brand", "A", "--from", "2025-13"], "--from '2025-13' is not a month"),
    (["--brand", "A", "--from", "2025-05", "--to", "2025-02"], "is after --to"),
])
def test_bad_arguments_are_one_error_line(tiny_db, tmp_path, capsys, args, needle):
    out = tmp_path / "r.html"
    code, _, err = run(capsys, "report", *args, "--out", out, "--db", tiny_db)
    assert code == 1
    assert err.startswith("error: ") and needle in err
    assert len(err.strip().splitlines()) == 1
    assert not out.exists()


def test_a_partial_year_is_named_as_the_findings_name_it(tiny_db, tmp_path, capsys):
    """The tiny warehouse holds 2025-01..06: the report for the year 2025 says so on its
    period line (as the Overview's findings do, text.period_text), never "2025-01 to
    2025-12"; a period that is not a release period keeps its months."""
    out = tmp_path / "r.html"
    code, _, _ = run(capsys, "report", "--brand", "A", "--year", "2025", "--out", out,
                     "--db", tiny_db)
    assert code == 0
    assert ('<p class="meta">Period 2025 (data up to 2025-06 only) · compared with\n2024 ·'
            in out.read_text())
    code, _, _ = run(capsys, "report", "--brand", "A", "--from", "2025-02", "--to", "2025-06",
                     "--out", out, "--db", tiny_db)
    assert ('<p class="meta">Period 2025-02 to 2025-06 · compared with\n2024-09 to 2025-01 '
            "(data from 2025-01 only) ·" in out.read_text())


def test_the_sources_name_the_release_when_it_served_the_report(tiny_db, tmp_path, capsys):
    """Public (the release's k): the report's figures are the release's, and its Sources
    section names the release tables, not the marts they were built from; a stricter k is
    served by the per-query layer from the marts, and local mode reads the marts."""
    out = tmp_path / "r.html"
    release = ("exports as listed above; the\nfigures are read from release.cells, "
               "release.estimates · through the audited public release. Industry events")
    marts = ("exports as listed above; the\nfigures are read from marts.displacement_monthly, "
             "marts.crew_impact_monthly, marts.consent_monthly, "
             "marts.displacement_estimates. Industry events")
    for env, said in (({"TWINIMPACT_PUBLIC": "1"}, release),
                      ({"TWINIMPACT_PUBLIC": "1", "TWINIMPACT_K": "7"}, marts),
                      ({}, marts)):
        code, _, _ = run(capsys, "report", "--brand", "A", "--out", out, "--db", tiny_db,
                         **env)
        assert code == 0
        text = out.read_text()
        assert said in text, env
        assert ("marts." in text.split("<h2>Sources</h2>")[1]) == (said == marts)


def test_missing_warehouse_tells_what_to_run(tmp_path, capsys):
    code, _, err = run(capsys, "report", "--brand", "A", "--out", tmp_path / "r.html",
                       "--db", tmp_path / "none.duckdb")
    assert code == 1 and "twinimpact demo" in err
    code, _, err = run(capsys, "dashboard", "--db", tmp_path / "none.duckdb")
    assert code == 1 and "twinimpact demo" in err


def test_report_suppresses_by_default_it_is_made_to_be_published(tiny_db, tmp_path, capsys,
                                                                 monkeypatch):
    out = tmp_path / "r.html"
    with monkeypatch.context() as mp:
        mp.delenv("TWINIMPACT_PUBLIC", raising=False)
        mp.setenv("TWINIMPACT_K", "10")
        code = cli.main(["report", "--brand", "A", "--out", str(out), "--db", str(tiny_db)])
    capsys.readouterr()
    assert code == 0
    # A's crew: nine distinct people (six photographers, three stylists) < k = 10
    assert _row(out.read_text(), "Crew days displaced") == ["–", "–"]


def test_public_report_suppresses_crew_of_fewer_than_k(tiny_db, tmp_path, capsys):
    out = tmp_path / "r.html"
    code, _, _ = run(capsys, "report", "--brand", "A", "--out", out, "--db", tiny_db,
                     TWINIMPACT_PUBLIC="1", TWINIMPACT_K="7")
    assert code == 0
    text = out.read_text()
    # six photographers and three stylists: with k = 7 neither role may be shown, but the
    # total counts nine distinct people (the old max-of-cells bound said six and hid it)
    assert _row(text, "Crew days displaced") == ["0", "–"]
    assert "suppressed: fewer than 7 people" in text
    code, _, _ = run(capsys, "report", "--brand", "A", "--out", out, "--db", tiny_db,
                     TWINIMPACT_PUBLIC="1", TWINIMPACT_K="10")
    assert _row(out.read_text(), "Crew days displaced") == ["–", "–"]


def test_report_defaults_to_the_last_complete_year_against_the_one_before(demo_db, tmp_path,
                                                                          capsys):
    # the demo runs 2022-01 to 2026-06: 2025 is its last whole calendar year
    out = tmp_path / "r.html"
    code, stdout, _ = run(capsys, "report", "--brand", "BR02", "--out", out, "--db", demo_db)
    assert code == 0 and "2025-01 to 2025-12" in stdout
    text = out.read_text()
    assert "Period 2025 · compared with\n2024 ·" in text
    code, stdout, _ = run(capsys, "report", "--brand", "BR02", "--year", "2023", "--out", out,
                          "--db", demo_db)
    assert code == 0 and "2023-01 to 2023-12" in stdout


@pytest.mark.parametrize("args, code, needle", [
    (["--year", "2019"], 1, "--year 2019 is outside the data"),
    (["--year", "2024", "--from", "2024-01"], 2, "either --year or --from/--to"),
])
def test_bad_year_is_one_error_line(demo_db, tmp_path, capsys, args, code, needle):
    out = tmp_path / "r.html"
    got, _, err = run(capsys, "report", "--brand", "BR02", *args, "--out", out, "--db", demo_db)
    assert got == code and err.startswith("error: ") and needle in err
    assert len(err.strip().splitlines()) == 1 and not out.exists()


def test_report_as_pdf_is_a4_with_page_numbers(demo_db, tmp_path, capsys):
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing (install Debian's chromium)")
        pytest.skip(f"{CHROMIUM} is missing")
    from pypdf import PdfReader

    out = tmp_path / "r.pdf"
    code, stdout, err = run(capsys, "report", "--brand", "BR02", "--out", out, "--db", demo_db)
    assert code == 0, err
    pdf = PdfReader(out)
    n = len(pdf.pages)
    assert n >= 3
    width, height = (round(float(v) * 25.4 / 72) for v in pdf.pages[0].mediabox.upper_right)
    assert (width, height) == (210, 297)  # A4 in millimetres
    texts = [p.extract_text() for p in pdf.pages]
    assert "Workforce impact of digital twins: BR02" in texts[0]
    assert "Period 2025 · compared with 2024" in texts[0] and "Simulated data." in texts[0]
    assert all(f"page {i} of {n}" in t for i, t in enumerate(texts, 1))
    # charts are vectors: their axis labels and role names are text in the PDF
    whole = "\n".join(texts)
    assert "Shoot days: actual against what was expected without twins" in whole
    assert "Photo assistant" in whole and "photo_assistant" not in whole

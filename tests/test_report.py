"""`twinimpact report`: one self-contained HTML file holding a brand's numbers, charts and method."""

from __future__ import annotations

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

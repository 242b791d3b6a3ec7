"""The Employment chart in Debian's chromium: the data it draws are the marts' figures."""

from __future__ import annotations

import pytest
from marts_fixture import rows
from playwright.sync_api import expect
from test_browser import _wait_rendered, page, server  # noqa: F401 — fixtures

pytestmark = pytest.mark.browser
SURVEY = "Twin Impact demo survey (simulated)"
# plotly ≥ 6 ships numbers as {dtype, bdata} (base64 of a typed array): decode them as the
# chart does, then read each role line of every chart on the page
LINES = """() => {
  const types = {f8: Float64Array, f4: Float32Array, i1: Int8Array, u1: Uint8Array,
                 i2: Int16Array, u2: Uint16Array, i4: Int32Array, u4: Uint32Array};
  const values = v => v && v.bdata
      ? Array.from(new types[v.dtype](Uint8Array.from(atob(v.bdata), c => c.charCodeAt(0)).buffer))
      : Array.from(v || []);
  return Array.from(document.querySelectorAll('.js-plotly-plot'))
    .map(p => (p.data || []).filter(t => t.meta && t.meta.role).map(t => ({
        role: t.meta.role, source: t.meta.source, granularity: t.meta.granularity,
        area: t.meta.area || null, x: values(t.x).map(v => String(v).slice(0, 10)),
        y: values(t.y)})));
}"""


def test_the_employment_chart_draws_each_survey_period_of_the_mart(server, page):  # noqa: F811
    base, db, _ = server
    page.goto(f"{base}/employment?role=model&region=GB")
    _wait_rendered(page)
    expect(page.locator("[data-testid=stMetric]").first).to_contain_text("People in the survey")
    # the charts draw after the script ends: wait (with retries) until both hold their lines
    page.wait_for_function(f"() => ({LINES})().filter(c => c.length).length >= 2")
    people, earnings = [c for c in page.evaluate(LINES) if c][:2]
    expected = rows(db, """
        select strftime(period_start, '%Y-%m-%d'), employed, median_earnings::double
        from marts.employment
        where role = 'model' and area = 'GB' and source = ?
        order by period_start""", [SURVEY])
    assert len(expected) == 18  # every quarter of the survey, 2022-Q1 … 2026-Q2
    assert people == [{"role": "model", "source": SURVEY, "granularity": "quarter",
                       "area": None, "x": [r[0] for r in expected],
                       "y": [r[1] for r in expected]}]
    assert earnings == [{"role": "model", "source": SURVEY, "granularity": "quarter",
                         "area": "GB", "x": [r[0] for r in expected],
                         "y": [r[2] for r in expected]}]

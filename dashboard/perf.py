"""Dashboard speed for `twinimpact bench`: each page's queries, and a whole page run."""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path

from dashboard import filters, queries
from etl.warehouse import reader

VIEWS = Path(__file__).resolve().parent / "views"
# The queries each page runs on a cold cache, with the default (whole-period) filters.
PAGE_QUERIES: dict[str, list[tuple[str, tuple]]] = {
    "overview": [("displacement_totals", ()), ("crew_totals", ()), ("model_income_totals", ()),
                 ("consent_totals", ()), ("crew_by_role", ()), ("twin_share_by_half", ()),
                 ("twin_share_overall", ())],
    "displacement": [("displacement_totals", ()), ("twin_share_by_channel", ()),
                     ("shoot_days_vs_expected", ()), ("crew_by_role", ()),
                     ("brands_ranked", ()), ("displacement_estimates", ()),
                     ("event_study", ())],
    "income": [("model_income_totals", ()), ("model_income_over_time", ()),
               ("income_distribution", ()), ("lorenz", None), ("crew_income_by_year_role", ())],
    "consent": [("consent_totals", ()), ("consent_over_time", ()), ("unlicensed_reasons", ()),
                ("compliance_by_brand", ()), ("rights_scorecard", ()), ("rights_by_brand", ()),
                ("rights_by_year", ())],
    "employment": [("employment_sources", ()), ("employment_series", ()), ("twin_arrival", ()),
                   ("twin_share_by_channel", ()), ("employment_bls", ())],
    "brand_report": [("brands_ranked", ()), ("displacement_totals", ()), ("crew_totals", ()),
                     ("consent_totals", ()), ("shoot_days_vs_expected", ()),
                     ("crew_by_role", ()), ("displacement_estimates", ()),
                     ("event_study", ())],
    "data_sources": [("loads", None), ("quarantine_summary", None), ("data_quality", None)],
}


def _call(db, name: str, args: tuple | None, f: filters.Filters) -> None:
    fn = getattr(queries, name)
    if name == "lorenz":
        fn(db, int((f.to_month or "2025")[:4]))
    elif args is None:
        fn(db)
    else:
        fn(db, f, *args)


def query_ms(db: Path, repeats: int = 5) -> dict[str, float]:
    """Per page: median milliseconds to open a reader and run all its queries (no cache, as on
    a first visit)."""
    known = queries.known_values(db)
    f = filters.resolve(filters.Filters(), known)
    out = {}
    for page, calls in PAGE_QUERIES.items():
        pf = f
        if page == "brand_report" and known.brands:
            pf = filters.Filters(f.from_month, f.to_month, brand=(known.brands[0],))
        times = []
        for _ in range(repeats):
            t = time.perf_counter()
            with reader(db) as con:  # as the dashboard does: one connection per page
                for name, args in calls:
                    _call(con, name, args, pf)
            times.append((time.perf_counter() - t) * 1000)
        out[page] = round(statistics.median(times), 1)
    return out


def page_run_ms(db: Path, repeats: int = 3) -> dict[str, float]:
    """Per page: median milliseconds of a whole Streamlit script run on a cold cache."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    os.environ["TWINIMPACT_DB"] = str(db)
    out = {}
    for page in PAGE_QUERIES:
        times = []
        for _ in range(repeats + 1):  # the first run imports and warms plotly: not counted
            st.cache_data.clear()
            at = AppTest.from_file(str(VIEWS / f"{page}.py"), default_timeout=60)
            t = time.perf_counter()
            at.run()
            times.append((time.perf_counter() - t) * 1000)
            if at.exception:
                raise RuntimeError(f"page {page} failed: {at.exception[0].message}")
        out[page] = round(statistics.median(times[1:]), 1)
    return out


def measure(db: Path, repeats: int = 5) -> dict:
    """{"query_ms": {page: ms}, "page_run_ms": {page: ms}, limits and whether each is met}."""
    db = Path(db)
    q = query_ms(db, repeats)
    p = page_run_ms(db, max(1, repeats // 2))
    return {
        "query_ms": q, "page_run_ms": p,
        "limits_ms": {"query": 100, "page_run": 1500},
        "query_ok": all(v <= 100 for v in q.values()),
        "page_run_ok": all(v <= 1500 for v in p.values()),
    }

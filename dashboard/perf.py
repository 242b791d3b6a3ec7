"""Dashboard speed for `twinimpact bench`: what each page's queries cost, and a whole page run.

The queries are the ones each page really runs, recorded while the page runs (no list kept
here to drift from the pages): every SQL query of every frame the page fetches, disclosure
complements and the readiness check included, summed as if run one after another (the page
runs them on two threads, so it waits less), on a cold cache with the default filters — as
a first visitor after a load sees them. Pages run in local mode and in public mode (which counts more people); the page's
figure is the slower of the two.
"""

from __future__ import annotations

import os
import statistics
import time
from contextlib import contextmanager
from pathlib import Path

VIEWS = Path(__file__).resolve().parent / "views"
PAGES = ("overview", "displacement", "income", "consent", "employment", "brand_report",
         "data_sources")
MODES = {"local": "0", "public": "1"}
LIMITS_MS = {"query": 100, "page_run": 1500}


@contextmanager
def _env(**values: str):
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@contextmanager
def _recording(spent: list[float], slowest: list[tuple[float, str]]):
    """Time every SQL query the page runs (`queries._run`, through which all of them go, and
    the readiness check), one after another: the disclosure work and the cache around them
    are not queries, and the page's threads (data.PARALLEL) would blur each query's time."""
    from dashboard import data, queries

    run, ready, parallel = queries._run, queries.warehouse_ready, data.PARALLEL

    def timed(fn, label):
        def wrapper(*args):
            t = time.perf_counter()
            try:
                return fn(*args)
            finally:
                ms = (time.perf_counter() - t) * 1000
                spent.append(ms)
                slowest.append((ms, label(args)))
        return wrapper

    queries._run = timed(run, lambda args: " ".join(args[1].split())[:160])
    queries.warehouse_ready = timed(ready, lambda args: "warehouse_ready")
    data.PARALLEL = 1
    try:
        yield
    finally:
        queries._run, queries.warehouse_ready, data.PARALLEL = run, ready, parallel


def _run_page(page: str, timeout: float = 120):
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    st.cache_data.clear()
    at = AppTest.from_file(str(VIEWS / f"{page}.py"), default_timeout=timeout)
    at.run()
    if at.exception:
        raise RuntimeError(f"page {page} failed: {at.exception[0].message}")
    return at


def query_ms(db: Path, repeats: int = 5) -> dict:
    """Per mode and page: median milliseconds of the queries the page runs on a cold cache;
    and the slowest single query seen."""
    out: dict = {mode: {} for mode in MODES}
    slowest: list[tuple[float, str]] = []
    with _env(TWINIMPACT_DB=str(db)):
        for mode, public in MODES.items():
            with _env(TWINIMPACT_PUBLIC=public):
                for page in PAGES:
                    _run_page(page)  # imports and warms DuckDB's buffers: not counted
                    sums = []
                    for _ in range(repeats):
                        spent: list[float] = []
                        with _recording(spent, slowest):
                            _run_page(page)
                        sums.append(sum(spent))
                    out[mode][page] = round(statistics.median(sums), 1)
    worst = max(slowest, default=(0.0, ""))
    out["slowest_query"] = {"ms": round(worst[0], 1), "sql": worst[1]}
    return out


def page_run_ms(db: Path, repeats: int = 3) -> dict[str, float]:
    """Per page: median milliseconds of a whole Streamlit script run on a cold cache
    (local mode)."""
    out = {}
    with _env(TWINIMPACT_DB=str(db), TWINIMPACT_PUBLIC="0"):
        for page in PAGES:
            _run_page(page)  # the first run imports and warms plotly: not counted
            times = []
            for _ in range(repeats):
                t = time.perf_counter()
                _run_page(page)
                times.append((time.perf_counter() - t) * 1000)
            out[page] = round(statistics.median(times), 1)
    return out


def measure(db: Path, repeats: int = 5) -> dict:
    """{"query_ms": {page: ms, the slower mode}, "query_ms_by_mode", "slowest_query",
    "page_run_ms", limits and whether each is met}."""
    db = Path(db)
    by_mode = query_ms(db, repeats)
    slowest = by_mode.pop("slowest_query")
    q = {page: max(by_mode[mode][page] for mode in MODES) for page in PAGES}
    p = page_run_ms(db, max(1, repeats // 2))
    return {
        "query_ms": q, "query_ms_by_mode": by_mode, "slowest_query": slowest,
        "page_run_ms": p, "limits_ms": dict(LIMITS_MS),
        "query_ok": all(v <= LIMITS_MS["query"] for v in q.values()),
        "page_run_ok": all(v <= LIMITS_MS["page_run"] for v in p.values()),
    }

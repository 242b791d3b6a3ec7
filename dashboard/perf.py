"""Dashboard speed for `twinimpact bench`: what each page's queries cost, and a whole page run.

The queries are the ones each page really runs, recorded while the page runs (no list kept
here to drift from the pages): every SQL query of every frame the page fetches, disclosure
complements and the readiness check included, on a cold cache with the default filters — as
a first visitor after a load sees them. Two figures per page:

- wait: how long the page waits for its queries, as it runs them (its frames on its threads,
  data.run_batch: two for the marts' queries, one for the release's):
  the time during which at least one of its queries is running (overlaps counted once; the
  page's own Python between queries — disclosure, charts — is not a query and not counted).
  The 100 ms target applies to it.
- sum: the same queries' times added up, run one after another (one thread): their cost in
  the machine's time, what a page would wait on one core.

Pages run in local mode and in public mode (which counts more people); a page's figure is the
slower of the two.
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
def _recording(spans: list[tuple[float, float]], slowest: list[tuple[float, str]],
               threads: bool):
    """Record the start and end of every SQL query the page runs (`queries._run`, through which
    all of them go, and the readiness check). `threads`: the page's frames run on its threads
    as usual; else one after another (data.PARALLEL = 1)."""
    from dashboard import data, queries

    run, ready, parallel = queries._run, queries.warehouse_ready, data.PARALLEL

    def timed(fn, label):
        def wrapper(*args):
            t = time.perf_counter()
            try:
                return fn(*args)
            finally:
                end = time.perf_counter()
                spans.append((t, end))  # list.append is atomic: threads may record at once
                slowest.append(((end - t) * 1000, label(args)))
        return wrapper

    queries._run = timed(run, lambda args: " ".join(args[1].split())[:160])
    queries.warehouse_ready = timed(ready, lambda args: "warehouse_ready")
    if not threads:
        data.PARALLEL = 1
    try:
        yield
    finally:
        queries._run, queries.warehouse_ready, data.PARALLEL = run, ready, parallel


def _covered_ms(spans: list[tuple[float, float]]) -> float:
    """Milliseconds during which at least one span was open (overlaps counted once)."""
    total, until = 0.0, float("-inf")
    for start, end in sorted(spans):
        if end > until:
            total += end - max(start, until)
            until = end
    return total * 1000


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
    """Per figure (`wait`, `sum`), mode and page: median milliseconds on a cold cache; and the
    slowest single query seen (one after another)."""
    out: dict = {kind: {mode: {} for mode in MODES} for kind in ("wait", "sum")}
    slowest: list[tuple[float, str]] = []
    with _env(TWINIMPACT_DB=str(db)):
        for mode, public in MODES.items():
            with _env(TWINIMPACT_PUBLIC=public):
                for page in PAGES:
                    _run_page(page)  # imports and warms DuckDB's buffers: not counted
                    got: dict[str, list[float]] = {"wait": [], "sum": []}
                    for _ in range(repeats):
                        spans: list[tuple[float, float]] = []
                        with _recording(spans, [], threads=True):
                            _run_page(page)
                        got["wait"].append(_covered_ms(spans))
                        spans = []
                        with _recording(spans, slowest, threads=False):
                            _run_page(page)
                        got["sum"].append(sum(e - s for s, e in spans) * 1000)
                    for kind, values in got.items():
                        out[kind][mode][page] = round(statistics.median(values), 1)
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
    """{"query_ms": {page: wait ms, the slower mode} (the 100 ms target), "query_sum_ms" (the
    same for the sum), both per mode, "slowest_query", "page_run_ms", limits, met}."""
    db = Path(db)
    got = query_ms(db, repeats)

    def worse(kind: str) -> dict[str, float]:
        return {page: max(got[kind][mode][page] for mode in MODES) for page in PAGES}

    q = worse("wait")
    p = page_run_ms(db, max(1, repeats // 2))
    return {
        "query_ms": q, "query_sum_ms": worse("sum"),
        "query_ms_by_mode": got["wait"], "query_sum_ms_by_mode": got["sum"],
        "slowest_query": got["slowest_query"],
        "page_run_ms": p, "limits_ms": dict(LIMITS_MS),
        "query_ok": all(v <= LIMITS_MS["query"] for v in q.values()),
        "page_run_ok": all(v <= LIMITS_MS["page_run"] for v in p.values()),
    }

"""The thin Streamlit layer over `queries`: results cached per warehouse data version."""

from __future__ import annotations

import contextvars
import queue
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from dashboard import disclosure, public, queries, signin
from dashboard.audience import Audience
from dashboard.audience import public as public_audience
from dashboard.filters import Filters
from etl import config
from etl.warehouse import data_version, readers


def db() -> Path:
    return config.db_path()


_pinned: contextvars.ContextVar[Audience | None] = contextvars.ContextVar("audience",
                                                                        default=None)


def audience() -> Audience:
    """Who is looking at this run (sign-in and roles decide it; see dashboard.signin)."""
    return _pinned.get() or signin.audience()


@contextmanager
def pinned(aud: Audience):
    """Use `aud` inside the block: a deferred download runs outside its session's script run,
    where st.user is not the session's user, so the page pins the audience it resolved."""
    token = _pinned.set(aud)
    try:
        yield aud
    finally:
        _pinned.reset(token)


def scope_warnings(f: Filters) -> list[str]:
    """What the audience's scope drops from the URL's filters (another brand's id)."""
    return disclosure.scope(f, audience())[1]


def k() -> int | None:
    """The suppression threshold for this audience; None when every figure may be shown."""
    return audience().k


def _brand_html(db: Path, f, aud):
    from dashboard import report
    return report.build_html(db, f, aud)


_EXTRA = {"brand_html": _brand_html}


STALE_MARTS = (
    "This warehouse's published views were built by another version of Twin Impact and do not "
    "have what this page needs ({detail}). Rebuild them: run `twinimpact load` again with any "
    "file already loaded (it is skipped, and the views are rebuilt), or `twinimpact demo` for "
    "the demo.")


def _stop_on_stale_marts(exc: duckdb.Error):
    detail = str(exc).splitlines()[0][:160]
    st.error(STALE_MARTS.format(detail=detail))
    st.stop()


def get(name: str, *args):
    """`queries.<name>(db, *args)`, cached until the warehouse is republished, scoped and
    suppressed for the audience (dashboard.disclosure)."""
    return fetch((name, *args))[0]


@st.cache_data(max_entries=1024, show_spinner=False)
def _batch(db_path: str, version: str, calls: tuple) -> list:
    # `version` is only part of the key: a published load changes it, so new data shows on
    # the next run without a restart and old entries age out.
    # the release's k and months come with its periods (read once per version, by the
    # page's period picker): its figures need not read them again
    return run_batch(Path(db_path), calls,
                     about=lambda: public.about_of(_release_k(db_path, version),
                                                   _periods_frame(db_path, version)))


PARALLEL = 2  # threads per batch: a page's queries are small, each mostly one core's work


def run_batch(db: Path, calls: tuple, about=None) -> list:
    """Every `(name, *args)` call's frame, in order. A page asks for all its frames at once:
    they run on PARALLEL cursors of one published version, in threads (DuckDB releases the
    GIL while it works), so a page waits for about half its queries' time on two cores.
    A batch of release calls only runs on one cursor: the release's queries take a few ms,
    much of it binding values and building frames under the GIL, so on two threads they
    mostly wait for each other (the page waits longer, measured: dashboard.perf).
    `about`: a function giving the release's k and months (public.shared), if known."""
    def run(con, call):
        name, *args = call
        return (_EXTRA.get(name) or public.serving(name) or getattr(queries, name))(con, *args)

    released = all(call[0].startswith(public.PREFIX) for call in calls)
    workers = 1 if released else max(1, min(PARALLEL, len(calls)))
    with readers(db, workers) as cons, public.shared(about):
        if workers == 1:
            return [run(cons[0], call) for call in calls]
        free: queue.SimpleQueue = queue.SimpleQueue()
        for con in cons:
            free.put(con)

        def task(call):
            con = free.get()
            try:
                return run(con, call)
            finally:
                free.put(con)

        # each call runs in a copy of this thread's context (the audience, the currency)
        contexts = [contextvars.copy_context() for _ in calls]
        with ThreadPoolExecutor(max_workers=workers) as pool:
            return list(pool.map(lambda ctx, call: ctx.run(task, call), contexts, calls))


def _scoped(calls: tuple, aud: Audience) -> tuple:
    """Every Filters argument narrowed to the brands the audience may name; the frames the
    report composes are built for the audience itself (it is part of their cache key)."""
    return tuple((name, *disclosure.scoped_args(tuple(args), aud),
                  *((aud,) if name in _EXTRA else ())) for name, *args in calls)


def fetch(*calls: tuple) -> list:
    """Several `(name, *args)` query calls on one connection, cached as one entry, each
    result scoped and suppressed for the audience (dashboard.disclosure)."""
    path = db()
    aud = audience()
    calls = _routed(_scoped(calls, aud), aud, path)
    # beside each call, the calls it can be subtracted from (disclosure.complements), and the
    # brands' contributions to the industry figures when they are shown to a brand
    wider = [disclosure.complements(name, tuple(args), aud) for name, *args in calls]
    extra = [c for w in wider for c in w] + ([("industry_contributions",)]
                                             if aud.role == "brand" else [])
    try:
        frames = _batch(str(path), data_version(path), (*calls, *extra))
    except (duckdb.BinderException, duckdb.CatalogException) as exc:
        _stop_on_stale_marts(exc)
    contrib = frames[-1] if aud.role == "brand" else None
    rest = iter(frames[len(calls):])
    # a brand's industry figure from the release still passes the brand's own guard: the
    # release is audited against readers who know only what it publishes, a brand also
    # knows its own part (disclosure.MIN_OTHERS, DOMINANCE)
    return [disclosure.disclose(name.removeprefix(public.PREFIX) if aud.role == "brand"
                                else name, df, aud, contributions=contrib,
                                wider=[next(rest) for _ in w], args=tuple(args))
            for (name, *args), df, w in zip(calls, frames, wider, strict=False)]


# the release's figures that are the industry's whatever the brand filter: what a brand
# audience sees of the other brands (issue 19: only as the release shows them)
BRAND_FROM_RELEASE = tuple(n for n in public.RELEASED
                           if disclosure.RULES[n].industry == "brands")


def _routed(calls: tuple, aud: Audience, path: Path) -> tuple:
    """The calls the public release serves: every RELEASED figure for the public audience,
    the industry figures for a brand (its own brand's figures stay whole, on the marts);
    public.route renames them (union, admin and local users keep the marts)."""
    if aud.role not in ("public", "brand"):
        return calls
    k = _release_k(str(path), data_version(path))
    if aud.role == "public":
        return public.route(calls, aud, k)
    # the release serves a brand's industry figures when it is suppressed for at least the
    # k the brand's industry figures get (disclosure.threshold: the public k)
    if not public.serves(public_audience(), k):
        return calls
    return tuple((public.PREFIX + name, *args) if name in BRAND_FROM_RELEASE else (name, *args)
                 for name, *args in calls)


def served() -> bool:
    """Whether the public release serves this audience's figures (public.serves): their
    source lines then name the release."""
    aud = audience()
    if aud.role != "public":
        return False
    path = db()
    return public.serves(aud, _release_k(str(path), data_version(path)))


def release_periods() -> tuple[str, ...]:
    """The periods of the published release (the public period picker's choices); () for
    a warehouse built before the release existed."""
    path = db()
    return _periods(str(path), data_version(path))


def _periods(db_path: str, version: str) -> tuple[str, ...]:
    return tuple(_periods_frame(db_path, version)["period"])


@st.cache_data(max_entries=8, show_spinner=False)
def _periods_frame(db_path: str, version: str) -> pd.DataFrame:
    """public.periods of the published release (none without one)."""
    if _release_k(db_path, version) is None:
        return pd.DataFrame(columns=["grain", "period", "period_start", "period_end"])
    return public.periods(Path(db_path))


@st.cache_data(max_entries=8, show_spinner=False)
def _release_k(db_path: str, version: str) -> int | None:
    return public.release_k(Path(db_path))


@st.cache_data(show_spinner=False)
def events() -> pd.DataFrame:
    return queries.events()


def ready() -> bool:
    path = db()
    return _ready(str(path), data_version(path), audience())


@st.cache_data(max_entries=8, show_spinner=False)
def _ready(db_path: str, version: str, aud: Audience) -> bool:
    # the public audience's pages read the release only: it is what must be there (its k,
    # read once per version, also routes the page's calls and offers its periods)
    return public.ready_for(Path(db_path), aud, k=lambda: _release_k(db_path, version))

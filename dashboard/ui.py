"""What every page shares: the filter sidebar ⇄ URL, headline numbers, and the chart frame
(title, sources, simulated flag, data as of, download of exactly the data shown)."""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, replace
from urllib.parse import urlencode, urlsplit

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import (
    data,
    disclosure,
    export,
    figures,
    filters,
    keynumbers,
    labels,
    money,
    public,
    signin,
)
from dashboard.audience import public as public_audience
from dashboard.filters import LIST_KEYS, Filters, Known
from dashboard.privacy import any_suppressed
from dashboard.text import (  # noqa: F401 — pages call ui.*
    key_number,
    period_label,
    period_text,
    plain,
    unapplied,
    unapplied_note,
)
from etl.contracts import CHANNELS, ROLES

METHODOLOGY_LINK = "How every figure is defined: [Data & method](/data)."
PLOTLY_CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["lasso2d", "select2d"]}


@dataclass(frozen=True)
class Ctx:
    """One page run: the filters (period resolved), what exists, provenance, suppression k."""

    f: Filters
    hf: Filters      # the headline numbers' period: the chosen one, else the last 12 months
    known: Known
    as_of: str
    simulated: bool
    k: int | None
    currency: str = "EUR"  # the warehouse's reporting currency
    # public mode: the release's periods the picker offers (f is one of them); () elsewhere
    periods: tuple[str, ...] = ()
    served: bool = False  # the public release serves the page's figures (data.served)

    def money(self, x) -> str:
        """An amount in the reporting currency (`€1,234`, `$1,234`, `SEK 1,234`)."""
        return money.fmt(x, self.currency)


def _month_options(known: Known) -> list[str]:
    """Every month from the first to the last in the data (no gaps for the slider)."""
    if not known.months:
        return []
    start, end = filters.month_start(known.months[0]), filters.month_start(known.months[-1])
    n = filters.months_between(start, end)
    return [f"{d:%Y-%m}" for d in (filters.add_months(start, i) for i in range(n))]


def _clamp_period(f: Filters, options: list[str]) -> tuple[Filters, list[str]]:
    """Keep a well-formed URL period inside the data's months, saying so when it moves."""
    notes: list[str] = []
    if not options:
        return f, notes
    lo, hi = options[0], options[-1]
    values = {}
    for key, attr in (("from", "from_month"), ("to", "to_month")):
        v = getattr(f, attr)
        if v and not (lo <= v <= hi):
            clamped = min(max(v, lo), hi)
            notes.append(f"{key}={v!r} is outside the data ({lo} to {hi}); showing {clamped}.")
            values[attr] = clamped
    f = replace(f, **values)
    if f.from_month and f.to_month and f.from_month > f.to_month:
        f = replace(f, from_month=None, to_month=None)
    return f, notes


def setup(title: str, uses: tuple[str, ...], intro: str = "") -> Ctx:
    """Header, warnings for bad URL values, sidebar filters written back to the URL."""
    st.title(title)
    if not data.ready():
        st.error(f"No published warehouse at {plain(data.db())}. Load data first: run "
                 "`twinimpact demo` (simulated industry) or `twinimpact load KIND FILE…`, "
                 "then reload this page.")
        st.stop()
    # what every page shows beside its figures, in one batch
    known, prov, currency = data.fetch(("known_values",), ("provenance",),
                                       ("reporting_currency",))
    aud = data.audience()
    # public mode reads the release: its periods, one breakdown at a time (issue 19)
    periods = data.release_periods() if aud.role == "public" and "period" in uses else ()
    if periods:
        f, against, warnings = _public_filters(st.query_params.to_dict(), known, periods,
                                               uses)
        notes: list[str] = []
    else:
        # a brand user's URL naming another brand: warned as forbidden, then narrowed
        params, warnings = disclosure.scope_params(st.query_params.to_dict(), aud)
        f, parsed = filters.parse(params, known)
        f, _ = disclosure.scope(f, aud)
        warnings += parsed
        if aud.role == "brand":  # other brands are never named, not even as a filter choice
            known = replace(known, brands=tuple(b for b in known.brands if b == aud.brand))
        options = _month_options(known)
        f, notes = _clamp_period(f, options)
    for w in warnings + notes:  # they quote the URL's values: plain text, never Markdown
        st.warning(plain(w), icon=":material/warning:")
    busy_notice()
    if periods:
        f, against = _public_sidebar(f, against, known, periods, uses)
        params = public_params(f, against)
    else:
        f = _sidebar(f, known, options, uses)
        params = filters.to_params(f)
    if params != st.query_params.to_dict():
        st.query_params.from_dict(params)
    prov = prov.iloc[0]
    as_of = "no successful load yet" if pd.isna(prov["as_of"]) else \
        f"{pd.Timestamp(prov['as_of']).tz_convert('UTC'):%Y-%m-%d %H:%M} UTC" \
        if pd.Timestamp(prov["as_of"]).tzinfo else f"{pd.Timestamp(prov['as_of']):%Y-%m-%d %H:%M}"
    simulated = bool(prov["simulated"])
    if simulated:
        st.warning("**Simulated data.** This warehouse holds the demo's simulated industry "
                   "(`twinimpact demo`), not real bookings or twin use. Only the BLS figures "
                   "on the Employment page are real published statistics.", icon=":material/science:")
    aud = data.audience()
    k = aud.k
    for w in data.scope_warnings(f):
        st.warning(plain(w), icon=":material/lock:")
    if k is not None:
        why = f" {plain(aud.why)}" if aud.why and not signin.configured() else ""
        st.info(f"Public mode: every figure that counts or sums fewer than {k} people is "
                f"suppressed and marked so; no person-level rows are shown.{why}",
                icon=":material/lock:")
    if "period" in uses and not known.months:
        st.info("The warehouse holds no bookings or twin use yet, so there is nothing to "
                "chart. Load files with `twinimpact load KIND FILE…` (or build the simulated "
                "industry with `twinimpact demo`) and reload this page.",
                icon=":material/info:")
    if intro:
        st.markdown(intro)
    if periods:
        # headlines and charts cover the same release period: a headline is a release cell,
        # never a window whose shown months could be subtracted from it
        return Ctx(f=f, hf=replace(f, against=filters.span(against) if against else None),
                   known=known, as_of=as_of, simulated=simulated, k=k,
                   currency=currency, periods=periods, served=data.served())
    resolved = filters.resolve(f, known)
    hf = resolved
    if not f.from_month and not f.to_month and len(options) > 12:
        # no period chosen: charts show all history, headlines the latest year against the one
        # before (the whole history has no "previous period" to compare with)
        hf = replace(resolved, from_month=options[-12])
    return Ctx(f=resolved, hf=hf, known=known, as_of=as_of, simulated=simulated, k=k,
               currency=currency, served=data.served())


def _sidebar(f: Filters, known: Known, options: list[str], uses: tuple[str, ...]) -> Filters:
    sb = st.sidebar
    sb.header("Filters")
    sb.caption("The link in your address bar holds these filters: copy it to share this view.")
    if "period" in uses and options:
        value = (f.from_month or options[0], f.to_month or options[-1])
        if len(options) == 1:
            sb.caption(f"Period: {options[0]} (the only month in the data)")
        else:
            lo, hi = sb.select_slider("Period (months)", options=options, value=value)
            f = replace(f, from_month=None if lo == options[0] else lo,
                        to_month=None if hi == options[-1] else hi)
    widgets = (("brand", "Brand", known.brands), ("channel", "Channel", None),
               ("role", "Crew role", None), ("region", "Region (country)", known.regions))
    for key, label, opts in widgets:
        if key not in uses:
            continue
        opts = opts if opts is not None else (CHANNELS if key == "channel" else ROLES)
        chosen = sb.multiselect(label, options=list(opts), default=list(getattr(f, key)),
                                placeholder="all")
        f = replace(f, **{key: tuple(chosen)})
    return f


PUBLIC_BREAKDOWNS = ("brand", "channel", "region", "role")
BREAKDOWN_LABELS = {"all": "None (the whole industry)", "brand": "Brand", "channel": "Channel",
                    "region": "Region (country)", "role": "Crew role"}


def _public_filters(params: dict, known: Known, periods: tuple[str, ...],
                    uses: tuple[str, ...]) -> tuple[Filters, str | None, list[str]]:
    """Public mode's view from the URL: one release period (`period`, or `from`/`to` naming
    one exactly), the period it is compared with (`vs`, None: the one just before), and one
    breakdown with one member; every other value named in a warning and dropped."""
    period, against, warnings = filters.pick_period(params, periods)
    lists = {key: v for key, v in params.items() if key in LIST_KEYS}
    f, parsed = filters.parse(lists, known)
    warnings += parsed
    allowed = _breakdowns(uses)
    dim, member = public.breakdown(f, allowed)
    for key in public.ignored(f, allowed):
        kept = f"{dim} {member!r}" if dim != "all" else "the whole industry"
        warnings.append(f"Ignored {key}={','.join(getattr(f, key))!r}: public figures show "
                        f"one breakdown with one value at a time; showing {kept}.")
    first, last = filters.span(period)
    return (Filters(from_month=first, to_month=last,
                    **({dim: (member,)} if dim != "all" else {})), against, warnings)


def _breakdowns(uses: tuple[str, ...]) -> tuple[str, ...]:
    """The breakdowns a public page follows: its sidebar's; a page without any (the brand
    report) follows one brand, chosen on the page."""
    return tuple(d for d in PUBLIC_BREAKDOWNS if d in uses) or ("brand",)


def public_params(f: Filters, against: str | None) -> dict[str, str]:
    """The URL of a public view: `period`, `vs` when not the period just before, and the
    breakdown's one member (`brand=W`)."""
    out = {"period": filters.period_name(f.from_month, f.to_month)}
    if against:
        out["vs"] = against
    return {**out, **{key: v for key, v in filters.to_params(f).items() if key in LIST_KEYS}}


def release_order(periods: tuple[str, ...]) -> list[str]:
    """Years, then quarters, then months, the latest first in each."""
    latest = sorted(periods, key=lambda p: filters.span(p)[0], reverse=True)
    return sorted(latest, key=lambda p: ("year", "quarter", "month").index(filters.grain(p)))


def _public_sidebar(f: Filters, against: str | None, known: Known, periods: tuple[str, ...],
                    uses: tuple[str, ...]) -> tuple[Filters, str | None]:
    """The release's periods (and the one compared with) and one breakdown, one member."""
    sb = st.sidebar
    sb.header("Filters")
    sb.caption("The link in your address bar holds these filters: copy it to share this view.")
    ordered = release_order(periods)
    period = sb.selectbox("Period", ordered,
                          index=ordered.index(filters.period_name(f.from_month, f.to_month)),
                          help="Public figures cover one period of the audited release: a "
                               "calendar year, a quarter or a month.")
    same = [p for p in ordered if filters.grain(p) == filters.grain(period) and p != period]
    default = filters.before(period)
    vs = sb.selectbox("Change against", same,
                      index=same.index(against or default) if (against or default) in same
                      else None, placeholder=f"{default} (no data)",
                      help=f"The {filters.grain(period)} the headline numbers are compared "
                           "with.")
    dims = ["all", *(d for d in PUBLIC_BREAKDOWNS if d in uses)]
    dim, member = public.breakdown(f, _breakdowns(uses))
    if len(dims) > 1:  # (a page without breakdowns keeps the brand it chooses itself)
        dim = sb.radio("Breakdown (one at a time)", dims, index=dims.index(dim),
                       format_func=BREAKDOWN_LABELS.get)
        opts = list({"all": (), "brand": known.brands, "channel": CHANNELS,
                     "region": known.regions, "role": ROLES}[dim])
        member = sb.selectbox(BREAKDOWN_LABELS[dim], opts, index=opts.index(member)
                              if member in opts else 0) if opts else ""
    first, last = filters.span(period)
    return (Filters(from_month=first, to_month=last, **({dim: (member,)} if member else {})),
            None if vs in (None, default) else vs)


def headline_caption(ctx: Ctx) -> str:
    """Which period the headline numbers cover, and what they are compared with."""
    if ctx.periods:
        period = filters.period_name(ctx.f.from_month, ctx.f.to_month)
        return (f"Headline numbers and charts: {period}, change against "
                f"{comparison_label(ctx)}. Public figures are the audited release's: one "
                "period and one breakdown at a time.")
    latest = " (the latest 12 months; choose a period in the sidebar)" \
        if ctx.hf != ctx.f else ""
    return (f"Headline numbers: {period_label(ctx.hf)}{latest}, change against "
            f"{previous_label(ctx.hf)}. Charts: {period_label(ctx.f)}.")


def comparison_label(ctx: Ctx) -> str:
    """The period the headline numbers are compared with: the release period chosen in
    public mode (`2024`, `2025-Q1`), else the period of the same length before."""
    if ctx.periods:
        return filters.period_name(*ctx.hf.against) if ctx.hf.against else \
            filters.before(filters.period_name(ctx.f.from_month, ctx.f.to_month))
    return previous_label(ctx.hf)


def previous_label(f: Filters) -> str:
    if not (f.start() and f.end()):
        return "the previous period"
    a, b = filters.previous_period(f.start(), f.end())
    return f"{a:%Y-%m} to {b:%Y-%m}"


def metric(col, label: str, now, before, kind: str, *, share: bool = False, ctx: Ctx,
           help: str | None = None) -> None:
    """A headline number (`kind`: text.key_number's) with its change against the period it
    is compared with. Pages draw declared headlines through `headlines`."""
    delta = change(now, before, share)
    against = comparison_label(ctx)
    col.metric(label, key_number(now, kind, ctx.currency), delta=delta, delta_color="off",
               delta_description=f"vs {against}" if delta else
               f"no change shown against {against} (no data, or a hidden figure)"
               if ctx.periods else f"no data for {against}", help=help)


def change(now: float | None, before: float | None, share: bool = False) -> str | None:
    """'+12.0%' (relative) or '+3.1 pts' (for shares); None when there is nothing to compare."""
    if now is None or before is None or any(
            isinstance(v, float) and math.isnan(v) for v in (now, before)):
        return None
    if share:
        return f"{100 * (now - before):+.1f} pts"
    if before == 0:
        return None if now == 0 else "new"
    return f"{100 * (now - before) / abs(before):+.1f}%"


def headlines(ctx: Ctx, keys: tuple[str, ...], got: Fetched | None = None,
              f: Filters | None = None, hf: Filters | None = None,
              opts: dict | None = None) -> None:
    """A row of declared headline numbers (keynumbers.HEADLINES), each from its query's
    disclosed frame (from `got`, else fetched now through `data.fetch`: public mode's from
    the release) with its summary sentence under it, and one source line under the row.
    `f`, `hf`: the page's and the headlines' filters when not the page's (the brand
    report's one brand); `opts`: the page's choices a count of its frame takes (a survey
    series)."""
    f, hf = f or ctx.f, hf or ctx.hf
    decls = [keynumbers.HEADLINES[key] for key in keys]
    calls = [h.call(f, hf, opts) for h in decls]
    frames = _frames(got, calls)
    period = period_text(hf, ctx.known)
    for col, h, frame in zip(st.columns(len(decls)), decls, frames, strict=True):
        n = keynumbers.shown(h, frame, f, ctx.currency, period, ctx.simulated)
        if h.kind == "interval" or h.args:  # no period before it to compare with
            col.metric(n.label, n.text, help=n.help or None)
        else:
            metric(col, n.label, n.now, n.before, h.kind, share=n.share, ctx=ctx,
                   help=n.help or None)
        col.caption(plain(n.sentence))
    caption(ctx, public.sourced_all([(h.sources, [call]) for h, call in
                                     zip(decls, calls, strict=True)], ctx.served))


def _frames(got: Fetched | None, calls) -> list:
    """The frames of `calls`: from what the page fetched, else fetched now (data.fetch)."""
    known = got.by_call if got else {}
    return [known[c] for c in calls] if all(c in known for c in calls) \
        else data.fetch(*calls)


def headline_calls(ctx: Ctx, keys: tuple[str, ...], f: Filters | None = None,
                   hf: Filters | None = None, opts: dict | None = None) -> tuple[tuple, ...]:
    """The calls of declared headlines, to fetch with a page's other frames (`fetch`)."""
    return tuple(keynumbers.HEADLINES[key].call(f or ctx.f, hf or ctx.hf, opts)
                 for key in keys)


def caption(ctx: Ctx, sources: str, extra: str = "", real: bool = False) -> None:
    """Sources, the simulated flag and the load time, under a chart or table.

    real: the figures are published statistics even in a simulated warehouse (BLS).
    """
    parts = [f"**Source:** {plain(sources)}"]
    if ctx.simulated and not real:
        parts.append("**:orange[Simulated data]**")
    elif real:
        parts.append("real published figures")
    parts.append(f"data as of {ctx.as_of}")
    if extra:
        parts.append(extra)
    st.caption(" · ".join(parts))


@dataclass(frozen=True)
class Fetched:
    """The frames a page fetched at once (one batch, on the page's threads): `frames` those it
    asked for by name, in order; `by_call` every frame by its call, the figures' too."""

    frames: list
    by_call: dict


def fetch(ctx: Ctx, *calls: tuple, showing: tuple = (), headlines: tuple = ()) -> Fetched:
    """The page's `calls` and the frames of the figures it is `showing` (a declaration's key,
    drawn with the page's filters, or `(key, filters)`, or `(key, filters, options)`) and of
    its `headlines` (their calls: `headline_calls`), through `data.fetch`: cached, scoped and
    suppressed for the audience."""
    wanted = [figures.DECLARED[key].needs(f, *opts) for key, f, *opts in
              (item if isinstance(item, tuple) else (item, ctx.f) for item in showing)]
    every = list(dict.fromkeys([*calls, *(c for need in wanted for c in need), *headlines]))
    frames = data.fetch(*every)
    by_call = dict(zip(every, frames, strict=True))
    return Fetched([by_call[c] for c in calls], by_call)


def figure(ctx: Ctx, key: str, got: Fetched | None = None, f: Filters | None = None,
           **opts) -> figures.Built:
    """One declared figure or table (dashboard.figures) drawn on the page: its frames (from
    `got`, else fetched now through `data.fetch`), built, and shown with its caption,
    sources, text alternative and downloads (`chart`, `table`); an empty one says why
    instead. `f`: the filters it is drawn with, when not the page's (e.g. the headline
    period); `opts`: the page's choices it takes (a year, a survey series)."""
    decl = figures.DECLARED[key]
    f = f or ctx.f
    calls = decl.needs(f, opts)
    frames = _frames(got, calls)
    built = figures.drawn(decl, frames, f, ctx.k, ctx.currency, opts)
    sources = public.sourced(built.sources or decl.sources, calls, ctx.served)
    if built.empty:
        empty_state(built.empty)
    elif decl.table:
        if built.summary:  # what the table shows, in words (text, never Markdown)
            st.markdown(plain(built.summary))
        table(ctx, built.shown, sources=sources, key=decl.shown_as(f))
    else:
        note = "; ".join(n for n in (decl.note(f), built.note) if n)
        chart(ctx, built.fig, built.shown, sources=sources, key=decl.shown_as(f), note=note,
              real=decl.real, f=f, summary=built.summary, opts=opts)
    return built


def chart(ctx: Ctx, fig: go.Figure, shown: pd.DataFrame, *, sources: str, key: str,
          note: str = "", real: bool = False, f: Filters | None = None,
          summary: str | None = None, opts: dict | None = None) -> None:
    """A chart, its text alternative (a sentence and the data as a table), its caption, and
    downloads: CSV of exactly the rows it draws, PNG/SVG images, and an embed snippet.
    Pages call `figure`, which builds the chart from its declaration and calls this.

    f: the filters the chart was drawn with, when not the page's (e.g. the headline period);
    opts: the page's choices it was drawn with (its image and embed take its `options`).
    """
    st.plotly_chart(fig, key=f"chart-{key}", theme=None, config=PLOTLY_CONFIG)
    # (a note may quote the data: a survey's name, its areas)
    extra = " · ".join(plain(n) for n in (note, public.explain(shown)) if n)
    if ctx.k is not None and any_suppressed(shown):
        extra = (extra + " · " if extra else "") + \
            f"grey/blank cells are suppressed (fewer than {ctx.k} people)"
    caption(ctx, sources, extra, real)
    alternative(key, shown, summary)
    found = figures.lookup(key, f or ctx.f)
    session = session_id()
    cols = st.columns([1, 1, 1, 3] if found else 1)
    with cols[0]:
        download(shown, key)
    if found:
        for col, fmt in zip(cols[1:3], ("png", "svg"), strict=True):
            with col:
                st.download_button(
                    f"Image ({fmt.upper()})",
                    lambda fmt=fmt: _image(*found, fmt, session, opts),
                    file_name=f"{key}.{fmt}", mime="image/png" if fmt == "png" else
                    "image/svg+xml", key=f"img-{fmt}-{key}", on_click="ignore",
                    help="The chart as published: title, source line and data as of burned "
                         "in; small cells always suppressed. Images are drawn one at a time "
                         f"(at most {export.RENDERER.per_minute} a minute per visitor).")
        with st.expander("Embed this chart"):
            st.caption("Paste this into a web page to show the chart live (always in public "
                       "mode):")
            st.code(embed_snippet(*found, opts), language="html", wrap_lines=True)


def _image(reg_key: str, f: Filters, fmt: str, session: str, opts: dict | None = None
           ) -> bytes:
    """The chart image, drawn through the one renderer (export.RENDERER: Busy when full)."""
    def draw() -> bytes:
        r = figures.render(data.db(), reg_key, f, public_audience(), opts)
        return figures.image(figures.stamped(r), fmt)
    return export.RENDERER.run(session, draw)


def session_id() -> str:
    """This browser session's id (the renderer's throttle counts per session)."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx
    run = get_script_run_ctx()
    return run.session_id if run else "no-session"


def busy_notice() -> None:
    """An image or PDF refused as busy (its download runs outside the page): said here."""
    notice = export.RENDERER.notice(session_id())
    if notice:
        st.warning(plain(notice), icon=":material/hourglass_top:")


def base_url() -> str:
    """This dashboard's address as the browser sees it (for links that leave the page)."""
    try:
        url = st.context.url or ""
    except Exception:  # noqa: BLE001 — outside a browser session (tests)
        url = ""
    parts = urlsplit(url)
    if parts.scheme and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}"
    return "http://127.0.0.1:8501"


def embed_snippet(reg_key: str, f: Filters, opts: dict | None = None) -> str:
    """The <iframe> that shows one chart of the current view on another site (with the
    page's choices it takes: Chart.options)."""
    chart_ = figures.REGISTRY[reg_key]
    params = {"chart": reg_key, **filters.to_params(figures.narrow(chart_, f)),
              **{k: str(v) for k, v in (opts or {}).items() if k in chart_.options},
              "embed": "true"}
    src = f"{base_url()}/embed?{urlencode(params)}"
    return (f'<iframe src="{html.escape(src)}" title="{html.escape(chart_.title)}" '
            'width="100%" height="560" style="border:0" loading="lazy"></iframe>')


def alternative(key: str, shown: pd.DataFrame, sentence: str | None) -> None:
    """What a screen reader gets instead of the picture: one sentence and the data table; a
    frame the public release withholds says so instead (not "no twin use")."""
    sentence = public.explain(shown) or sentence
    if sentence is None:  # a chart without a sentence of its own: say what it is at least
        sentence = f"Chart {key.replace('-', ' ')}: its data are in the table below."
    if sentence:
        st.markdown(plain(sentence))
    with st.expander(f"Data table ({len(shown):,} rows)"):
        st.table(labels.readable(shown).reset_index(drop=True))


def download(shown: pd.DataFrame, key: str, what: str = "data") -> None:
    st.download_button(export.label(shown, what), export.to_csv(shown), file_name=f"{key}.csv",
                       mime="text/csv", key=f"dl-{key}", on_click="ignore")


def table(ctx: Ctx, df: pd.DataFrame, *, sources: str, key: str,
          column_config: dict | None = None) -> None:
    """A table with the same caption and download as a chart."""
    # short tables are shown whole; long ones scroll
    height = 35 * (len(df) + 1) + 3 if len(df) <= 20 else "auto"
    # codes shown as words on screen; the CSV below keeps the codes
    st.dataframe(labels.readable(df), hide_index=True, column_config=column_config,
                 key=f"table-{key}", height=height)
    caption(ctx, sources, public.explain(df))
    download(df, key)


def empty_state(message: str) -> None:
    st.info(message, icon=":material/info:")

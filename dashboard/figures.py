"""The figure declarations: every chart and table the dashboard shows, declared once by its key.

A declaration names the queries it needs (by `dashboard.queries` name), its people rule (the
disclosure layer applies it to those queries' frames, CONTRACT §6), how it is built — its
figure, exactly the rows shown and a one-sentence summary — its sources and the filters that
change it. Pages draw them through `ui.figure` (frames from `data.fetch`), images, embeds and
`twinimpact chart` through `render`, the brand report through `compose`; images and embeds
always ask as `audience.public()`. No Streamlit here.
"""

from __future__ import annotations

import html
import os
import re
import time
import warnings
from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from dashboard import (
    charts,
    disclosure,
    filters,
    interval,
    keynumbers,
    labels,
    money,
    privacy,
    public,
    queries,
    rights,
    text,
    trends,
)
from dashboard.audience import Audience
from dashboard.filters import Filters
from dashboard.keynumbers import (  # the sources and filters the headlines share
    CONSENT,
    CREW,
    CREW_FOLLOWS,
    DISPLACEMENT,
    ESTIMATES,
    LOADS,
    MODEL_INCOME,
    MODELS,
    SHOOTS,
)
from dashboard.text import unapplied, unapplied_note
from etl.errors import UsageError, UserError
from etl.warehouse import reader

CHROMIUM = "/usr/bin/chromium"
# the warehouse's reporting currency while a chart is built (render and summary set it)
CURRENCY: ContextVar[str] = ContextVar("currency", default="EUR")
RIGHTS = ("twin-usage, licence, twins, bookings and booking-crew exports "
          "(marts.rights_scorecard)")


@dataclass(frozen=True)
class Built:
    """What a figure shows: the figure (None for a table), exactly the rows shown, one
    sentence saying what (None: no sentence of its own), and what depends on its data — a
    note for its caption, its sources when they name the data's own source, or why there is
    nothing to show (`empty`: a page says so instead; an image still draws `fig`)."""

    fig: go.Figure | None
    shown: pd.DataFrame
    summary: str | None
    note: str = ""
    sources: str | None = None
    empty: str | None = None


@dataclass(frozen=True)
class Chart:
    """One declared figure or table, the one path every page, image, embed and report draws
    it by. `calls(f, **opts)` lists its queries (by `dashboard.queries` name: `data.fetch`
    or `disclosure.governed` scope and suppress them for the audience, CONTRACT §6);
    `build(frames, f, k, **opts)` draws; `note(f)` is its caption's note on a page.
    `uses`: the filters that change it (the others are dropped from its image and embed).
    `served`: images, embeds and `twinimpact chart` draw it (REGISTRY); else a page's only.
    `page_key(f)`: its key on a page (widgets, file names) when not `key`.
    `options`: the page's choices (`opts`) its image and embed take too (the embed's URL
    parameters); `defaults(src, f, aud, **given)`: the choices an image or embed without
    them is drawn with (None: the declaration's own defaults)."""

    key: str
    title: str
    sources: str
    calls: Callable[..., tuple[tuple, ...]]
    build: Callable[..., Built]
    uses: tuple[str, ...] = ("period", "brand", "channel", "region", "role")
    real: bool = False       # published statistics even in a simulated warehouse (BLS)
    brand_required: bool = False
    note: Callable[[Filters], str] = lambda f: ""
    served: bool = True
    table: bool = False
    page_key: Callable[[Filters], str] | None = None
    options: tuple[str, ...] = ()
    defaults: Callable[..., dict] | None = None

    def shown_as(self, f: Filters) -> str:
        """Its key on a page: `brand-BR01-crew` for one brand's crew chart."""
        return self.page_key(f) if self.page_key else self.key

    def needs(self, f: Filters, opts: dict | None = None) -> tuple[tuple, ...]:
        return self.calls(f, **(opts or {}))

    def draw(self, frames: list[pd.DataFrame], f: Filters, k: int | None,
             opts: dict | None = None) -> Built:
        return self.build(frames, f, k, **(opts or {}))


# ---- one-sentence summaries ----------------------------------------------------------------

def _num(v, pct: bool = False, money: bool = False) -> str:
    if v is None or pd.isna(v):
        return "suppressed"
    if pct:
        return f"{100 * float(v):.1f}%"
    return money_fmt(float(v)) if money else f"{float(v):,.0f}"


def money_fmt(v: float) -> str:
    return money.fmt(v, CURRENCY.get())


def _series_summary(df: pd.DataFrame, col: str, what: str, x: str = "month",
                    pct: bool = False, money: bool = False) -> str:
    d = df.dropna(subset=[col]) if col in df.columns else df.iloc[0:0]
    if d.empty:
        return f"No {what} to show in this selection."
    first, last = d.iloc[0], d.iloc[-1]
    fx, lx = (pd.Timestamp(v).strftime("%Y-%m") if x == "month" else str(v)
              for v in (first[x], last[x]))
    return (f"{what[0].upper()}{what[1:]} went from {_num(first[col], pct, money)} in {fx} "
            f"to {_num(last[col], pct, money)} in {lx}.")


def _top_summary(df: pd.DataFrame, label: str, col: str, what: str, word=str,
                 money: bool = False) -> str:
    d = df.dropna(subset=[col]) if col in df.columns else df.iloc[0:0]
    if d.empty or not (d[col] > 0).any():
        return f"No {what} to show in this selection."
    top = d.sort_values(col, ascending=False).iloc[0]
    name = str(word(top[label]))
    return (f"{name[:1].upper()}{name[1:]} has the most {what} ({_num(top[col], money=money)}) of the "
            f"{len(d)} shown.")


# ---- builders --------------------------------------------------------------------------------

def _events():
    return queries.events()


def _overall(frames, f, k) -> Built:
    m = frames[0]  # one row per month, all channels together (queries.twin_share_overall)
    fig = charts.twin_share_overall(m, _events())
    return Built(fig, m, _series_summary(m, "twin_share", "the share of all fashion images "
                                         "made with digital twins", pct=True))


def _by_channel(frames, f, k) -> Built:
    df = frames[0]
    if df.empty:
        return Built(charts.twin_share_by_channel(df), df, "No twin use in this selection.")
    last = df[df["month"] == df["month"].max()]
    top = last.sort_values("twin_share", ascending=False).iloc[0]
    s = (f"In {pd.Timestamp(top['month']):%Y-%m} {labels.channel(top['channel'])} had the "
         f"highest share of images made with twins ({_num(top['twin_share'], pct=True)}) of "
         f"{len(last)} channels.")
    return Built(charts.twin_share_by_channel(df, _events()), df, s)


def _shoot_days(frames, f, k) -> Built:
    df = frames[0]
    if df.empty:
        return Built(charts.shoot_days_vs_expected(df), df, "No shoots in this selection.")
    actual, expected = df["actual_shoot_days"].sum(), df["expected_did"].sum()
    s = (f"From {df['month'].min():%Y-%m} to {df['month'].max():%Y-%m} "
         f"{_num(actual)} shoot days were booked against {_num(expected)} expected without "
         f"twins (difference in differences).")
    if "expected_before_after" in df and df["expected_before_after"].notna().any():
        # a month without a DiD is not summed into it, and says so (issue 18)
        s = (f"From {df['month'].min():%Y-%m} to {df['month'].max():%Y-%m} "
             f"{_num(actual)} shoot days were booked; in {df['expected_did'].notna().sum()} "
             f"months against {_num(expected)} expected without twins (difference in "
             f"differences), in {df['expected_before_after'].notna().sum()} months without "
             f"a difference in differences (fewer than 3 control brands) against "
             f"{_num(df['expected_before_after'].sum())} from the brands' own pre-twin level "
             f"(before/after).")
    return Built(charts.shoot_days_vs_expected(df, _events()), df, s)


def _crew_bars(title: str, empty: str | None = None):
    """Crew days displaced by role; `title` may name {brand} and {period}; "(all channels)"
    when a channel filter is set (the crew mart has no channel)."""
    def build(frames, f, k) -> Built:
        crew = frames[0]
        t = title.format(brand=html.escape(", ".join(f.brand)), period=text.period_label(f))
        t += " (all channels)" if unapplied(f, CREW_FOLLOWS) else ""
        fig = charts.by_role_bars(crew, "displaced_crew_days", t, "crew days")
        return Built(fig, crew, _top_summary(crew, "role", "displaced_crew_days",
                                             "crew days displaced", labels.role),
                     empty=empty if crew.empty else None)
    return build


def _brands(frames, f, k) -> Built:
    df = frames[0]
    return Built(charts.brands_ranked(df), df,
                 _top_summary(df, "brand_id", "displaced_did", "shoot days displaced by twins"))


ESTIMATE_COLUMNS = ["scope", "year", "estimate", "upper", "crew_days_estimate", "did", "did_low",
                    "did_high", "crew_days", "crew_days_low", "crew_days_high", "crew_income",
                    "crew_income_low", "crew_income_high", "months_observed", "control_brands",
                    "estimable", "note", "rho", "pretrend_p", "breakdown_m"]


def _estimates(frames, f, k) -> Built:
    """The estimates table: each row's interval in words beside its numbers; its sentence:
    the joint pre-trend test of the selection's scope (interval.pretrend_sentence)."""
    est = frames[0]
    if est.empty:
        return Built(None, est, None,
                     empty="No adopting brand in this selection: nothing to estimate.")
    rows = est.to_dict("records")
    shown = est.assign(estimate=[interval.row(r) for r in rows],
                       crew_days_estimate=[interval.row(r, "crew days", "crew_days")
                                           for r in rows])
    return Built(None, shown[[*ESTIMATE_COLUMNS,
                              *(["suppressed"] if "suppressed" in est else [])]],
                 interval.pretrend_sentence(est))


def _breakdown(frames, f, k) -> Built:
    est = frames[0]
    return Built(charts.breakdown(est), est, None)


def _model_income(frames, f, k) -> Built:
    df = frames[0]
    return Built(charts.model_income(df, _events(), currency=CURRENCY.get()), df,
                 _series_summary(df, "twin_income", "models' monthly income from twin "
                                 "licences", money=True))


def _dist_chart(value: str, title: str, axis: str):
    def build(frames, f, k) -> Built:
        dist = frames[0]
        all_ = dist[dist["cohort"] == "all"] if "cohort" in dist.columns else dist
        return Built(charts.distribution_by_year(dist, value, title, axis), dist,
                     _series_summary(all_, value, f"{axis} for all models", x="year",
                                     pct=value == "top10_share"))
    return build


def lorenz_year(f: Filters) -> int:
    """The Lorenz curve's year: the period's last complete calendar year (else its last)."""
    end = f.end()
    return end.year if end.month == 12 else max(end.year - 1, f.start().year)


def _lorenz(frames, f, k, year: int | None = None) -> Built:
    curve = frames[0]
    year = year or lorenz_year(f)
    s = (f"Lorenz curves of models' yearly income in {year}, by cohort: the further a curve "
         "bows below the diagonal, the more unequal the income.")
    return Built(charts.lorenz(curve, year), curve, s)


def _crew_income(frames, f, k) -> Built:
    crew = frames[0]
    by_role = crew.groupby("role", as_index=False)["crew_income"].sum(min_count=1) \
        if not crew.empty else crew
    return Built(charts.crew_income_by_role(crew, currency=CURRENCY.get()), crew,
                 _top_summary(by_role, "role", "crew_income", "crew income from shoots",
                              labels.role, money=True))


def _consent(frames, f, k) -> Built:
    df = frames[0]
    tot, unl = df["twin_assets"].sum(), df["unlicensed_assets"].sum()
    if df.empty:
        s = "No twin use in this selection."
    elif df["twin_assets"].isna().all():  # every month hidden: no "Of 0 shown" sentence
        s = "No month's twin images can be shown in this selection (all suppressed)."
    else:
        s = f"Of {_num(tot)} twin images shown, {_num(unl)} had no valid licence."
    return Built(charts.consent_over_time(df, _events()), df, s)


def _reasons(frames, f, k) -> Built:
    df = frames[0]
    if df.empty:
        return Built(charts.unlicensed_reasons(df), df,
                     "Every twin image in this selection was licensed.")
    if df["assets"].isna().all():
        return Built(charts.unlicensed_reasons(df), df,
                     "No reason's count can be shown in this selection (all suppressed).")
    top = df.sort_values("assets", ascending=False).iloc[0]
    s = (f"{_num(df['assets'].sum())} twin images had no valid licence; the commonest reason: "
         f"{labels.reason(top['reason'])} ({_num(top['assets'])}).")
    return Built(charts.unlicensed_reasons(df), df, s)


def _compliance(frames, f, k) -> Built:
    df = frames[0]
    if df.empty:
        s = "No twin use by brand in this selection."
    elif df.dropna(subset=["licensed_share"]).empty:
        s = "No brand's licensed share can be shown in this selection (all suppressed)."
    else:
        low = df.dropna(subset=["licensed_share"]).sort_values("licensed_share").iloc[0]
        s = (f"{low['brand_id']} has the lowest share of licensed twin images "
             f"({_num(low['licensed_share'], pct=True)}) of the {len(df)} brands shown.")
    return Built(charts.compliance_by_brand(df), df, s)


def _rights(kind: str):
    """The Consent page's three rights charts (dashboard/rights.py words)."""
    def build(frames, f, k) -> Built:
        df = frames[0]
        years = rights.years_label(f)
        who = "the selected brands" if f.brand or f.region else "all brands"
        if kind == "scorecard":
            fig = charts.rights_scorecard(df, f"Rights met for {who}' twin images, {years}")
            said = rights.worst_gaps(df, years) if not df.empty else None
        elif kind == "brands":
            fig = charts.rights_by_brand(df, f"Share of each brand's twin images meeting each "
                                             f"right, {years}")
            said = f"Each brand's share of twin images meeting each of the ten rights, {years}."
        else:
            fig = charts.rights_trend(df, f"Each right over the years, {who}")
            said = f"The share of {who}' twin images meeting each right, year by year."
        return Built(fig, df, said or "No twin use in these years: nothing to score.")
    return build


def _image_checks(frames, f, k) -> Built:
    """The images checked against the brands' claims, and in words, brand by brand, whether
    the checked images agree with what the usage exports claim (a brand hidden in public
    mode is counted, never named)."""
    df = frames[0]
    said = []
    for r in df.itertuples():
        if any(pd.isna(getattr(r, c)) for c in ("claimed_not_found", "found_not_claimed")):
            continue  # suppressed: fewer than k models behind the brand's checked images
        if r.claimed_not_found or r.found_not_claimed:
            parts = []
            if r.claimed_not_found:
                parts.append(f"{r.claimed_not_found:,.0f} image(s) of uses the export calls "
                             "disclosed carry no AI label in the image")
            if r.found_not_claimed:
                parts.append(f"{r.found_not_claimed:,.0f} image(s) labelled AI in the image "
                             "belong to uses the export calls not disclosed")
            said.append(f"{r.brand_id}: checked and claimed disagree: " + "; ".join(parts)
                        + f" (of {r.images_linked_to_use:,.0f} checked images linked to a "
                          "use).")
        elif r.images_linked_to_use:
            said.append(f"{r.brand_id}: checked and claimed agree for all "
                        f"{r.images_linked_to_use:,.0f} checked images linked to a use.")
        else:
            said.append(f"{r.brand_id}: no checked image is linked to a use, so nothing to "
                        "compare with the export.")
    if len(said) < len(df):
        said.append(f"{len(df) - len(said)} brand(s) not shown: their checked images show "
                    "the twins of too few models (public mode).")
    return Built(None, df, " ".join(said) or None)


def _rights_note(f: Filters) -> str:
    return (f"whole calendar years ({rights.years_label(f)}): the scorecard is yearly, so the "
            "period filter selects the years it touches")


def _frame(frames, f, k) -> Built:
    """A table of a query's rows as they come."""
    return Built(None, frames[0], None)


# ---- employment: one survey series (source, period length, area level; trends.py) ----------

def _series_calls(f: Filters, source: str | None = None, every: str | None = None,
                  level: str | None = None, **_) -> tuple[tuple, ...]:
    """The series (without a source: the family with the most rows), when twins arrived and,
    on the page (`every` chosen), the twin share: over every brand based in the chosen
    regions, every channel (the Employment page has no brand or channel filter)."""
    wide = replace(f, brand=(), channel=())
    share = (("twin_share_by_channel", wide),) if every else ()
    return (("employment_series", f, source, every, level), ("twin_arrival", wide), *share)


def _survey(frames, f, k, view: str = "people", **_) -> Built:
    """People employed per role over every survey period, one series (never summed across
    sources, period lengths or nested areas: trends.py); as published or as an index."""
    rows, arrival_rows, *share_rows = frames
    first, where = trends.arrival(arrival_rows.iloc[0], bool(f.region)) \
        if not arrival_rows.empty else (None, "")
    employed = trends.employed_by_role(rows)
    sources = f"{rows['source'].iloc[0]} (marts.employment)" if not rows.empty else None
    note = ("areas with fewer than k people are left out of the sums"
            if k is not None and employed["areas_hidden"].sum() else "")
    if not rows.empty:  # which series, over which areas, and when twins arrived
        every, level = rows["granularity"].iloc[0], rows["area_level"].iloc[0]
        note = "; ".join(n for n in (
            f"one series per role ({rows['source'].iloc[0]}, "
            f"{trends.GRANULARITY_WORDS[every]}, {trends.LEVEL_WORDS[level].split(' (')[0]}); "
            f"people summed over {', '.join(sorted(rows['area'].unique()))}",
            f"twins arrived: first twin use {where}, {first:%Y-%m}" if first else
            "no brand has used a twin in the data", note) if n)
    latest = trends.latest(employed)
    period = latest["period"].iloc[0] if not latest.empty else "–"
    said = _top_summary(latest, "role", "employed", f"people working in {period}", labels.role)
    if rows.empty:
        return Built(charts.employment_trend(employed, "employed", "People employed per role",
                                             "people"), employed, said, note, sources)
    every = rows["granularity"].iloc[0]
    meta = {c: rows[c].iloc[0] for c in ("source", "granularity", "area_level")}
    share = trends.twin_share_by_period(share_rows[0], every) if share_rows else None
    areas = ", ".join(sorted(rows["area"].unique()))
    if view == "index":
        ix = trends.indexed(employed, "employed", ["role"], every, first)
        if ix["index"].isna().all():
            return Built(None, ix, None, note, sources, empty=(
                "No role has a full survey year before twins arrived, so there is no base "
                "year for an index: choose 'people and earnings as published'."))
        base = ix["base_year"].dropna().unique()
        title = (f"People employed per role, index: first full pre-twin year "
                 f"({', '.join(str(int(b)) for b in base)}) = 100")
        fig = charts.employment_trend(ix, "index", title, "index (base year = 100)",
                                      arrival=first, share=share, meta=meta)
        return Built(fig, ix, _top_summary(trends.latest(ix), "role", "employed",
                                           f"people working in {period}", labels.role),
                     note, sources)
    title = f"People employed per role ({trends.GRANULARITY_WORDS[every]}, {areas})"
    fig = charts.employment_trend(employed, "employed", title, "people", arrival=first,
                                  share=share, meta=meta)
    return Built(fig, employed, said, note, sources)


def _earnings(frames, f, k, area: str, view: str = "people", **_) -> Built:
    """Median earnings per role in one area, as published: one currency and basis per chart
    (the area's most common; any other is named, never converted or summed)."""
    rows, arrival_rows, *_rest = frames
    first = trends.arrival(arrival_rows.iloc[0], bool(f.region))[0]
    every = rows["granularity"].iloc[0]
    meta = {**{c: rows[c].iloc[0] for c in ("source", "granularity", "area_level")},
            "area": area}
    earn = trends.earnings_by_role(rows, area)
    basis, cur = earn.groupby(["earnings_basis", "currency"]).size().idxmax()
    other = earn[(earn["earnings_basis"] != basis) | (earn["currency"] != cur)]
    earn = earn[(earn["earnings_basis"] == basis) & (earn["currency"] == cur)]
    unit = f"{cur} per {basis}, as published"
    note = "earnings as published: never converted or summed across areas"
    if not other.empty:
        note += f"; {len(other)} rows on another basis or currency are not drawn"
    sources = f"{rows['source'].iloc[0]} (marts.employment)"
    if view == "index":
        earn = trends.indexed(earn, "median_earnings", ["role"], every, first)
        fig = charts.employment_trend(
            earn, "index", f"Median earnings per role in {area}, index (base year = 100; "
                           f"{unit})", "index (base year = 100)", arrival=first, meta=meta)
    else:
        fig = charts.employment_trend(earn, "median_earnings",
                                      f"Median earnings per role in {area} ({unit})", unit,
                                      arrival=first, meta=meta)
    return Built(fig, earn, None, note, sources)


def _series_rows(frames, f, k, **_) -> Built:
    rows = frames[0]
    return Built(None, rows, None, sources=f"{rows['source'].iloc[0]} (marts.employment)"
                 if not rows.empty else None)


def _types_calls(f: Filters, family: str, every: str, level: str, **_) -> tuple[tuple, ...]:
    return tuple(("employment_series", f, f"{family} ({kind})", every, level)
                 for kind in trends.EMPLOYMENT_TYPES)


def _types_defaults(src, f: Filters, aud: Audience, family: str | None = None,
                    every: str | None = None, level: str | None = None) -> dict:
    """The survey family an image or embed of employees beside the self-employed shows when
    none is chosen: the first that publishes both (as the page offers them), in the period
    length and area level of its employees' series with the most rows."""
    series = disclosure.governed(src, "employment_sources", f, aud=aud)
    pairs = trends.type_pairs(list(series["source"]))
    if not pairs:
        raise UserError("no survey in this warehouse publishes employees and the "
                        "self-employed apart (`twinimpact fetch-nomis` loads the ONS APS, "
                        "which does)")
    family = family if family in pairs else next(iter(pairs))
    first = series[series["source"] == pairs[family][0]].iloc[0]
    return {"family": family, "every": every or first["granularity"],
            "level": level or first["area_level"]}


def _types(frames, f, k, family: str, every: str, **_) -> Built:
    """Employees and the self-employed per role in the latest period, side by side."""
    both = trends.employees_and_self_employed(*frames)
    sources = f"{family} (employees) and (self-employed) (marts.employment)"
    if both.empty:
        return Built(None, both, None, sources=sources, empty=(
            f"{text.plain(family)} has no {trends.GRANULARITY_WORDS[every]} figures for both "
            "employment types in this selection."))
    last = both[both["period_start"] == both["period_start"].max()]
    shown = last[["period", "role", "employees", "self_employed", "self_employed_share"]]
    fig = charts.employment_by_type(last, f"Employees and self-employed per role, "
                                          f"{last['period'].iloc[0]} ({family})")
    # the share over the roles with both figures shown (a role with one alone is left out)
    known = shown.dropna(subset=["employees", "self_employed"])
    total = known["employees"].sum() + known["self_employed"].sum()
    said = (f"In {shown['period'].iloc[0]}, {known['self_employed'].sum() / total:.0%} of the "
            f"people in the occupations of {', '.join(known['role'])} ({family}) were "
            "self-employed." if total > 0 else None)
    return Built(fig, shown, said, sources=sources)


def _bls(frames, f, k) -> Built:
    df = frames[0]
    return Built(charts.bls_employment(df), df,
                 _top_summary(df, "role", "employed", "US employees (BLS OEWS)", labels.role),
                 empty=None if not df.empty else (
                     "No BLS figures are loaded. `twinimpact demo` loads the shipped reference "
                     "figures; `twinimpact fetch-bls` fetches more."))


def _event_study(frames, f, k) -> Built:
    df = frames[0]
    post = df[~df["placebo"].astype(bool)] if not df.empty else df
    s = ("No estimable event study in this selection." if post.empty else
         f"{_num(post['effect'].sum())} shoot days displaced over the "
         f"{len(post)} months after the first twin use shown; the shaded months before it "
         "are placebo checks whose true effect is 0.")
    return Built(charts.event_study(df), df, s)


# ---- the brand report's key numbers -----------------------------------------------------------

def _key_numbers(frames, f, k) -> Built:
    """metric, this_period, previous_period: the key numbers as text (keynumbers.py)."""
    numbers = keynumbers.numbers_from(*frames)
    cur = CURRENCY.get()
    shown = numbers.assign(
        this_period=[text.key_number(v, kd, cur)
                     for v, kd in zip(numbers["value"], numbers["kind"], strict=True)],
        previous_period=[text.key_number(v, kd, cur)
                         for v, kd in zip(numbers["previous"], numbers["kind"], strict=True)],
    )[["metric", "this_period", "previous_period"]]
    return Built(None, shown, None)


def _one(name: str):
    return lambda f: ((name, f),)


def _not_following(follows: tuple[str, ...], *fixed: str):
    """A caption note: the fixed words, then which active filters the figure does not follow."""
    return lambda f: "; ".join(n for n in (*fixed, unapplied_note(f, follows)) if n)


def _brand_key(what: str):
    return lambda f: f"brand-{f.brand[0]}-{what}"


EVENT_STUDY_NOTE = ("shaded: months before the first twin use (placebo: the true effect is 0); "
                    "dotted: the simultaneous 95% band (every month inside it at once); months "
                    "count from each brand's first twin use, whatever the period chosen")
BREAKDOWN_NOTE = ("relative magnitudes (after Rambachan and Roth): the 95% interval widened by "
                  "M̄ × the largest pre-adoption deviation in every month after adoption first "
                  "includes 0 at the bar's height; above the dashed line, a violation as large "
                  "as any seen before adoption would not overturn the estimate")
SHOOT_DAYS_NOTE = ("expected = actual + displaced days; the gap between the blue and orange "
                   "lines is the difference-in-differences estimate, the dashed line the upper "
                   "bound")
IMAGE_CHECKS = ("published images read by scan-images, twin-usage exports "
                "(staging.stg_image_checks, marts.image_checks_monthly)")

DECLARED: dict[str, Chart] = {c.key: c for c in (
    # ---- Overview
    Chart("overview-twin-share", "Share of all fashion images made with digital twins",
          DISPLACEMENT + "; industry events: press reports listed on the Data page",
          _one("twin_share_overall"), _overall, ("period", "brand", "channel", "region")),
    # ---- Displacement
    Chart("displacement-share-by-channel",
          "Share of images made with digital twins, by channel", DISPLACEMENT,
          _one("twin_share_by_channel"), _by_channel, note=_not_following(SHOOTS)),
    Chart("displacement-shoot-days", "Shoot days: actual against what was expected without "
          "twins", DISPLACEMENT, _one("shoot_days_vs_expected"), _shoot_days,
          note=_not_following(SHOOTS, SHOOT_DAYS_NOTE)),
    Chart("displacement-crew-by-role", "Crew days displaced, by role", CREW,
          _one("crew_by_role"), _crew_bars("Crew days displaced, by role",
                                           empty="No crew bookings match these filters."),
          note=_not_following(CREW_FOLLOWS)),
    Chart("displacement-brands", "Shoot days displaced by twins, by brand", DISPLACEMENT,
          _one("brands_ranked"), _brands, note=_not_following(SHOOTS)),
    Chart("displacement-estimates", "Shoot days displaced, with their 95% intervals",
          ESTIMATES, _one("displacement_estimates"), _estimates, ("period", "brand", "region"),
          served=False, table=True),
    Chart("displacement-event-study", "Shoot days displaced, by months since the brand's "
          "first twin use", "marts.displacement_event_study (months since each brand's first "
          "twin use)", _one("event_study"), _event_study, ("brand", "region"),
          note=lambda f: EVENT_STUDY_NOTE),
    Chart("displacement-breakdown", "How large a violation of parallel trends would overturn "
          "the estimate (breakdown M̄)", "marts.displacement_estimates (breakdown_m)",
          _one("displacement_estimates"), _breakdown, ("period", "brand", "region"),
          note=lambda f: BREAKDOWN_NOTE, served=False),
    # ---- Income
    Chart("income-models-monthly", "Models' income: from shoots and from their twins",
          MODEL_INCOME, _one("model_income_over_time"), _model_income, ("period",),
          note=_not_following(MODELS)),
    Chart("income-lorenz", "How unequal is models' income? Lorenz curves",
          "marts.model_income_monthly (shoots + twins per model per year)",
          lambda f, year=None: (("lorenz", year or lorenz_year(f)),), _lorenz, ("period",),
          note=_not_following(MODELS)),
    Chart("income-distribution", "Inequality of models' yearly income (Gini)",
          "marts.income_distribution_yearly", _one("income_distribution"),
          _dist_chart("gini", "Inequality of models' yearly income (Gini)", "Gini (0 = equal)"),
          ("period",), note=_not_following(MODELS)),
    Chart("income-top10", "Share of income earned by the top 10% of models",
          "marts.income_distribution_yearly", _one("income_distribution"),
          _dist_chart("top10_share", "Share of income earned by the top 10% of models",
                      "top-10% share"), ("period",), note=_not_following(MODELS)),
    Chart("income-crew-by-role", "Crew income from shoots, by role and year", CREW,
          _one("crew_income_by_year_role"), _crew_income, ("period", "brand", "region", "role")),
    # ---- Consent
    Chart("consent-monthly", "Twin images with and without a valid licence, by month", CONSENT,
          _one("consent_over_time"), _consent, ("period", "brand", "region")),
    Chart("consent-reasons", "Why twin images were not covered by a licence", CONSENT,
          _one("unlicensed_reasons"), _reasons, ("period", "brand", "region")),
    Chart("consent-brands", "Brands' twin images: licensed, watermarked, disclosed", CONSENT,
          _one("compliance_by_brand"), _compliance, ("period", "brand", "region")),
    Chart("consent-rights", "Rights met for the brands' twin images", RIGHTS,
          _one("rights_scorecard"), _rights("scorecard"), ("period", "brand", "region"),
          note=_rights_note),
    Chart("consent-rights-brands", "Share of each brand's twin images meeting each right",
          RIGHTS, _one("rights_by_brand"), _rights("brands"), ("period", "brand", "region"),
          note=lambda f: _rights_note(f) + "; '?' = share unknown"),
    Chart("consent-rights-trend", "Each right over the years", RIGHTS,
          _one("rights_by_year"), _rights("trend"), ("brand", "region"),
          note=lambda f: "every year in the data (the period filter does not apply to the "
                         "trend)"),
    Chart("consent-image-checks", "Images checked against the brands' claims", IMAGE_CHECKS,
          _one("image_checks_by_brand"), _image_checks, ("period", "brand", "region"),
          served=False,
          table=True),
    # ---- Employment
    Chart("employment-survey", "People employed per role over time (one survey series)",
          "union survey (marts.employment)", _series_calls, _survey, ("role", "region"),
          options=("source", "every", "level", "view")),
    Chart("employment-earnings", "Median earnings per role in one area (one survey series)",
          "union survey (marts.employment)", _series_calls, _earnings, ("role", "region"),
          served=False),
    Chart("employment-survey-rows", "Every row of the survey series",
          "union survey (marts.employment)", _series_calls, _series_rows, ("role", "region"),
          served=False, table=True),
    Chart("employment-types", "Employees and the self-employed per role",
          "statistics-office survey (marts.employment)", _types_calls, _types,
          ("role", "region"), options=("family", "every", "level"), defaults=_types_defaults,
          note=lambda f: "the self-employed are counted here, unlike in OEWS and ASHE; each "
                         "occupation code's caveat is in the rows' note"),
    Chart("employment-bls", "US employees in the occupation (BLS OEWS)",
          "US Bureau of Labor Statistics, Occupational Employment and Wage Statistics (public "
          "domain), bls.gov/oes", _one("employment_bls"), _bls, ("role",), real=True),
    # ---- Brand report (one brand: its page key names it)
    Chart("brand-numbers", "One brand's key numbers against the period before",
          "marts.displacement_monthly, marts.crew_impact_monthly, marts.consent_monthly",
          lambda f: tuple((name, f) for name in keynumbers.KEY_QUERIES), _key_numbers,
          ("period", "brand"), brand_required=True, served=False, table=True,
          page_key=_brand_key("numbers")),
    Chart("brand-shoot-days", "One brand's shoot days: actual against what was expected "
          "without twins", DISPLACEMENT, _one("shoot_days_vs_expected"), _shoot_days,
          ("period", "brand"), brand_required=True, page_key=_brand_key("shoot-days")),
    Chart("brand-crew", "One brand's crew days displaced, by role", CREW, _one("crew_by_role"),
          _crew_bars("Crew days displaced at {brand}, by role, {period}"), ("period", "brand"),
          brand_required=True, page_key=_brand_key("crew")),
    # ---- Data & method (union and admin users)
    Chart("data-loads", "Every load attempt", LOADS, lambda f: (("loads",),),
          _frame, (), served=False, table=True),
    Chart("data-quarantine-summary", "Quarantined rows, counted by why", "meta.quarantine",
          lambda f: (("quarantine_summary",),), _frame, (), served=False, table=True),
    Chart("data-quality", "References that do not join", "marts.data_quality",
          lambda f: (("data_quality",),), _frame, (), served=False, table=True),
)}
# what images, embeds and `twinimpact chart` draw
REGISTRY: dict[str, Chart] = {k: c for k, c in DECLARED.items() if c.served}

_BRAND_KEY = re.compile(r"^brand-(?P<brand>.+)-(?P<what>shoot-days|crew)$")


def lookup(page_key: str, f: Filters) -> tuple[str, Filters] | None:
    """A page's chart key → the registry key and filters (`brand-BR01-crew` → `brand-crew`)."""
    if page_key in REGISTRY:
        return page_key, f
    m = _BRAND_KEY.match(page_key)
    if m:
        return f"brand-{m['what']}", replace(f, brand=(m["brand"],))
    return None


def narrow(chart: Chart, f: Filters) -> Filters:
    """Drop the filters a chart does not use (they would not change it)."""
    keep = {"from_month": f.from_month, "to_month": f.to_month} if "period" in chart.uses \
        else {}
    return Filters(**keep, **{k: getattr(f, k) for k in filters.LIST_KEYS if k in chart.uses})


# ---- rendering -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Rendered:
    """A chart ready to show or export, with everything burned into its image."""

    chart: Chart
    f: Filters
    built: Built
    as_of: str
    simulated: bool
    k: int | None
    serving: bool = False  # the public release served this audience (public.serves)
    opts: dict | None = None  # the page's choices it was drawn with (Chart.options)

    def source_line(self) -> str:
        parts = ["Source: " + public.sourced(self.built.sources or self.chart.sources,
                                               self.chart.needs(self.f, self.opts),
                                               self.serving)]
        if self.simulated and not self.chart.real:
            parts.append("Simulated data")
        parts.append(f"data as of {self.as_of}")
        if self.k is not None and privacy.any_suppressed(self.built.shown):
            parts.append(f"cells of fewer than {self.k} people suppressed")
        return " · ".join(parts)


def as_of_text(prov: pd.DataFrame) -> str:
    """The provenance row's last load time as `YYYY-MM-DD HH:MM UTC`."""
    v = prov.iloc[0]["as_of"]
    if pd.isna(v):
        return "no successful load yet"
    ts = pd.Timestamp(v)
    return f"{ts.tz_convert('UTC'):%Y-%m-%d %H:%M} UTC" if ts.tzinfo else f"{ts:%Y-%m-%d %H:%M}"


def render(db: Path, key: str, f: Filters, aud: Audience, opts: dict | None = None
           ) -> Rendered:
    """Fetch a chart's frames through the disclosure layer as `aud` and build it, with the
    page's choices `opts` it takes (Chart.options; the others are dropped)."""
    chart = REGISTRY.get(key)
    if chart is None:
        raise UsageError(f"unknown chart {key!r}; `twinimpact chart --list` prints every key")
    if not public.ready_for(db, aud):
        raise UserError(f"no published warehouse at {db}; run `twinimpact demo` or load data "
                        "first")
    known = disclosure.governed(db, "known_values", aud=aud)
    unknown = [b for b in f.brand if b not in known.brands]
    if unknown:
        raise UserError(f"unknown brand {unknown[0]!r} in {db}")
    f = narrow(chart, filters.resolve(f, known))
    if chart.brand_required and len(f.brand) != 1:
        raise UsageError(f"chart {key!r} is about one brand: give --brand BRAND_ID")
    f, _ = disclosure.scope(f, aud)
    opts = {k: v for k, v in (opts or {}).items() if k in chart.options and v}
    with reader(db) as con:
        if chart.defaults:
            opts = chart.defaults(con, f, aud, **opts)
        built = compose(con, chart, f, aud, opts)
        prov = disclosure.governed(con, "provenance", aud=aud)
        serving = public.serves(aud, public.release_k(con))
    if built.fig is None:  # nothing to draw: say why, as the page does
        raise UserError(f"chart {key!r}: {built.empty or 'nothing to draw'}")
    return Rendered(chart, f, built, as_of_text(prov), bool(prov.iloc[0]["simulated"]), aud.k,
                    serving, opts or None)


def compose(src: queries.Source, chart: Chart, f: Filters, aud: Audience,
            opts: dict | None = None) -> Built:
    """A declaration built from its frames, each fetched through the disclosure layer as
    `aud` (`disclosure.governed`), amounts in the warehouse's reporting currency; a frame the
    public release withholds gives its reason as the sentence (not "no twin use")."""
    frames = [disclosure.governed(src, name, *args, aud=aud) for name, *args in
              chart.needs(f, opts)]
    built = drawn(chart, frames, f, aud.k,
                  disclosure.governed(src, "reporting_currency", aud=aud), opts)
    said = next((public.explain(frame) for frame in frames if public.explain(frame)), "")
    return replace(built, summary=said) if said else built


def drawn(chart: Chart, frames: list[pd.DataFrame], f: Filters, k: int | None,
          currency: str, opts: dict | None = None) -> Built:
    """`chart.draw` with its amounts in `currency` (the pages fetch their frames themselves)."""
    token = CURRENCY.set(currency)
    try:
        return chart.draw(frames, f, k, opts)
    finally:
        CURRENCY.reset(token)


def stamped(r: Rendered) -> go.Figure:
    """A copy of the figure with its source line, data-as-of and simulated flag burned in."""
    fig = go.Figure(r.built.fig)
    bottom = (fig.layout.margin.b or 40) + 70
    fig.update_layout(margin={"b": bottom}, height=(fig.layout.height or 380) + 70)
    fig.add_annotation(text=_wrap(r.source_line(), 120), x=0, y=0, xref="paper",
                       yref="paper", yshift=-(bottom - 8), xanchor="left", yanchor="bottom",
                       align="left", showarrow=False, font={"size": 11, "color": "#444444"})
    if r.simulated and not r.chart.real:
        fig.add_annotation(text="<b>SIMULATED DATA</b>", x=1, y=1, xref="paper",
                           yref="paper", yshift=58, xanchor="right", yanchor="bottom",
                           showarrow=False, font={"size": 12, "color": "#8a5300"},
                           bgcolor="#fff3d6", bordercolor="#E69F00", borderpad=3)
    return fig


def _wrap(text: str, width: int) -> str:
    """Break a long line with <br> between its ' · ' parts (plotly annotations do not
    wrap), so no phrase is split: the SVG's text keeps each one whole."""
    lines, cur = [], ""
    for part in text.split(" · "):
        if cur and len(cur) + 3 + len(part) > width:
            lines.append(cur)
            cur = part
        else:
            cur = f"{cur} · {part}" if cur else part
    lines.append(cur)
    return "<br>".join(lines)


# ---- images (kaleido on Debian's chromium) -------------------------------------------------

def use_system_chromium() -> None:
    """Point kaleido at Debian's chromium: its own get_chrome would download a browser."""
    if not os.environ.get("BROWSER_PATH") and Path(CHROMIUM).exists():
        os.environ["BROWSER_PATH"] = CHROMIUM


# kaleido's page loads MathJax from a CDN unless told not to: no network here, and a stalled
# script tag left its page half-loaded ("kaleido_scopes is not defined") under load.
KALEIDO = {"mathjax": False}


def image(fig: go.Figure, fmt: str, width: int = 1000) -> bytes:
    """The figure as PNG or SVG bytes."""
    import kaleido

    use_system_chromium()
    if not os.environ.get("BROWSER_PATH"):
        raise UserError(f"chart images need Debian's chromium at {CHROMIUM} (apt-get install "
                        "chromium) or BROWSER_PATH naming a Chrome; nothing is downloaded")
    height = fig.layout.height or 450
    scale = 2 if fmt == "png" else 1  # sharp in print and on high-density screens
    opts = {"format": fmt, "width": width, "height": height, "scale": scale}
    for attempt in range(3):
        try:
            with warnings.catch_warnings():  # a running session (image_session) has its own
                warnings.simplefilter("ignore", UserWarning)
                return kaleido.calc_fig_sync(fig, opts=opts, kopts=KALEIDO)
        except Exception as exc:  # noqa: BLE001 — only the one transient failure is retried
            # on a loaded machine chromium can run kaleido's call before its page's script has
            # loaded; a fresh try succeeds (seen once, in a clean-clone CI run on two busy cores)
            if "kaleido_scopes is not defined" not in str(exc) or attempt == 2:
                raise
            time.sleep(0.5 * (attempt + 1))
    raise AssertionError("unreachable")


@contextmanager
def image_session():
    """One browser for many images (starting chromium costs ~2 s per image otherwise)."""
    import kaleido

    use_system_chromium()
    kaleido.start_sync_server(**KALEIDO, silence_warnings=True)
    try:
        yield
    finally:
        kaleido.stop_sync_server(silence_warnings=True)


def cmd_chart(args) -> int:
    """`twinimpact chart KEY --out FILE.png|FILE.svg` or `chart --list`."""
    from etl import config

    if args.list:
        width = max(map(len, REGISTRY))
        for key, chart in REGISTRY.items():
            brand = " (needs --brand)" if chart.brand_required else ""
            print(f"{key:<{width}}  {chart.title}{brand}")
        return 0
    if not args.key:
        raise UsageError("give a chart KEY (`twinimpact chart --list` prints them) and --out")
    if not args.out:
        raise UsageError("give --out FILE.png or FILE.svg")
    out = Path(args.out)
    fmt = out.suffix.lower().lstrip(".")
    if fmt not in ("png", "svg"):
        raise UsageError(f"--out {out}: the file must end in .png or .svg")
    if out.parent and not out.parent.exists():
        raise UserError(f"folder {out.parent} does not exist; create it or choose another --out")
    f = cli_filters(args)
    from dashboard.audience import public

    r = render(config.db_path(args.db), args.key, f, public())
    data = image(stamped(r), fmt)
    tmp = out.with_name(f".{out.name}.tmp-{os.getpid()}")
    tmp.write_bytes(data)
    os.replace(tmp, out)
    print(f"wrote {out} ({len(data) / 1e3:.0f} kB): {r.chart.title}, {filters.describe(r.f)}")
    return 0


def cli_filters(args) -> Filters:
    """--from/--to/--brand/--channel/--role/--region as Filters; a bad value is a usage error."""
    for name, value in (("--from", args.from_month), ("--to", args.to_month)):
        if value is not None and not filters.valid_month(value):
            raise UsageError(f"{name} {value!r} is not a month; give it as YYYY-MM")
    if args.from_month and args.to_month and args.from_month > args.to_month:
        raise UsageError(f"--from {args.from_month} is after --to {args.to_month}; swap them")

    def items(v):
        return tuple(p.strip() for p in (v or "").split(",") if p.strip())

    from etl.contracts import CHANNELS, ROLES
    for name, vals, allowed in (("--channel", items(args.channel), CHANNELS),
                                ("--role", items(args.role), ROLES)):
        bad = [v for v in vals if v not in allowed]
        if bad:
            raise UsageError(f"{name} {bad[0]!r} is not one of {', '.join(allowed)}")
    return Filters(from_month=args.from_month, to_month=args.to_month, brand=items(args.brand),
                   channel=items(args.channel), role=items(args.role),
                   region=items(args.region))

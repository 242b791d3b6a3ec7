"""DataFrame → plotly Figure. No Streamlit, no SQL; the look comes from `theme`."""

from __future__ import annotations

import html

import pandas as pd
import plotly.graph_objects as go

from dashboard import labels, theme
from dashboard import money as _money
from dashboard.privacy import SUPPRESSED_COL


def _suppressed(df: pd.DataFrame) -> pd.Series:
    if SUPPRESSED_COL in df.columns:
        return df[SUPPRESSED_COL].fillna("") != ""
    return pd.Series(False, index=df.index)


def empty(title: str, message: str) -> go.Figure:
    """A chart-sized box that says why there is nothing to draw."""
    fig = go.Figure()
    fig.add_annotation(text=message, x=0.5, y=0.5, xref="paper", yref="paper",
                       showarrow=False, font={"size": 14, "color": theme.GREY})
    theme.layout(fig, title, height=240)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


def _short(event: str) -> str:
    """`H&M releases first images…` → `H&M`: the actor, for a label that fits."""
    return event.split()[0].rstrip(":,")


def add_events(fig: go.Figure, events: pd.DataFrame, x_min, x_max) -> go.Figure:
    """Industry events inside the x range as dotted lines with a short label (full text on hover)."""
    if events is None or events.empty or x_min is None or x_max is None:
        return fig
    # the last month's point stands for the whole month: include its later events
    lo, hi = pd.Timestamp(x_min), pd.Timestamp(x_max) + pd.offsets.MonthEnd(0)
    shown = events[(events["date"] >= lo) & (events["date"] <= hi)].sort_values("date")
    for i, row in enumerate(shown.itertuples()):
        fig.add_shape(type="line", x0=row.date, x1=row.date, y0=0, y1=1, yref="paper",
                      line={"color": theme.GREY, "width": 1, "dash": "dot"}, layer="below")
        # labels sit above the plot area, alternating in height so close events stay legible
        fig.add_annotation(
            x=row.date, y=1.0 + 0.06 * (i % 2), yref="paper", text=_short(row.event),
            hovertext=f"{row.date:%Y-%m-%d}: {row.event}", showarrow=False,
            xanchor="center", yanchor="bottom", font={"size": 10, "color": theme.GREY},
        )
    return fig


def _time_range(df: pd.DataFrame, col: str = "month"):
    if df.empty:
        return None, None
    return df[col].min(), df[col].max()


def twin_share_by_channel(df: pd.DataFrame, events: pd.DataFrame | None = None) -> go.Figure:
    """Lines: share of images made with twins, one per channel, by month."""
    title = "Share of images made with digital twins, by channel"
    if df.empty:
        return empty(title, "No shoots or twin use in this selection")
    fig = go.Figure()
    for i, (channel, part) in enumerate(df.groupby("channel", sort=True)):
        fig.add_trace(go.Scatter(
            x=part["month"], y=part["twin_share"], name=labels.channel(channel), mode="lines",
            line={"color": theme.colour_for(str(channel), i), "width": 2},
            hovertemplate="%{y:.1%}"))
    theme.layout(fig, title, y_title="twin images ÷ all images", percent=True)
    fig.update_yaxes(range=[0, 1])
    return add_events(fig, events, *_time_range(df))


def twin_share_overall(df: pd.DataFrame, events: pd.DataFrame | None = None) -> go.Figure:
    """One line: all channels' twin share by month (from twin_share_by_channel's rows)."""
    title = "Share of all fashion images made with digital twins"
    if df.empty:
        return empty(title, "No shoots or twin use in this selection")
    # min_count: a suppressed month stays blank, never a 0% (twin_share_overall has one row
    # per month already; twin_share_by_channel's rows add up)
    m = df.groupby("month", as_index=False)[["twin_assets", "shoot_assets"]].sum(min_count=1)
    m["twin_share"] = m["twin_assets"] / (m["twin_assets"] + m["shoot_assets"]).where(
        lambda s: s > 0)
    fig = go.Figure(go.Scatter(x=m["month"], y=m["twin_share"], mode="lines", name="all channels",
                               line={"color": theme.BLUE, "width": 2.5},
                               hovertemplate="%{y:.1%}"))
    theme.layout(fig, title, y_title="twin images ÷ all images", percent=True)
    return add_events(fig, events, *_time_range(m))


def shoot_days_vs_expected(df: pd.DataFrame, events: pd.DataFrame | None = None) -> go.Figure:
    """Actual shoot days against the no-twin expectation (DiD) and the substitution bound."""
    title = "Shoot days: actual against what was expected without twins"
    if df.empty:
        return empty(title, "No shoots in this selection")
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=df["month"], y=df["expected_upper"], mode="lines",
                             name="upper bound (every twin image replaced shoot output)",
                             line={"color": theme.VERMILLION, "dash": "dash", "width": 1.5},
                             hovertemplate="%{y:,.0f}"))
    if "expected_before_after" in df and df["expected_before_after"].notna().any():
        # months without a DiD (fewer than 3 control brands): named for what they are
        fig.add_trace(go.Scatter(x=df["month"], y=df["expected_before_after"], mode="lines",
                                 name="expected without twins (before/after: no DiD, fewer "
                                      "than 3 control brands)",
                                 line={"color": theme.ORANGE, "width": 2, "dash": "dot"},
                                 hovertemplate="%{y:,.0f}"))
    fig.add_trace(go.Scatter(x=df["month"], y=df["expected_did"], mode="lines",
                             name="expected without twins (difference in differences)",
                             line={"color": theme.ORANGE, "width": 2},
                             hovertemplate="%{y:,.0f}"))
    fig.add_trace(go.Scatter(x=df["month"], y=df["actual_shoot_days"], mode="lines",
                             name="actual shoot days", fill="tonexty",
                             fillcolor="rgba(230,159,0,0.15)",
                             line={"color": theme.BLUE, "width": 2.5},
                             hovertemplate="%{y:,.0f}"))
    theme.layout(fig, title, y_title="shoot days per month", height=440)
    return add_events(fig, events, *_time_range(df))


def event_study(df: pd.DataFrame) -> go.Figure:
    """Shoot days displaced by months since first twin use, with the 95% interval as a band;
    months before adoption (placebo: the true effect is 0) are shaded."""
    title = "Shoot days displaced, by months since the brand's first twin use"
    if df.empty:
        return empty(title, "No estimable event study in this selection")
    df = df.sort_values("event_month")
    fig = go.Figure()
    placebo = df[df["placebo"]]
    if not placebo.empty:
        fig.add_vrect(x0=placebo["event_month"].min() - 0.5, x1=-0.5, fillcolor=theme.GREY,
                      opacity=0.12, line_width=0, layer="below",
                      annotation_text="before adoption: placebo (should be 0)",
                      annotation_position="top left",
                      annotation_font={"size": 10, "color": theme.GREY})
    if "joint_low" in df:  # the simultaneous band: every month's effect inside it at once
        for col, name in (("joint_high", None), ("joint_low", "simultaneous 95% band")):
            fig.add_trace(go.Scatter(x=df["event_month"], y=df[col], mode="lines",
                                     line={"width": 1, "dash": "dot", "color": theme.GREY},
                                     name=name, showlegend=name is not None,
                                     hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=df["event_month"], y=df["effect_high"], mode="lines",
                             line={"width": 0}, showlegend=False, hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=df["event_month"], y=df["effect_low"], mode="lines",
                             line={"width": 0}, fill="tonexty",
                             fillcolor="rgba(230,159,0,0.25)", name="95% interval (each month)",
                             hoverinfo="skip"))
    fig.add_trace(go.Scatter(
        x=df["event_month"], y=df["effect"], mode="lines+markers", name="estimate",
        line={"color": theme.ORANGE, "width": 2}, customdata=df[["effect_low", "effect_high"]],
        hovertemplate="%{x:+d} months: %{y:,.1f} (95% interval %{customdata[0]:,.1f}"
                      "–%{customdata[1]:,.1f})<extra></extra>"))
    fig.add_hline(y=0, line={"color": theme.GREY, "width": 1})
    theme.layout(fig, title, y_title="shoot days displaced per month",
                 x_title="months since first twin use", height=420)
    return fig


def breakdown(est: pd.DataFrame) -> go.Figure:
    """Relative-magnitudes sensitivity: per year, the breakdown M̄ (how large a violation of
    parallel trends, as a multiple of the largest pre-adoption deviation, would make the
    year's 95% interval include 0), with a line at 1."""
    title = "How robust is each year's estimate to non-parallel trends?"
    rows = est.dropna(subset=["breakdown_m"]) if "breakdown_m" in est else est.iloc[0:0]
    if rows.empty:
        return empty(title, "No estimable year with a pre-adoption period in this selection")
    scope = "ALL" if "ALL" in set(rows["scope"]) else None
    rows = rows[rows["scope"] == scope] if scope else rows
    fig = go.Figure(go.Bar(
        x=rows["year"].astype(str) + ("" if scope else " " + rows["scope"]),
        y=rows["breakdown_m"], marker={"color": theme.ORANGE}, name="breakdown M̄",
        hovertemplate="%{x}: M̄ = %{y:.2f}<extra></extra>"))
    fig.add_hline(y=1, line={"color": theme.GREY, "dash": "dash"},
                  annotation_text="as large as the largest pre-adoption deviation",
                  annotation_position="top left")
    theme.layout(fig, title, y_title="breakdown M̄",
                 x_title="year", height=360)
    return fig


def by_role_bars(df: pd.DataFrame, value: str, title: str, axis: str,
                 money: bool = False, currency: str = "EUR") -> go.Figure:
    """Horizontal bars per role; rows hidden in public mode drawn empty and labelled."""
    if df.empty:
        return empty(title, "No crew bookings in this selection")
    hidden_any = _suppressed(df).any()
    if not hidden_any and not (df[value].fillna(0) > 0).any():
        return empty(title, "None in this selection (the brand has not displaced any "
                            "crew days, or did not use twins)")
    d = df.copy()
    hidden = _suppressed(d)
    d = d.assign(_v=d[value].fillna(0)).sort_values("_v")
    hidden = hidden.loc[d.index]
    fmt = _money.plotly_format(currency, "x") if money else "%{x:,.0f}"
    fig = go.Figure(go.Bar(
        x=d["_v"], y=[labels.role(r) for r in d["role"]], orientation="h",
        marker={"color": theme.BLUE},
        text=[d.loc[i, SUPPRESSED_COL] if h else "" for i, h in hidden.items()],
        textposition="outside", hovertemplate=fmt + "<extra>%{y}</extra>", name=axis))
    theme.layout(fig, title, x_title=axis, height=max(260, 40 + 32 * len(d)))
    fig.update_layout(hovermode="closest", showlegend=False)
    fig.update_yaxes(rangemode=None)
    return fig


def brands_ranked(df: pd.DataFrame) -> go.Figure:
    """Displaced shoot days per brand (DiD bar, substitution bound as a marker)."""
    title = "Shoot days displaced by twins, by brand"
    if df.empty:
        return empty(title, "No brands in this selection")
    d = df.sort_values("displaced_did")
    fig = go.Figure()
    names = [html.escape(str(b)) for b in d["brand_id"]]  # free text: never plotly's HTML
    fig.add_trace(go.Bar(x=d["displaced_did"], y=names, orientation="h",
                         name="difference in differences", marker={"color": theme.ORANGE},
                         hovertemplate="%{x:,.0f} days<extra>DiD</extra>"))
    fig.add_trace(go.Scatter(x=d["displaced_upper"], y=names, mode="markers",
                             name="upper bound", marker={"color": theme.VERMILLION,
                                                         "symbol": "line-ns-open", "size": 14,
                                                         "line": {"width": 3}},
                             hovertemplate="%{x:,.0f} days<extra>upper bound</extra>"))
    theme.layout(fig, title, x_title="shoot days", height=max(280, 60 + 28 * len(d)))
    fig.update_layout(hovermode="closest")
    fig.update_yaxes(rangemode=None, type="category")
    return fig


def model_income(df: pd.DataFrame, events: pd.DataFrame | None = None,
                 currency: str = "EUR") -> go.Figure:
    """Stacked areas: all models' income from shoots and from their twins, by month."""
    title = "Models' income: from shoots and from their twins (all models, per month)"
    if df.empty:
        return empty(title, "No model income in this selection")
    fig = go.Figure()
    for col, name, colour in (("shoot_income", "from shoots", theme.BLUE),
                              ("twin_income", "from twin licences", theme.ORANGE)):
        fig.add_trace(go.Scatter(x=df["month"], y=df[col], name=name, mode="lines",
                                 stackgroup="income", line={"color": colour, "width": 1},
                                 hovertemplate=_money.plotly_format(currency)))
    theme.layout(fig, title, y_title=f"{currency} per month")
    return add_events(fig, events, *_time_range(df))


COHORT_NAMES = {"all": "all models", "twin_holders": "models with a twin",
                "no_twin": "models without a twin"}


def lorenz(df: pd.DataFrame, year: int) -> go.Figure:
    """Lorenz curves of models' yearly income by cohort, with the line of equality."""
    title = f"How unequal is models' income? Lorenz curves, {year}"
    if df.empty:
        return empty(title, f"No model income in {year}")
    fig = go.Figure(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name="perfect equality",
                               line={"color": theme.GREY, "dash": "dot", "width": 1}))
    for i, (cohort, part) in enumerate(df.groupby("cohort", sort=True)):
        fig.add_trace(go.Scatter(
            x=part["pop_share"], y=part["income_share"], mode="lines",
            name=f"{COHORT_NAMES.get(cohort, cohort)} ({int(part['models'].iloc[0]):,})",
            line={"color": theme.colour_for(str(cohort), i), "width": 2},
            hovertemplate="poorest %{x:.0%} earn %{y:.1%}<extra></extra>"))
    theme.layout(fig, title, x_title="share of models, poorest first",
                 y_title="share of income", percent=True, height=420)
    fig.update_xaxes(tickformat=".0%", range=[0, 1])
    fig.update_layout(hovermode="closest")
    return fig


def distribution_by_year(df: pd.DataFrame, value: str, title: str, axis: str) -> go.Figure:
    """One line per cohort over years (Gini, top-10% share)."""
    if df.empty or df[value].isna().all():
        return empty(title, "No yearly income distribution in this selection")
    fig = go.Figure()
    for i, (cohort, part) in enumerate(df.groupby("cohort", sort=True)):
        fig.add_trace(go.Scatter(x=part["year"], y=part[value], mode="lines+markers",
                                 name=COHORT_NAMES.get(cohort, cohort),
                                 line={"color": theme.colour_for(str(cohort), i)},
                                 hovertemplate="%{y:.2f}"))
    theme.layout(fig, title, y_title=axis, height=320)
    fig.update_xaxes(dtick=1)
    return fig


def crew_income_by_role(df: pd.DataFrame, currency: str = "EUR") -> go.Figure:
    """Stacked bars: crew income per year, one colour per role."""
    title = "Crew income from shoots, by role and year"
    if df.empty:
        return empty(title, "No crew bookings in this selection")
    fig = go.Figure()
    d = df.copy()
    # seven colours can be told apart: the six roles paid most, then every other role together
    totals = d.groupby("role")["crew_income"].sum().sort_values(ascending=False)
    top = list(totals.index[:6])
    d["group"] = d["role"].where(d["role"].isin(top), "other roles")
    months = d["months"] if "months" in d.columns else pd.Series(12, index=d.index)
    years = {y: f"{y} ({m} months)" if m < 12 else str(y)
              for y, m in zip(d["year"], months, strict=True)}
    d = d.groupby(["year", "group"], as_index=False)["crew_income"].sum(min_count=1)
    for i, group in enumerate([*top, "other roles"]):
        part = d[d["group"] == group]
        if part.empty:
            continue
        fig.add_trace(go.Bar(x=[years[y] for y in part["year"]], y=part["crew_income"],
                             name=labels.role(group) if group != "other roles" else group,
                             marker={"color": theme.GREY if group == "other roles"
                                     else theme.OKABE_ITO[i]},
                             hovertemplate=_money.plotly_format(currency)))
    theme.layout(fig, title, y_title=currency, height=420)
    fig.update_layout(barmode="stack")
    return fig


def consent_over_time(df: pd.DataFrame, events: pd.DataFrame | None = None) -> go.Figure:
    """Stacked bars: twin images covered by a valid licence and those that were not."""
    title = "Twin images with and without a valid licence, by month"
    if df.empty:
        return empty(title, "No twin use in this selection")
    fig = go.Figure()
    fig.add_trace(go.Bar(x=df["month"], y=df["licensed_assets"], name="licensed",
                         marker={"color": theme.GREEN}, hovertemplate="%{y:,}"))
    fig.add_trace(go.Bar(x=df["month"], y=df["unlicensed_assets"], name="unlicensed",
                         marker={"color": theme.VERMILLION}, hovertemplate="%{y:,}"))
    theme.layout(fig, title, y_title="twin images")
    fig.update_layout(barmode="stack")
    return add_events(fig, events, *_time_range(df))





def unlicensed_reasons(df: pd.DataFrame) -> go.Figure:
    """Bars: unlicensed twin images by why no licence covered them."""
    title = "Why twin images were not covered by a licence"
    if df.empty:
        return empty(title, "Every twin image in this selection was licensed")
    d = df.sort_values("assets")
    fig = go.Figure(go.Bar(x=d["assets"], y=[labels.reason(r) for r in d["reason"]],
                           orientation="h", marker={"color": theme.VERMILLION},
                           hovertemplate="%{x:,} images<extra></extra>"))
    theme.layout(fig, title, x_title="twin images", height=max(240, 60 + 36 * len(d)))
    fig.update_layout(hovermode="closest", showlegend=False)
    fig.update_yaxes(rangemode=None)
    return fig


def compliance_by_brand(df: pd.DataFrame) -> go.Figure:
    """Grouped bars per brand: licensed, watermarked and disclosed shares of twin images."""
    title = "Brands' twin images: licensed, watermarked, disclosed"
    if df.empty:
        return empty(title, "No twin use in this selection")
    d = df.sort_values("brand_id", ascending=False)
    fig = go.Figure()
    for col, name, colour in (("licensed_share", "licensed", theme.GREEN),
                              ("watermarked_share", "watermarked", theme.BLUE),
                              ("disclosed_share", "disclosed as AI", theme.ORANGE)):
        fig.add_trace(go.Bar(x=d[col], y=[html.escape(str(b)) for b in d["brand_id"]],
                             orientation="h", name=name,
                             marker={"color": colour}, hovertemplate="%{x:.0%}"))
    theme.layout(fig, title, x_title="share of the brand's twin images",
                 height=max(300, 80 + 45 * len(d)))
    fig.update_xaxes(tickformat=".0%", range=[0, 1])
    fig.update_yaxes(rangemode=None, type="category")
    fig.update_layout(barmode="group", hovermode="y unified")
    return fig


def employment_by_role(df: pd.DataFrame, period: str) -> go.Figure:
    """Bars: people working in each role in one survey period (rows: role, employed, areas)."""
    title = f"People working in each role, {period} (union survey, areas summed)"
    if df.empty or df["employed"].isna().all():
        return empty(title, "No survey figures in this selection")
    hidden = _suppressed(df)
    d = df.assign(_v=df["employed"].fillna(0), _h=hidden).sort_values("_v")
    fig = go.Figure(go.Bar(
        x=d["_v"], y=[labels.role(r) for r in d["role"]], orientation="h",
        marker={"color": theme.BLUE},
        text=["some areas suppressed (too few people)" if h else "" for h in d["_h"]],
        textposition="outside", hovertemplate="%{x:,} people<extra></extra>"))
    theme.layout(fig, title, x_title="people", height=max(260, 60 + 30 * len(d)))
    fig.update_layout(hovermode="closest", showlegend=False)
    fig.update_yaxes(rangemode=None)
    return fig


def bls_employment(df: pd.DataFrame) -> go.Figure:
    """Bars: BLS OEWS employment per occupation and reference period."""
    title = "US employees in the occupation (BLS OEWS, excludes the self-employed)"
    if df.empty:
        return empty(title, "No BLS figures loaded")
    names = [f"{labels.role(r)} ({p})" for r, p in zip(df["role"], df["period"], strict=True)]
    fig = go.Figure(go.Bar(x=df["employed"], y=names, orientation="h",
                           marker={"color": theme.SKY}, hovertemplate="%{x:,}<extra></extra>",
                           text=[f"{v:,.0f}" for v in df["employed"]], textposition="outside"))
    theme.layout(fig, title, x_title="employees (log scale)",
                 height=max(240, 60 + 36 * len(df)))
    fig.update_layout(hovermode="closest", showlegend=False)
    # a log axis: hair stylists outnumber models a hundredfold; label only the decades
    fig.update_xaxes(type="log", tickvals=[1e2, 1e3, 1e4, 1e5, 1e6],
                     ticktext=["100", "1,000", "10,000", "100,000", "1,000,000"])
    fig.update_yaxes(rangemode=None)
    return fig


def employment_by_type(df: pd.DataFrame, title: str) -> go.Figure:
    """Bars per role: employees beside the self-employed (rows: role, employees,
    self_employed), one period."""
    if df.empty or df[["employees", "self_employed"]].isna().all().all():
        return empty(title, "No employees or self-employed figures in this selection")
    names = [labels.role(r) for r in df["role"]]
    fig = go.Figure()
    for col, name, color in (("employees", "employees", theme.SKY),
                             ("self_employed", "self-employed", theme.OKABE_ITO[0])):
        fig.add_trace(go.Bar(x=df[col], y=names, orientation="h", name=name,
                             marker={"color": color}, meta={"series": col},
                             hovertemplate="%{x:,.0f}<extra>" + name + "</extra>"))
    theme.layout(fig, title, x_title="people", height=max(240, 80 + 48 * len(df)))
    fig.update_layout(barmode="group", hovermode="closest")
    fig.update_yaxes(rangemode=None)
    return fig


def employment_trend(df: pd.DataFrame, value: str, title: str, y_title: str, *,
                     arrival=None, share: pd.DataFrame | None = None,
                     meta: dict | None = None) -> go.Figure:
    """Lines: one per role over every survey period (rows: period, period_start, role,
    `value`); a dotted line where twins arrived and, on a second axis, the twin share."""
    if df.empty or df[value].isna().all():
        return empty(title, "No survey figures in this selection")
    fig = go.Figure()
    for i, (role, part) in enumerate(df.groupby("role", sort=True)):
        fig.add_trace(go.Scatter(
            x=part["period_start"], y=part[value], name=str(role).replace("_", " "),
            mode="lines+markers", marker={"size": 4}, customdata=part["period"],
            line={"color": theme.OKABE_ITO[i % 6] if i < 6 else theme.GREY, "width": 2,
                  "dash": "solid" if i < 6 else ["dot", "dash", "dashdot"][i % 3]},
            meta={**(meta or {}), "role": role},
            hovertemplate="%{customdata}: %{y:,.1f}<extra>" + str(role).replace("_", " ")
                          + "</extra>"))
    if share is not None and not share.empty:
        fig.add_trace(go.Scatter(
            x=share["period_start"], y=share["twin_share"], name="twin share of images (right axis)",
            yaxis="y2", mode="lines", line={"color": theme.BLACK, "dash": "dot", "width": 1.5},
            meta={"series": "twin_share"}, hovertemplate="%{y:.1%}<extra>twin share</extra>"))
    theme.layout(fig, title, y_title=y_title, height=440)
    fig.update_layout(hovermode="closest")
    if share is not None and not share.empty:  # after the house layout, which styles every y axis
        fig.update_layout(yaxis2={"overlaying": "y", "side": "right", "tickformat": ".0%",
                                  "range": [0, 1], "showgrid": False, "rangemode": "normal",
                                  "tickmode": "linear", "tick0": 0, "dtick": 0.25,
                                  "title": {"text": "twin share of images"}})
    if arrival is not None:
        fig.add_shape(type="line", x0=arrival, x1=arrival, y0=0, y1=1, yref="paper",
                      line={"color": theme.VERMILLION, "width": 1.5, "dash": "dash"})
        fig.add_annotation(x=arrival, y=1.0, yref="paper", showarrow=False, xanchor="left",
                           yanchor="bottom", text=f"first twin use {arrival:%Y-%m}",
                           font={"size": 11, "color": theme.VERMILLION})
    return fig


RIGHT_NAMES = {
    "licensed": "licensed (a valid licence covered the use)",
    "time_limited": "time-limited (ends within 3 years)",
    "purpose_limited": "purpose-limited (names channels and regions)",
    "non_exclusive": "non-exclusive",
    "no_training": "no training allowed",
    "revocation_honoured": "revocation honoured",
    "watermarked": "watermarked",
    "disclosed": "disclosed as AI",
    "disclosed_checked": "disclosed in the image (checked: its C2PA or IPTC AI label)",
    "fair_pay": "fair pay (≥ the model's own shoot pay per image)",
}


def rights_scorecard(df: pd.DataFrame, title: str) -> go.Figure:
    """Stacked bars per right: share of twin images meeting it, not meeting it, unknown."""
    if df.empty:
        return empty(title, "No twin use in this selection")
    d = df.sort_values("right_order", ascending=False)
    hidden = _suppressed(d)
    labels = [RIGHT_NAMES.get(r, r) for r in d["right"]]
    fig = go.Figure()
    for col, name, colour in (("share_met", "met", theme.GREEN),
                              ("share_not_met", "not met", theme.VERMILLION),
                              ("share_unknown", "unknown (not stated)", theme.SUPPRESSED)):
        fig.add_trace(go.Bar(x=d[col], y=labels, orientation="h", name=name,
                             marker={"color": colour}, hovertemplate="%{x:.1%}",
                             text=[d.loc[i, SUPPRESSED_COL] if h else "" for i, h in
                                   hidden.items()] if col == "share_met" else None,
                             textposition="outside"))
    theme.layout(fig, title, x_title="share of twin images", height=420)
    fig.update_xaxes(tickformat=".0%", range=[0, 1])
    fig.update_yaxes(rangemode=None, type="category")
    fig.update_layout(barmode="stack", hovermode="y unified", legend={"traceorder": "normal"})
    return fig


def rights_trend(df: pd.DataFrame, title: str) -> go.Figure:
    """Small multiples: per right, the share met (solid) and unknown (dotted) by year."""
    from plotly.subplots import make_subplots

    if df.empty:
        return empty(title, "No twin use in this selection")
    order = df.drop_duplicates("right").sort_values("right_order")["right"].tolist()
    rows = max(1, -(-len(order) // 3))  # three a row, as many rows as the rights need
    fig = make_subplots(rows=rows, cols=3, shared_xaxes=True, shared_yaxes=True,
                        subplot_titles=[r.replace("_", " ") for r in order],
                        vertical_spacing=0.36 / rows)
    for i, right in enumerate(order):
        part = df[df["right"] == right]
        r, c = i // 3 + 1, i % 3 + 1
        fig.add_trace(go.Scatter(x=part["year"], y=part["share_met"], mode="lines+markers",
                                 name="met", legendgroup="met", showlegend=i == 0,
                                 line={"color": theme.GREEN, "width": 2},
                                 hovertemplate="%{x}: %{y:.1%} met"), row=r, col=c)
        fig.add_trace(go.Scatter(x=part["year"], y=part["share_unknown"], mode="lines",
                                 name="unknown", legendgroup="unknown", showlegend=i == 0,
                                 line={"color": theme.GREY, "width": 1.5, "dash": "dot"},
                                 hovertemplate="%{x}: %{y:.1%} unknown"), row=r, col=c)
    theme.layout(fig, title, height=140 + 140 * rows)
    fig.update_yaxes(tickformat=".0%", range=[0, 1.05])
    fig.update_xaxes(dtick=1)
    fig.update_layout(hovermode="closest", legend={"y": -0.08})
    return fig


def rights_by_brand(df: pd.DataFrame, title: str) -> go.Figure:
    """Heatmap: brands × rights, the share of each brand's twin images meeting the right."""
    if df.empty:
        return empty(title, "No twin use in this selection")
    order = df.drop_duplicates("right").sort_values("right_order")["right"].tolist()
    wide = df.pivot(index="brand_id", columns="right", values="share_met")[order]
    unknown = df.pivot(index="brand_id", columns="right", values="share_unknown")[order]
    text = [[("–" if pd.isna(v) else f"{v:.0%}") + ("" if pd.isna(u) or u == 0 else
                                                    f"<br>{u:.0%} ?")
             for v, u in zip(row, urow, strict=True)]
            for row, urow in zip(wide.values, unknown.values, strict=True)]
    fig = go.Figure(go.Heatmap(
        z=wide.values, x=[r.replace("_", " ") for r in order], y=list(wide.index), text=text,
        texttemplate="%{text}", zmin=0, zmax=1, colorscale=[[0, theme.VERMILLION],
                                                              [0.5, "#F5F5F5"],
                                                              [1, theme.GREEN]],
        colorbar={"title": "met", "tickformat": ".0%"},
        hovertemplate="%{y}, %{x}: %{z:.1%} met<extra></extra>"))
    theme.layout(fig, title, height=max(300, 90 + 34 * len(wide)))
    fig.update_yaxes(rangemode=None, type="category", autorange="reversed")
    fig.update_layout(hovermode="closest")
    return fig

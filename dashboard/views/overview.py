"""Overview: the key numbers and a few sentences of findings written from the data."""

from dataclasses import replace

import pandas as pd
import streamlit as st

from dashboard import charts, data, findings, ui

ctx = ui.setup("Twin Impact: what AI twins do to fashion work",
               uses=("period", "brand", "channel", "region"))
f = ctx.f
st.caption(ui.headline_caption(ctx) + " " + ui.METHODOLOGY_LINK)

# the channel shares over the whole history up to the period's end serve both the chart (the
# period's months) and the findings (the latest half-year against the same one a year before)
history = replace(f, from_month=ctx.known.months[0] if ctx.known.months else None)
(disp, crew, income, consent, by_role, monthly) = data.fetch(
    ("displacement_totals", ctx.hf), ("crew_totals", ctx.hf), ("model_income_totals", ctx.hf),
    ("consent_totals", ctx.hf), ("crew_by_role", ctx.hf), ("twin_share_by_channel", history))
share = monthly[pd.to_datetime(monthly["month"]) >= pd.Timestamp(f.start())] \
    if f.start() else monthly
halves = findings.halves(monthly)
disp, disp0 = ui.pair(disp)
crew, crew0 = ui.pair(crew)
income, consent = income.iloc[0], consent.iloc[0]
hidden_crew = ctx.k is not None and crew["people"] < ctx.k

c1, c2, c3, c4 = st.columns(4)
ui.metric(c1, "Images made with twins", disp["twin_share"], disp0["twin_share"], "{:.1%}",
          share=True, ctx=ctx, help="Twin images ÷ (twin images + images delivered by shoots).")
ui.metric(c2, "Shoot days booked", disp["shoot_days"], disp0["shoot_days"], "{:,.0f}", ctx=ctx)
ui.metric(c3, "Shoot days displaced (DiD)", disp["displaced_did"], disp0["displaced_did"],
          "{:,.0f}", ctx=ctx,
          help="Shortfall against brands that use no twins (difference in differences).")
ui.metric(c4, "Crew days displaced", None if hidden_crew else crew["displaced_crew_days"],
          crew0["displaced_crew_days"], "{:,.0f}", ctx=ctx,
          help="Displaced shoot days × the brand's pre-twin crew days per shoot day.")

st.subheader("What the data says")
top_role = None
if not by_role.empty and by_role["displaced_crew_days"].max() > 0:
    top = by_role.iloc[0]
    if ctx.k is None or top["people"] >= ctx.k:
        top_role = str(top["role"])
sentences = findings.sentences(halves, disp, crew if not hidden_crew else crew * 0, top_role,
                               income, consent, ui.period_label(ctx.hf))
if sentences:
    st.markdown("\n".join(f"- {s}" for s in sentences))
else:
    ui.empty_state("Not enough data in this selection to say anything yet: widen the period "
                   "or remove filters.")
if ctx.simulated:
    st.caption(":orange[These findings describe the **simulated** demo industry.]")

overall = share.groupby("month", as_index=False)[["twin_assets", "shoot_assets"]].sum()
overall["twin_share"] = overall["twin_assets"] / (
    overall["twin_assets"] + overall["shoot_assets"]).where(lambda s: s > 0)
ui.chart(ctx, charts.twin_share_overall(share, data.events()), overall,
         sources="bookings and twin-usage exports (marts.displacement_monthly); industry "
                 "events: press reports listed on the Data page",
         key="overview-twin-share")

"""Consent: licensed against unlicensed twin images, the reasons, and compliance by brand."""

import streamlit as st

from dashboard import charts, data, privacy, ui

ctx = ui.setup("Consent: were twins used with a valid licence?",
               uses=("period", "brand", "region"))
f = ctx.f
SOURCES = "twin-usage and licence exports (marts.consent_monthly)"
totals, monthly, reasons, brands = data.fetch(
    ("consent_totals", ctx.hf), ("consent_over_time", f),
    ("unlicensed_reasons", f), ("compliance_by_brand", f))
# public mode: a figure about the twin use of fewer than k models is hidden
totals = privacy.suppress(
    totals, {"people": ["twin_assets", "licensed_assets", "unlicensed_assets",
                        "watermarked_share", "disclosed_share"]}, ctx.k)
now, before = ui.pair(totals)
monthly = privacy.suppress(
    monthly, {"people": ["twin_assets", "licensed_assets", "unlicensed_assets"]}, ctx.k)
brands = privacy.suppress(
    brands, {"people": ["twin_assets", "licensed_share", "watermarked_share",
                        "disclosed_share"]}, ctx.k)


def _share(row, col):
    return row[col] / row["twin_assets"] if row["twin_assets"] else None


c1, c2, c3, c4 = st.columns(4)
ui.metric(c1, "Twin images", now["twin_assets"], before["twin_assets"], "{:,.0f}", ctx=ctx)
ui.metric(c2, "Used without a valid licence", _share(now, "unlicensed_assets"),
          _share(before, "unlicensed_assets"), "{:.1%}", share=True, ctx=ctx)
ui.metric(c3, "Watermarked", now["watermarked_share"], before["watermarked_share"], "{:.1%}",
          share=True, ctx=ctx)
ui.metric(c4, "Disclosed as AI", now["disclosed_share"], before["disclosed_share"], "{:.1%}",
          share=True, ctx=ctx)
st.caption(ui.headline_caption(ctx) + " A use is licensed when a licence covers its twin, "
           "brand, day, channel and region and was not revoked · " + ui.METHODOLOGY_LINK)

if monthly.empty:
    ui.empty_state("No twin use matches these filters: nothing to check against licences.")
else:
    ui.chart(ctx, charts.consent_over_time(monthly, data.events()), monthly, sources=SOURCES,
             key="consent-monthly")
    left, right = st.columns(2)
    with left:
        ui.chart(ctx, charts.unlicensed_reasons(reasons), reasons, sources=SOURCES,
                 key="consent-reasons")
    with right:
        ui.chart(ctx, charts.compliance_by_brand(brands), brands, sources=SOURCES,
                 key="consent-brands")

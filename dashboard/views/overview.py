"""Overview: the key numbers and a few sentences of findings written from the data."""

import streamlit as st

from dashboard import findings, interval, keynumbers, ui

HEADLINES = ("twin-share", "shoot-days", "displaced-estimate", "crew-days")

ctx = ui.setup("Twin Impact: what AI twins do to fashion work",
               uses=("period", "brand", "channel", "region"))
f = ctx.f
st.caption(ui.headline_caption(ctx) + " " + ui.METHODOLOGY_LINK)

# every frame comes disclosed (dashboard.disclosure): a figure about too few people is NaN
got = ui.fetch(ctx, ("displacement_totals", ctx.hf), ("crew_totals", ctx.hf),
               ("model_income_totals", ctx.hf), ("consent_totals", ctx.hf),
               ("crew_by_role", ctx.hf), ("twin_share_by_half", f), ("displacement_estimates", f),
               headlines=ui.headline_calls(ctx, HEADLINES), showing=("overview-twin-share",))
disp, crew, income, consent, by_role, halves, est = got.frames
year = interval.headline_year(f)
estimate = interval.for_year(est, year)
moved = keynumbers.turnover(disp)  # brands that entered or left between the two periods
disp, crew, income, consent = (x.iloc[0] for x in (disp, crew, income, consent))

ui.headlines(ctx, HEADLINES, got)
if moved:
    st.caption(ui.plain(moved))

st.subheader("What the data says")
sentences = findings.sentences(halves, disp, crew, findings.top_role(by_role), income,
                               consent, ui.period_text(ctx.hf, ctx.known),
                               currency=ctx.currency, unapplied=findings.ignored(f),
                               # the year's estimate is said under its headline, not again
                               estimate="" if estimate else None)
if sentences:
    st.markdown("\n".join(f"- {s}" for s in sentences))
else:
    ui.empty_state("Not enough data in this selection to say anything yet: widen the period "
                   "or remove filters.")
if ctx.simulated:
    st.caption(":orange[These findings describe the **simulated** demo industry.]")

ui.figure(ctx, "overview-twin-share", got)

"""Displacement: twin share by channel, shoot days against the no-twin expectation, crew, brands."""

import streamlit as st

from dashboard import keynumbers, ui

HEADLINES = ("twin-share", "displaced-estimate", "displaced-upper", "cancelled-for-twin")

ctx = ui.setup("Displacement: shoots replaced by twins",
               uses=("period", "brand", "channel", "region", "role"))
f = ctx.f
# every frame comes disclosed (dashboard.disclosure): a figure about too few people is NaN
got = ui.fetch(ctx, ("displacement_totals", ctx.hf), ("displacement_estimates", f),
               headlines=ui.headline_calls(ctx, HEADLINES),
               showing=("displacement-share-by-channel", "displacement-shoot-days",
                        "displacement-crew-by-role", "displacement-brands",
                        "displacement-event-study"))
disp, est = got.frames
moved = keynumbers.turnover(disp)  # brands that entered or left between the two periods
# the year's estimate is said under its headline (keynumbers: interval.sentence)
ui.headlines(ctx, HEADLINES, got)
# shoots and twin use have no role (keynumbers.SHOOTS)
headline_note = ui.unapplied_note(f, keynumbers.SHOOTS)
st.caption(ui.headline_caption(ctx) + (f" Headline numbers: {headline_note}." if headline_note
                                       else "") + " " + ui.METHODOLOGY_LINK)
if moved:
    st.caption(ui.plain(moved))

ui.figure(ctx, "displacement-share-by-channel", got)
ui.figure(ctx, "displacement-shoot-days", got)

left, right = st.columns(2)
with left:
    ui.figure(ctx, "displacement-crew-by-role", got)
with right:
    ui.figure(ctx, "displacement-brands", got)

st.subheader("Estimates with their 95% intervals")
st.markdown("The **difference in differences** (DiD) is the shortfall of shoot days against "
            "brands that use no twins; the **upper bound** is what the twin images would "
            "have cost in shoot days had every one replaced shoot output. The DiD can exceed "
            "the bound only when shoots fell for other reasons too; the note then says so. A "
            "year is *not estimable* when fewer than 3 control brands were observed, or fewer "
            "than 3 pre-twin months with them (the brand's scatter cannot be measured). The "
            "interval allows for shocks that last several months (rho); the pre-trend test "
            "and the breakdown M̄ say how far the comparison held before the first twin use.")
# (the estimates' sentence: the joint pre-trend test, interval.pretrend_sentence)
ui.figure(ctx, "displacement-estimates", got)
ui.figure(ctx, "displacement-event-study", got)
ui.figure(ctx, "displacement-breakdown", got)

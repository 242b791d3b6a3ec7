"""Displacement: twin share by channel, shoot days against the no-twin expectation, crew, brands."""

import streamlit as st

from dashboard import charts, data, interval, report, ui

ctx = ui.setup("Displacement: shoots replaced by twins",
               uses=("period", "brand", "channel", "region", "role"))
f = ctx.f
SOURCES = "bookings and twin-usage exports (marts.displacement_monthly)"
# every frame comes disclosed (dashboard.disclosure): a figure about too few people is NaN
disp, share, expected, crew, brands, est, events = data.fetch(
    ("displacement_totals", ctx.hf), ("twin_share_by_channel", f),
    ("shoot_days_vs_expected", f), ("crew_by_role", f), ("brands_ranked", f),
    ("displacement_estimates", f), ("event_study", f))
year = interval.headline_year(f)
estimate = interval.for_year(est, year)
# shoots and twin use have no role; crew figures have no channel (marts.crew_impact_monthly)
SHOOTS, CREW = ("brand", "channel", "region"), ("brand", "region", "role")
moved = report.turnover(disp)  # brands that entered or left between the two periods
disp, disp0 = ui.pair(disp)
c1, c2, c3, c4 = st.columns(4)
ui.metric(c1, "Twin share of images", disp["twin_share"], disp0["twin_share"], "{:.1%}",
          share=True, ctx=ctx)
c2.metric(f"Shoot days displaced in {year} (DiD, 95% interval)", interval.short(estimate),
          help="Difference in differences against brands that use no twins, summed over the "
               "year's observed months, with its 95% interval; all channels. "
               + (interval.row(estimate) if estimate else ""))
ui.metric(c3, "Upper bound", disp["displaced_upper"], disp0["displaced_upper"], "{:,.0f}",
          ctx=ctx, help="Twin images ÷ the brand-channel's pre-twin images per shoot day.")
ui.metric(c4, "Days cancelled, 'replaced by twin'", disp["cancelled_for_twin_days"],
          disp0["cancelled_for_twin_days"], "{:,.0f}", ctx=ctx)
headline_note = ui.unapplied_note(f, SHOOTS)
st.markdown(ui.plain(interval.sentence(estimate, year, channel_filtered=bool(f.channel))
                     or "No displacement estimate for this selection."))
st.caption(ui.headline_caption(ctx) + (f" Headline numbers: {headline_note}." if headline_note
                                       else "") + " " + ui.METHODOLOGY_LINK)
if moved:
    st.caption(ui.plain(moved))

ui.chart(ctx, charts.twin_share_by_channel(share, data.events()), share, sources=SOURCES,
         key="displacement-share-by-channel", note=ui.unapplied_note(f, SHOOTS))

ui.chart(ctx, charts.shoot_days_vs_expected(expected, data.events()), expected, sources=SOURCES,
         key="displacement-shoot-days",
         note="; ".join(n for n in (
             "expected = actual + displaced days; the gap between the blue and orange lines "
             "is the difference-in-differences estimate, the dashed line the upper bound",
             ui.unapplied_note(f, SHOOTS)) if n))

left, right = st.columns(2)
with left:
    crew_note = ui.unapplied_note(f, CREW)
    if crew.empty:
        ui.empty_state("No crew bookings match these filters.")
    else:
        ui.chart(ctx, charts.by_role_bars(
            crew, "displaced_crew_days",
            "Crew days displaced, by role" + (" (all channels)" if crew_note else ""),
            "crew days"), crew, sources="booking-crew exports (marts.crew_impact_monthly)",
            key="displacement-crew-by-role", note=crew_note)
with right:
    ui.chart(ctx, charts.brands_ranked(brands), brands, sources=SOURCES,
             key="displacement-brands", note=ui.unapplied_note(f, SHOOTS))

st.subheader("Estimates with their 95% intervals")
st.markdown("The **difference in differences** (DiD) is the shortfall of shoot days against "
            "brands that use no twins; the **upper bound** is what the twin images would "
            "have cost in shoot days had every one replaced shoot output. The DiD can exceed "
            "the bound only when shoots fell for other reasons too; the note then says so. A "
            "year is *not estimable* when fewer than 3 control brands were observed, or fewer "
            "than 3 pre-twin months with them (the brand's scatter cannot be measured). The "
            "interval allows for shocks that last several months (rho); the pre-trend test "
            "and the breakdown M̄ say how far the comparison held before the first twin use.")
if est.empty:
    ui.empty_state("No adopting brand in this selection: nothing to estimate.")
else:
    shown = est.assign(
        estimate=[interval.row(r) for r in est.to_dict("records")],
        crew_days_estimate=[interval.row(r, "crew days", "crew_days")
                            for r in est.to_dict("records")])
    shown = shown[["scope", "year", "estimate", "upper", "crew_days_estimate", "did", "did_low",
                   "did_high", "crew_days", "crew_days_low", "crew_days_high", "crew_income",
                   "crew_income_low", "crew_income_high", "months_observed", "control_brands",
                   "estimable", "note", "rho", "pretrend_p", "breakdown_m",
                   *(["suppressed"] if "suppressed" in est else [])]]
    ui.table(ctx, shown, sources="marts.displacement_estimates (all channels; "
             "ALL = every adopting brand together)", key="displacement-estimates")
ui.chart(ctx, charts.event_study(events), events,
         sources="marts.displacement_event_study (months since each brand's first twin use)",
         key="displacement-event-study",
         note="shaded: months before the first twin use (placebo: the true effect is 0); "
              "dotted: the simultaneous 95% band (every month inside it at once); months "
              "count from each brand's first twin use, whatever the period chosen")
pretrend = interval.pretrend_sentence(est)
if pretrend:
    st.markdown(ui.plain(pretrend))
ui.chart(ctx, charts.breakdown(est), est, sources="marts.displacement_estimates (breakdown_m)",
         key="displacement-breakdown",
         note="relative magnitudes (after Rambachan and Roth): the 95% interval widened by M̄ × "
              "the largest pre-adoption deviation in every month after adoption first "
              "includes 0 at the bar's height; above the dashed line, a violation as large as "
              "any seen before adoption would not overturn the estimate")

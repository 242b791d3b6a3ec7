"""Brand report: one brand's workforce impact, and the same as a downloadable HTML report."""

from dataclasses import replace

import streamlit as st

from dashboard import charts, data, privacy, report, signin, ui

SHORT = {0: "Twin share of images", 3: "Shoot days displaced (DiD)", 6: "Crew days displaced",
         8: "Twin images licensed"}

# The brand is chosen here (one at a time), not in the sidebar; it still lives in the URL.
ctx = ui.setup("Brand report: one brand's workforce impact", uses=("period",))
f = ctx.f
if not ctx.known.brands:
    ui.empty_state("No brands in the warehouse yet.")
    st.stop()
ranked = data.fetch(("brands_ranked", replace(f, brand=())))[0]
if f.brand:
    current = f.brand[0]
else:  # open on the brand whose twins displaced the most shoot days
    current = ranked["brand_id"].iloc[0] if not ranked.empty else ctx.known.brands[0]
brand = st.selectbox("Brand", ctx.known.brands, index=ctx.known.brands.index(current))
if (brand,) != f.brand:
    st.query_params["brand"] = brand
bf, bhf = replace(f, brand=(brand,)), replace(ctx.hf, brand=(brand,))
st.caption(ui.headline_caption(ctx) + " " + ui.METHODOLOGY_LINK)
adoption = ranked.set_index("brand_id")["adoption_month"].get(brand)
if adoption is None or adoption != adoption:  # None or NaN: never used a twin
    st.info(f"{brand} has not used a digital twin in the data: nothing was displaced by twins.",
            icon=":material/info:")
else:
    st.markdown(f"**{brand}** first used a digital twin in **{adoption}**.")

numbers, expected, crew = data.fetch(("brand_numbers", bhf, ctx.k),
                                     ("shoot_days_vs_expected", bf), ("crew_by_role", bhf))
shown = numbers.assign(
    this_period=[report._fmt(v, kd) for v, kd in zip(numbers["value"], numbers["kind"],
                                                      strict=True)],
    previous_period=[report._fmt(v, kd) for v, kd in zip(numbers["previous"], numbers["kind"],
                                                         strict=True)],
)[["metric", "this_period", "previous_period"]]
cols = st.columns(4)
for col, i in zip(cols, (0, 3, 6, 8), strict=True):
    r = numbers.iloc[i]
    ui.metric(col, SHORT[i], r["value"], r["previous"],
              "{:.1%}" if r["kind"] == "pct" else "€{:,.0f}" if r["kind"] == "eur" else "{:,.0f}",
              share=r["kind"] == "pct", ctx=ctx)
ui.table(ctx, shown, sources="marts.displacement_monthly, marts.crew_impact_monthly, "
                             "marts.consent_monthly", key=f"brand-{brand}-numbers")

ui.chart(ctx, charts.shoot_days_vs_expected(expected, data.events()), expected,
         sources="bookings and twin-usage exports (marts.displacement_monthly)",
         key=f"brand-{brand}-shoot-days")
crew = privacy.suppress(crew,
                        {"people": ["crew_days", "crew_income", "displaced_crew_days",
                                    "displaced_crew_income"]}, ctx.k)
ui.chart(ctx, charts.by_role_bars(crew, "displaced_crew_days", f"Crew days displaced at "
                                  f"{brand}, by role, {ui.period_label(bhf)}", "crew days"),
         crew,
         sources="booking-crew exports (marts.crew_impact_monthly)", key=f"brand-{brand}-crew")

st.subheader("Download the report")
st.markdown("One self-contained HTML file (charts included, opens without a network), with "
            "the method and the provenance of the data. The same file comes from "
            f"`twinimpact report --brand {brand} --from {bhf.from_month} --to {bhf.to_month} "
            "--out report.html`.")
# The file (plotly.js inlined, ~5 MB) is only built when the button is pressed.


_aud = data.audience()


def _export() -> bytes:
    """The report file, its export recorded in the audit log (CONTRACT §7)."""
    with data.pinned(_aud):  # runs outside this session's script run (see data.pinned)
        body = data.get("brand_html", bhf, ctx.k).encode("utf-8")
        signin.record_export(f"brand {bhf.brand[0]} {bhf.from_month} to {bhf.to_month}")
    return body


st.download_button(f"Download the {brand} report (HTML)", _export,
                   file_name=f"twinimpact-{brand}-{bhf.from_month}-{bhf.to_month}.html",
                   mime="text/html", key="dl-brand-report", on_click="ignore", type="primary")

"""Employment: the union survey by role and area, and the BLS figures with their caveats."""

import streamlit as st

from dashboard import charts, data, privacy, ui

ctx = ui.setup("Employment: how many people work in each role", uses=("role", "region"))
f = ctx.f
EARN = ["employed", "median_earnings", "mean_earnings"]

survey, bls = data.fetch(("employment_survey", f), ("employment_bls", f))
survey = privacy.suppress(survey, {"employed": EARN}, ctx.k)
st.subheader("Union survey")
if survey.empty:
    ui.empty_state("No survey figures match these filters. Load a `crew-employment` file "
                   "(union or statistics-office survey) to fill this page.")
else:
    latest = survey["period"].max()
    cur = survey[survey["period"] == latest]
    c1, c2 = st.columns(2)
    c1.metric(f"People in the survey, {latest}", f"{cur['employed'].sum(min_count=1):,.0f}")
    c2.metric("Areas covered", f"{survey['area'].nunique()}")
    # exactly what the chart draws: one row per role, areas summed
    hidden = cur["suppressed"].ne("") if "suppressed" in cur.columns else False
    shown = cur.assign(hidden=hidden).groupby(
        "role", as_index=False).agg(employed=("employed", lambda s: s.sum(min_count=1)),
                                    areas=("area", "nunique"), hidden=("hidden", "any"))
    shown.insert(0, "period", latest)
    if ctx.k is not None:
        shown["suppressed"] = shown.pop("hidden").map(
            {True: f"areas with fewer than {ctx.k} people left out", False: ""})
    else:
        shown = shown.drop(columns="hidden")
    ui.chart(ctx, charts.employment_by_role(shown, latest), shown,
             sources=", ".join(sorted(survey["source"].unique())) + " (marts.employment)",
             key="employment-survey",
             note="earnings as published: each row keeps its own currency and basis")
    with st.expander(f"Every survey row ({len(survey):,}: period × area × role)"):
        ui.table(ctx, survey, sources="marts.employment", key="employment-survey-rows")

st.subheader("US Bureau of Labor Statistics (real published figures)")
st.warning(
    "**Read with care.** OEWS counts *employees* only, not the self-employed — and most "
    "models and shoot crew are freelance, so these figures undercount them. The Models "
    "estimate has a relative standard error of 21.2%. BLS changed occupation coding and "
    "method around 2021, so years on either side are not strictly comparable.", icon=":material/straighten:")
if bls.empty:
    ui.empty_state("No BLS figures are loaded. `twinimpact demo` loads the shipped reference "
                   "figures; `twinimpact fetch-bls` fetches more.")
else:
    ui.chart(ctx, charts.bls_employment(bls), bls,
             sources="US Bureau of Labor Statistics, Occupational Employment and Wage "
                     "Statistics (public domain), bls.gov/oes", key="employment-bls", real=True)
    st.dataframe(bls, hide_index=True)

"""Income: models' income from shoots and twins, its distribution, and crew income by role."""

import streamlit as st

from dashboard import charts, data, privacy, ui

ctx = ui.setup("Income: who earns from shoots and from twins",
               uses=("period", "brand", "region", "role"))
f = ctx.f
st.caption(ui.headline_caption(ctx) + " Models' income covers every model (brand and region "
           "filters do not apply to it); crew income follows all filters. "
           + ui.METHODOLOGY_LINK)

inc, monthly, dist, crew = data.fetch(
    ("model_income_totals", ctx.hf), ("model_income_over_time", f),
    ("income_distribution", f), ("crew_income_by_year_role", f))
inc, inc0 = ui.pair(inc)
total, total0 = inc["shoot_income"] + inc["twin_income"], inc0["shoot_income"] + inc0["twin_income"]
c1, c2, c3 = st.columns(3)
ui.metric(c1, "Models' income from shoots", inc["shoot_income"], inc0["shoot_income"], "€{:,.0f}",
          ctx=ctx)
ui.metric(c2, "Models' income from twins", inc["twin_income"], inc0["twin_income"], "€{:,.0f}",
          ctx=ctx)
ui.metric(c3, "Twin share of models' income", inc["twin_income"] / total if total else None,
          inc0["twin_income"] / total0 if total0 else None, "{:.1%}", share=True, ctx=ctx)

monthly = privacy.suppress(monthly,
                           {"models_shoot": ["shoot_income"], "models_twin": ["twin_income"]},
                           ctx.k)
ui.chart(ctx, charts.model_income(monthly, data.events()), monthly,
         sources="booking-crew (role model) and twin-usage exports (marts.model_income_monthly)",
         key="income-models-monthly")

st.subheader("How income is shared between models")
if ctx.k is not None:  # the top 10% and the 90th percentile are a tenth of the cohort
    dist = dist.assign(top_group=-(-dist["models"] // 10))
dist = privacy.suppress(dist, {"models": ["median_income", "p90_income", "top10_share", "gini"],
                               "top_group": ["p90_income", "top10_share"]} if ctx.k else {},
                        ctx.k)
years = sorted(dist["year"].unique().tolist()) if not dist.empty else []
if not years:
    ui.empty_state("No model income in this period.")
else:
    # open on the latest complete year: a half year is not comparable with whole ones
    last_month = ctx.f.to_month or ""
    default = len(years) - 1
    if len(years) > 1 and not last_month.endswith("-12"):
        default -= 1
    year = st.selectbox("Year for the Lorenz curve", years, index=default,
                        format_func=lambda y: f"{y}" if y != years[-1] or last_month.endswith(
                            "-12") else f"{y} (to {last_month})")
    curve = data.get("lorenz", int(year))
    curve = privacy.coarse_lorenz(curve, ctx.k)
    left, right = st.columns(2)
    with left:
        ui.chart(ctx, charts.lorenz(curve, int(year)), curve,
                 sources="marts.model_income_monthly (shoots + twins per model per year)",
                 key="income-lorenz")
    with right:
        ui.chart(ctx, charts.distribution_by_year(
            dist, "gini", "Inequality of models' yearly income (Gini)", "Gini (0 = equal)"),
                 dist, sources="marts.income_distribution_yearly", key="income-distribution")
        ui.chart(ctx, charts.distribution_by_year(
            dist, "top10_share", "Share of income earned by the top 10% of models",
            "top-10% share"), dist, sources="marts.income_distribution_yearly",
            key="income-top10")

crew = privacy.suppress(crew,
                        {"people": ["crew_days", "crew_income", "displaced_crew_income"]}, ctx.k)
ui.chart(ctx, charts.crew_income_by_role(crew), crew,
         sources="booking-crew exports (marts.crew_impact_monthly)", key="income-crew-by-role")

"""Income: models' income from shoots and twins, its distribution, and crew income by role."""

import streamlit as st

from dashboard import charts, data, ui

ctx = ui.setup("Income: who earns from shoots and from twins",
               uses=("period", "brand", "region", "role"))
f = ctx.f
# marts.model_income_monthly is month × model: models' income follows the period only
models_note = ui.unapplied_note(f, ())
st.caption(ui.headline_caption(ctx) + " Models' income covers every model"
           + (f" ({models_note.replace('this figure', 'it')})" if models_note else "")
           + "; crew income follows all filters. " + ui.METHODOLOGY_LINK)

# every frame comes disclosed (dashboard.disclosure): a figure about too few people is NaN
inc, monthly, dist, crew = data.fetch(
    ("model_income_totals", ctx.hf), ("model_income_over_time", f),
    ("income_distribution", f), ("crew_income_by_year_role", f))
inc, inc0 = ui.pair(inc)
total, total0 = inc["shoot_income"] + inc["twin_income"], inc0["shoot_income"] + inc0["twin_income"]
c1, c2, c3 = st.columns(3)
ui.metric(c1, "Models' income from shoots", inc["shoot_income"], inc0["shoot_income"],
          ctx.money_format, ctx=ctx)
ui.metric(c2, "Models' income from twins", inc["twin_income"], inc0["twin_income"],
          ctx.money_format, ctx=ctx)
ui.metric(c3, "Twin share of models' income", inc["twin_income"] / total if total else None,
          inc0["twin_income"] / total0 if total0 else None, "{:.1%}", share=True, ctx=ctx)

ui.chart(ctx, charts.model_income(monthly, data.events(), currency=ctx.currency), monthly,
         sources="booking-crew (role model) and twin-usage exports (marts.model_income_monthly)",
         key="income-models-monthly", note=models_note)

st.subheader("How income is shared between models")
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
    left, right = st.columns(2)
    with left:
        ui.chart(ctx, charts.lorenz(curve, int(year)), curve,
                 sources="marts.model_income_monthly (shoots + twins per model per year)",
                 key="income-lorenz", note=models_note)
    with right:
        ui.chart(ctx, charts.distribution_by_year(
            dist, "gini", "Inequality of models' yearly income (Gini)", "Gini (0 = equal)"),
                 dist, sources="marts.income_distribution_yearly", key="income-distribution",
                 note=models_note)
        ui.chart(ctx, charts.distribution_by_year(
            dist, "top10_share", "Share of income earned by the top 10% of models",
            "top-10% share"), dist, sources="marts.income_distribution_yearly",
            key="income-top10", note=models_note)

ui.chart(ctx, charts.crew_income_by_role(crew, currency=ctx.currency), crew,
         sources="booking-crew exports (marts.crew_impact_monthly)", key="income-crew-by-role")

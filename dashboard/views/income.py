"""Income: models' income from shoots and twins, its distribution, and crew income by role."""

import streamlit as st

from dashboard import ui

HEADLINES = ("models-shoot-income", "models-twin-income", "models-twin-share")

ctx = ui.setup("Income: who earns from shoots and from twins",
               uses=("period", "brand", "region", "role"))
f = ctx.f
# marts.model_income_monthly is month × model: models' income follows the period only
models_note = ui.unapplied_note(f, ())
st.caption(ui.headline_caption(ctx) + " Models' income covers every model"
           + (f" ({models_note.replace('this figure', 'it')})" if models_note else "")
           + "; crew income follows all filters. " + ui.METHODOLOGY_LINK)

# every frame comes disclosed (dashboard.disclosure): a figure about too few people is NaN
got = ui.fetch(ctx, ("income_distribution", f),
               headlines=ui.headline_calls(ctx, HEADLINES),
               showing=("income-models-monthly", "income-distribution", "income-top10",
                        "income-crew-by-role"))
(dist,) = got.frames
ui.headlines(ctx, HEADLINES, got)

ui.figure(ctx, "income-models-monthly", got)

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
    left, right = st.columns(2)
    with left:
        ui.figure(ctx, "income-lorenz", year=int(year))
    with right:
        ui.figure(ctx, "income-distribution", got)
        ui.figure(ctx, "income-top10", got)

ui.figure(ctx, "income-crew-by-role", got)

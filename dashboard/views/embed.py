"""/embed?chart=KEY&…filters: one chart alone, always public, made to sit in an <iframe>."""

import streamlit as st

from dashboard import data, figures, filters, privacy, ui
from dashboard.audience import public
from etl.errors import UsageError, UserError

# no header, toolbar or sidebar even when the URL lacks ?embed=true
st.html("<style>header[data-testid='stHeader'], [data-testid='stSidebar'], "
        "[data-testid='stSidebarCollapsedControl'] {display: none;} "
        ".block-container {padding-top: 1rem;}</style>")
params = st.query_params.to_dict()
key = params.get("chart", "")
if key not in figures.REGISTRY:
    st.error(f"Unknown chart {ui.plain(repr(key))}. Choose one of: "
             + ui.plain(", ".join(figures.REGISTRY)) + ".")
    st.stop()
if not data.ready():
    st.error("No published warehouse yet.")
    st.stop()
known = data.get("known_values")
f, warnings = filters.parse(params, known)
for w in warnings:  # they quote the URL's values: text, never Markdown
    st.warning(ui.plain(w))
try:
    r = figures.render(data.db(), key, f, public(),
                       {k: params[k] for k in figures.REGISTRY[key].options if k in params})
except (UsageError, UserError) as exc:
    st.error(ui.plain(exc))
    st.stop()
st.plotly_chart(r.built.fig, key=f"embed-{key}", theme=None, config=ui.PLOTLY_CONFIG)
# its sentence and its data as a table, as on the pages (the declaration's summary)
ui.alternative(key, r.built.shown, r.built.summary)
# an embed is always public, whoever serves it (CONTRACT §6)
st.caption(f"Public view: figures about fewer than {r.k} people are suppressed"
           + ("; some in this chart are (blank or marked)."
              if privacy.any_suppressed(r.built.shown) else "."))
st.caption(ui.plain(r.source_line()) + f" · {ui.plain(filters.describe(r.f))} · "
           "[Twin Impact](" + ui.base_url() + ")")

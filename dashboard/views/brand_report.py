"""Brand report: one brand's workforce impact, and the same as a downloadable HTML report."""

import shlex
from dataclasses import replace

import streamlit as st

from dashboard import data, export, keynumbers, pdf, report, signin, ui

HEADLINES = ("twin-share", "displaced-did", "displaced-estimate", "crew-days",
             "licensed-share")

# The brand is chosen here (one at a time), not in the sidebar; it still lives in the URL.
ctx = ui.setup("Brand report: one brand's workforce impact", uses=("period",))
f = ctx.f
if not ctx.known.brands:
    ui.empty_state("No brands in the warehouse yet.")
    st.stop()
ranked = data.fetch(("brand_choices", replace(f, brand=())))[0]
if f.brand:
    current = f.brand[0]
else:  # open on the brand whose twins displaced the most shoot days
    current = ranked["brand_id"].iloc[0] if not ranked.empty else ctx.known.brands[0]
brand = st.selectbox("Brand", ctx.known.brands, index=ctx.known.brands.index(current))
if (brand,) != f.brand:
    st.query_params["brand"] = brand
bf, bhf = replace(f, brand=(brand,)), replace(ctx.hf, brand=(brand,))
# every frame comes disclosed (dashboard.disclosure), fetched at once (the page's threads);
# the key numbers are composed from the disclosed totals (keynumbers.numbers_from)
got = ui.fetch(ctx, *((name, bhf) for name in keynumbers.KEY_QUERIES),
               headlines=ui.headline_calls(ctx, HEADLINES, bf, bhf),
               showing=(("brand-numbers", bhf), ("displacement-estimates", bf),
                        ("brand-shoot-days", bf), ("brand-crew", bhf)))
totals = got.frames
st.caption(ui.headline_caption(ctx) + " " + ui.METHODOLOGY_LINK)
adoption = ranked.set_index("brand_id")["adoption_month"].get(brand)
if adoption is None or adoption != adoption:  # None or NaN: never used a twin
    st.info(f"{ui.plain(brand)} has not used a digital twin in the data: nothing was "
            "displaced by twins.", icon=":material/info:")
else:
    st.markdown(f"**{ui.plain(brand)}** first used a digital twin in **{adoption}**.")

# the year's estimate is said under its headline, the pre-trend test above the estimates
ui.headlines(ctx, HEADLINES, got, bf, bhf)
moved = keynumbers.turnover(totals[0])
ui.figure(ctx, "brand-numbers", got, f=bhf)
if moved:
    st.caption(ui.plain(moved))
ui.figure(ctx, "displacement-estimates", got, f=bf)

ui.figure(ctx, "brand-shoot-days", got, f=bf)
ui.figure(ctx, "brand-crew", got, f=bhf)

st.subheader("Download the report")
# Brands publish for a reporting year: with no period chosen, the last complete calendar year
# in the data (against the year before), as `twinimpact report` does; else the chosen period.
year = report.reporting_year(ctx.known.months) if bhf != bf and not ctx.periods else None
rf = replace(bf, from_month=f"{year}-01", to_month=f"{year}-12") if year else bf
cli = f"--year {year}" if year else f"--from {rf.from_month} --to {rf.to_month}"
st.markdown(f"The report for **{ui.plain(rf.from_month)} to {ui.plain(rf.to_month)}**, compared with "
            f"{ui.plain(ui.previous_label(rf))}: one self-contained HTML file (charts included, opens "
            "without a network) or an A4 PDF, with the method and the provenance of the data. "
            "The same files come from:")
# plain preformatted text (never Markdown; dark on white): Streamlit's highlighted code block
# on its grey background fails WCAG AA contrast
st.text(f"twinimpact report --brand {shlex.quote(brand)} {cli} --out report.html  "
        "# or report.pdf")
name = f"twinimpact-{brand}-{rf.from_month}-{rf.to_month}"
# The file (plotly.js inlined, ~5 MB) is only built when the button is pressed.
_aud = data.audience()
_session = ui.session_id()


def _export(as_pdf: bool) -> bytes:
    """The report file, its export recorded in the audit log (CONTRACT §7). A PDF is printed
    by chromium: through the one renderer (export.RENDERER), busy when it is full."""
    with data.pinned(_aud):  # runs outside this session's script run (see data.pinned)
        text = data.get("brand_html", rf)
        body = export.RENDERER.run(_session, lambda: pdf.html_to_pdf(text)) if as_pdf \
            else text.encode("utf-8")
        signin.record_export(f"brand {rf.brand[0]} {rf.from_month} to {rf.to_month}"
                             f"{' (PDF)' if as_pdf else ''}", _aud)
    return body


st.download_button(f"Download the {ui.plain(brand)} report (HTML)", lambda: _export(False),
                   file_name=f"{name}.html",
                   mime="text/html", key="dl-brand-report", on_click="ignore", type="primary")
# The PDF (A4, page numbers) is printed by chromium from the same HTML, only on a click.
st.download_button(f"Download the {ui.plain(brand)} report (PDF)", lambda: _export(True),
                   file_name=f"{name}.pdf", mime="application/pdf", key="dl-brand-report-pdf",
                   on_click="ignore")

"""Data & method: every load, the quarantine, the checks on references, and METHODOLOGY.md."""

import streamlit as st

from dashboard import data, ui
from etl import config

# the loads' own counts (keynumbers.HEADLINES)
HEADLINES = ("files-loaded", "rows-loaded", "rows-quarantined")
ctx = ui.setup("Data & method: where every number comes from", uses=())
aud = data.audience()

if aud.role == "brand":
    # the loads, the quarantine and the reference checks cover every brand's files
    st.subheader("Loads")
    ui.empty_state("The list of loaded files, the quarantine and the checks on references "
                   "cover every brand's data (file names and row counts), so they are shown "
                   "to union and admin users only. Your figures carry their sources and "
                   "\"data as of\" on every chart.")
else:
    got = ui.fetch(ctx, ("quarantine_summary",), headlines=ui.headline_calls(ctx, HEADLINES),
                   showing=("data-loads", "data-quarantine-summary", "data-quality"))
    (summary,) = got.frames
    ui.headlines(ctx, HEADLINES, got)

    st.subheader("Loads")
    ui.figure(ctx, "data-loads", got)

    st.subheader("Quarantine")
    if aud.person_rows:
        st.markdown("Rows that broke a rule of the data contract are kept aside, never "
                    "dropped: here counted by file and reason (the reason quotes the value).")
    else:
        st.markdown("Rows that broke a rule of the data contract are kept aside, never "
                    "dropped: here counted by file, column and rule. The values themselves "
                    "(which may name people) are shown only in the local single-user mode "
                    "and by `twinimpact quarantine`.")
    if summary.empty:
        ui.empty_state("No rows were quarantined.")
    else:
        ui.figure(ctx, "data-quarantine-summary", got)
        if aud.person_rows:  # the only audience its rows may be shown to
            rows = data.get("quarantine_rows")
            ui.download(rows, "data-quarantine-rows",
                        what="quarantined rows with their values")

    st.subheader("References that do not join")
    st.markdown("Files arrive in any order, so loads do not check references; these rows "
                "loaded but point at something the warehouse does not hold (yet).")
    ui.figure(ctx, "data-quality", got)

st.subheader("Industry events shown on the time charts")
ev = data.events()
st.dataframe(ev, hide_index=True, column_config={
    "date": st.column_config.DateColumn(format="YYYY-MM-DD"),
    "source_url": st.column_config.LinkColumn()})
st.caption("Source: press reports as linked; confidence says whether the fact was read at the "
           "source or quoted elsewhere.")

if config.METHODOLOGY.exists():
    with st.container(border=True):
        text = config.METHODOLOGY.read_text(encoding="utf-8")
        if ctx.currency != "EUR":
            # the simulation's assumptions are in euros; written as "EUR" here, so that no €
            # sign reads as this warehouse's money (reported in another currency)
            text = text.replace("€", "EUR ")
        st.markdown(text)
else:
    ui.empty_state("METHODOLOGY.md is not in this installation.")

if aud.sees_audit:
    from etl import audit
    st.subheader("Audit log")
    st.markdown("Every sign-in, upload and report export: who, with which role, what, and "
                "the result (admins only; `meta.audit` holds it as of the last load).")
    st.dataframe(audit.read(data.db()), hide_index=True, width="stretch")

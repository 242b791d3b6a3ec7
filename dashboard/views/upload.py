"""Upload (admins only, CONTRACT §7): load files through the browser with the loader's every
promise (one atomic publish, skipped when already loaded, nothing changed by a rejected file)
and every option of `twinimpact load`: a column mapping (suggested, saved or pasted, editable,
savable by name), --covers, --encoding, --decimal and --currency. Files are known by their own
names (dashboard/upload_flow.py)."""

import json

import pandas as pd
import streamlit as st

from dashboard import data, export, queries, signin, upload_flow
from dashboard.ui import plain
from etl import audit, config
from etl.contracts import KINDS
from etl.errors import UsageError, UserError
from etl.load import summary_line
from etl.sources.files import SUPPORTED

aud = data.audience()
if not aud.can_upload:  # app.py registers the page only for admins; this is the backstop
    st.error("Only an admin may upload files.")
    st.stop()

st.title("Upload files")
limit = config.max_upload_mb()
st.markdown(f"Loads files exactly as `twinimpact load KIND FILE…` does: checked against the "
            f"data contract, published in one step, and skipped if these bytes were loaded "
            f"before with the same mapping. Formats: {SUPPORTED}. At most {limit} MB a file.")

kind = st.selectbox("Kind of data", KINDS, index=None, placeholder="Choose the kind…")
files = st.file_uploader("Files", accept_multiple_files=True, key="ti_upload_files")

NO_MAP = "none: the files use the contract's column names"
SUGGEST = "suggest one from the first file"
SAVED = "saved: "
options = upload_flow.Options()
if kind and files:
    with st.expander("Load options (as on the command line)"):
        options.covers = st.text_input(
            "Months the files cover (--covers)", placeholder="YYYY-MM..YYYY-MM",
            disabled=kind != "bookings",
            help="bookings only; default: each file's earliest to latest shoot_date")
        options.encoding = st.text_input("Text encoding of CSV/TSV files (--encoding)",
                                         placeholder="utf-8", help="e.g. latin-1, cp1252")
        options.decimal = st.radio("Decimal separator (--decimal)", [".", ","],
                                   horizontal=True)
        options.currency = st.text_input("Reporting currency (--currency)",
                                         placeholder="EUR, or the warehouse's")

    st.subheader("Column mapping")
    st.caption("Real exports rarely use the contract's column names. A mapping renames "
               "columns, maps value labels (\"Wrapped\" → completed), reads dates and numbers "
               "in the file's own format and fills columns the file lacks; a value its maps "
               "do not list is quarantined, never guessed. See README: Load your own data.")
    saved = queries.saved_mappings(data.db(), kind)
    saved_text = dict(zip(saved["name"], saved["text"], strict=True))
    choice = st.selectbox("Mapping", [NO_MAP, SUGGEST, *(SAVED + n for n in saved_text)])
    first = files[0]
    source = (kind, choice, first.name, first.size, options.encoding)
    if st.session_state.get("ti_map_source") != source:  # a new choice fills the box
        st.session_state["ti_map_source"] = source
        text = ""
        if choice == SUGGEST:
            try:
                text = upload_flow.suggest(kind, first.name, first.getvalue(), options.encoding)
            except UserError as exc:
                st.error(plain(f"error: {exc}"))
        elif choice.startswith(SAVED):
            text = saved_text[choice[len(SAVED):]]
        st.session_state["ti_map_text"] = text
    if choice != NO_MAP:
        options.mapping_text = st.text_area("Mapping (TOML): check and edit it before loading",
                                            key="ti_map_text", height=320)
        if choice.startswith(SAVED) and \
                options.mapping_text == saved_text[choice[len(SAVED):]]:
            options.mapping_name = choice[len(SAVED):]
        options.save_as = st.text_input("Save this mapping as (optional, --save-map)",
                                        placeholder="a name such as agency-crew")

if st.button("Load these files", type="primary", disabled=not (kind and files)):
    too_big = [f.name for f in files if f.size > limit * 1024 * 1024]
    names = ", ".join(f.name for f in files)
    who = dict(user=aud.user or "local", role=signin.role_label(aud))
    if too_big:
        st.error(plain(f"error: over the {limit} MB limit: {', '.join(too_big)}; nothing "
                       "loaded."))
        audit.record(data.db(), **who, action="upload", object=f"{kind}: {names}",
                     result="rejected: too big")
        st.stop()
    try:
        with st.spinner("Loading…"):
            results = upload_flow.load_uploads(
                data.db(), kind, [(f.name, f.getvalue()) for f in files], options, **who)
    except (UserError, UsageError) as exc:
        st.error(plain(f"error: {exc}"))
        st.stop()
    for r in results:
        if r["status"] == "rejected":
            st.error(plain(f"error: {r['file']}: {r['error']}"))
        else:
            st.success(plain(summary_line(r)), icon=":material/check:")
    if options.save_as.strip():
        if any(r["status"] != "rejected" for r in results):
            st.success(plain(f"Saved mapping {options.save_as.strip()} for {kind}."),
                       icon=":material/bookmark:")
        else:
            st.warning("The mapping was not saved: no file loaded with it.")
    st.download_button("Summary as JSON lines", "\n".join(
        json.dumps(r, ensure_ascii=False) for r in results).encode(),
        file_name="load-summary.jsonl", mime="application/jsonl")
    quarantined = queries.quarantine_of(data.db(), tuple(r["file"] for r in results))
    if not quarantined.empty:  # the uploader's own rows: an admin supplied them
        st.subheader("Quarantined rows of this upload")
        st.dataframe(quarantined, hide_index=True)
        st.download_button(export.label(quarantined, "quarantined rows"),
                           export.to_csv(quarantined), file_name="quarantine.csv",
                           mime="text/csv")
    st.caption(pd.Timestamp.now(tz="UTC").strftime("Loaded at %Y-%m-%d %H:%M UTC."))

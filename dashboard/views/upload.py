"""Upload (admins only, CONTRACT §7): load files through the browser with the loader's every
promise (one atomic publish, skipped when already loaded, nothing changed by a rejected file)."""

import json

import pandas as pd
import streamlit as st

from dashboard import data, export, signin, uploads
from dashboard.ui import plain
from etl import audit, config
from etl.contracts import KINDS
from etl.errors import UserError
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
            f"before. Formats: {SUPPORTED}. At most {limit} MB a file.")

kind = st.selectbox("Kind of data", KINDS, index=None, placeholder="Choose the kind…")
files = st.file_uploader("Files", accept_multiple_files=True, key="ti_upload_files")


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
            results, quarantined = uploads.load_upload(
                data.db(), kind, [(f.name, bytes(f.getbuffer())) for f in files], **who)
    except UserError as exc:
        st.error(plain(f"error: {exc}"))
        st.stop()
    for r in results:
        if r["status"] == "rejected":
            st.error(plain(f"error: {r['file']}: {r['error']}"))
        else:
            st.success(plain(summary_line(r)), icon=":material/check:")
    st.download_button("Summary as JSON lines", "\n".join(
        json.dumps(r, ensure_ascii=False) for r in results).encode(),
        file_name="load-summary.jsonl", mime="application/jsonl")
    if not quarantined.empty:  # the uploader's own rows: an admin supplied them
        st.subheader("Quarantined rows of this upload")
        st.dataframe(quarantined, hide_index=True)
        st.download_button(export.label(quarantined, "quarantined rows"),
                           export.to_csv(quarantined), file_name="quarantine.csv",
                           mime="text/csv")
    st.caption(pd.Timestamp.now(tz="UTC").strftime("Loaded at %Y-%m-%d %H:%M UTC."))

"""Upload (admins only, CONTRACT §7): load files through the browser with the loader's every
promise (one atomic publish, skipped when already loaded, nothing changed by a rejected file)."""

import json
import re
import shutil
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard import data, export, queries, signin
from etl import audit, config
from etl.contracts import KINDS
from etl.errors import UserError
from etl.load import load_paths, summary_line
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


def _safe_name(name: str) -> str:
    """The file's own name without folders or characters a path could misuse."""
    name = Path(name).name.strip() or "upload"
    return re.sub(r"[^\w.\- ]", "_", name)[:200]


if st.button("Load these files", type="primary", disabled=not (kind and files)):
    too_big = [f.name for f in files if f.size > limit * 1024 * 1024]
    names = ", ".join(f.name for f in files)
    who = dict(user=aud.user or "local", role=signin.role_label(aud), action="upload")
    if too_big:
        st.error(f"error: over the {limit} MB limit: {', '.join(too_big)}; nothing loaded.")
        audit.record(data.db(), **who, object=f"{kind}: {names}", result="rejected: too big")
        st.stop()
    tmp = Path(tempfile.mkdtemp(prefix="twinimpact-upload-"))
    try:
        paths = []
        for i, f in enumerate(files):
            name = _safe_name(f.name)
            folder = tmp / str(i)  # two uploads with one name stay two files
            folder.mkdir()
            p = folder / name
            p.write_bytes(f.getbuffer())
            paths.append(p)
        try:
            with st.spinner("Loading…"):
                results = load_paths(data.db(), kind, paths)
        except UserError as exc:
            st.error(f"error: {exc}")
            audit.record(data.db(), **who, object=f"{kind}: {names}", result=f"error: {exc}")
            st.stop()
        rejected = [r for r in results if r["status"] == "rejected"]
        for r, f in zip(results, files, strict=True):
            shown = {**r, "file": f.name}
            if r["status"] == "rejected":
                st.error(f"error: {f.name}: {r['error']}")
            else:
                st.success(summary_line(shown), icon=":material/check:")
        st.download_button("Summary as JSON lines", "\n".join(
            json.dumps({**r, "file": f.name}, ensure_ascii=False)
            for r, f in zip(results, files, strict=True)).encode(),
            file_name="load-summary.jsonl", mime="application/jsonl")
        quarantined = queries.quarantine_of(data.db(), tuple(str(p) for p in paths))
        if not quarantined.empty:
            original = {str(p): f.name for p, f in zip(paths, files, strict=True)}
            quarantined["file"] = quarantined["file"].map(original)
            st.subheader("Quarantined rows of this upload")
            st.dataframe(quarantined, hide_index=True)
            st.download_button(export.label(quarantined, "quarantined rows"),
                               export.to_csv(quarantined), file_name="quarantine.csv",
                               mime="text/csv")
        result = "ok" if not rejected else f"rejected {len(rejected)} of {len(results)}"
        audit.record(data.db(), **who, object=f"{kind}: {names}", result=result)
        st.caption(pd.Timestamp.now(tz="UTC").strftime("Loaded at %Y-%m-%d %H:%M UTC."))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

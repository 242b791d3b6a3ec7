"""Check an image (public): upload one image and read its content credentials in words.

Nothing is stored: the bytes are read in memory and forgotten, unless an admin chooses to
load the image into the warehouse (the same path as `twinimpact scan-images`)."""

from pathlib import Path

import streamlit as st

from dashboard import credentials, data, signin, ui
from etl import audit, images
from etl.errors import UserError

st.title("Check an image")
limit = credentials.max_mb()
st.markdown(
    "Does a published image say, in a machine-readable way, that it was made with AI? "
    "Upload one image (JPEG, PNG or WebP; AVIF and HEIC where the reader supports them; at "
    f"most {limit} MB). It is read here and **not stored**. The page reads its **content "
    "credentials** (a C2PA manifest, signed by whoever made or edited the image) and its "
    "**IPTC digital source type** (a metadata label). The EU AI Act (Article 50) asks "
    "providers of generative AI to mark their output this way.")

if data.audience().public:
    st.caption("Public mode: this page reads only the image you upload and shows no stored "
               "figures.")

upload = st.file_uploader("Image", type=[e.lstrip(".") for e in images.EXTENSIONS],
                          key="ti_check_image")
row = None
if upload is not None:
    if upload.size > limit * 1024 * 1024:
        st.error(f"error: the image is over the {limit} MB this page reads; nothing was read.")
    else:
        data_bytes = upload.getvalue()
        anchors, trust_note = credentials.anchors()
        try:
            row = images.check(data_bytes, anchors)
        except images.Unreadable as exc:
            st.error(ui.plain(f"error: this file cannot be checked: {exc}."))

if row is not None:
    st.subheader("What the image says")
    # the verdict and findings quote the file's own metadata (signer, tool): text, never Markdown
    st.markdown("**" + ui.plain(credentials.verdict(row)) + "**")
    st.markdown("\n".join("- " + ui.plain(s) for s in credentials.findings(row)))
    st.caption(trust_note)
    pairs = credentials.free_text(row)
    if pairs:
        st.markdown("**As written in the image** (shown exactly as text; not verified unless "
                    "the signer is trusted):")
        # free text from the image goes into a text element, not Markdown: it shows exactly
        # as written (ui.plain would add invisible word joiners inside addresses) and never as
        # a link, an image, HTML or formatting.
        st.text("\n".join(f"{label}: {value}" for label, value in pairs))
    left, _ = st.columns([1, 3])
    left.image(data_bytes, caption="The image checked", width=160)

    aud = data.audience()
    if aud.can_upload:
        st.subheader("Load it into the warehouse (admins)")
        st.markdown("Adds this image's checks to the image-checks data, as `twinimpact "
                    "scan-images` would, with the links below. Nothing is stored otherwise.")
        brand = st.text_input("brand_id (optional)", key="ti_check_brand").strip()
        usage = st.text_input("usage_id (optional)", key="ti_check_usage").strip()
        if st.button("Load this image", key="ti_check_load"):
            who = dict(user=aud.user or "local", role=signin.role_label(aud),
                       action="upload", object=f"image-checks: {row['sha256']}")
            try:
                result = credentials.load(data.db(), data_bytes, Path(upload.name).suffix,
                                          brand=brand, usage_id=usage,
                                          trust=credentials.trust_path() if anchors else None)
            except UserError as exc:
                st.error(ui.plain(f"error: {exc}"))
                audit.record(data.db(), **who, result=f"error: {exc}")
            else:
                st.success(ui.plain(f"{result['status']}: image-checks, {result['inserted']} "
                                    f"inserted, {result['updated']} updated, "
                                    f"{result['unchanged']} unchanged."),
                           icon=":material/check:")
                audit.record(data.db(), **who, result=result["status"])

st.subheader("Sources and caveats")
st.markdown(
    "- Content credentials are read and validated by the Content Authenticity Initiative's "
    "open-source library (`c2pa-python`), offline: nothing is sent anywhere.\n"
    "- **A missing label proves nothing.** Most software strips metadata and credentials "
    "when it re-saves, resizes or screenshots an image; many generators write none.\n"
    "- **A label can be added by anyone.** IPTC metadata is unsigned. Content credentials "
    "are signed, but a signer is only *trusted* when its certificate chains to a trust list "
    "configured here; otherwise the signer's name is just what the certificate says.\n"
    "- **Invalid credentials** mean the image or its manifest changed after signing, "
    "whatever the change was (an edit, a re-compression, a forgery).\n"
    "- What the image says about AI training is the signer's statement of permission, not a "
    "licence. " + ui.METHODOLOGY_LINK)

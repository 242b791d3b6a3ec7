"""Consent and rights: licensed against unlicensed twin images, the reasons, and the ten
rights a union bargains for, scored per brand and over time."""

import streamlit as st

from dashboard import public, rights, ui

HEADLINES = ("consent-images", "unlicensed-share", "watermarked-share", "disclosed-share")
ctx = ui.setup("Consent and rights: were twins used with consent, on fair terms?",
               uses=("period", "brand", "region"))
f = ctx.f
# every frame is suppressed for the audience by dashboard.disclosure (models behind a figure)
got = ui.fetch(ctx, ("rights_scorecard", f), ("consent_over_time", f),
               ("image_checks_by_brand", f), headlines=ui.headline_calls(ctx, HEADLINES),
               showing=("consent-rights", "consent-rights-brands", "consent-rights-trend",
                        "consent-monthly", "consent-reasons", "consent-brands",
                        "consent-image-checks"))
card, monthly, checks = got.frames
ui.headlines(ctx, HEADLINES, got)
st.caption(ui.headline_caption(ctx) + " A use is licensed when a licence covers its twin, "
           "brand, day, channel and region and was not revoked · " + ui.METHODOLOGY_LINK)

# ---- the ten rights -----------------------------------------------------------------------
years = rights.years_label(f)
st.subheader(f"Rights scorecard, {years}")
st.markdown("What performers' unions ask of a digital-replica licence (Equity's AI Vision "
            "Statement; New York's Fashion Workers Act): consent to each use, personal, "
            "non-exclusive and time-limited licences, transparency, fair pay. Each twin image "
            "is **met**, **not met** or **unknown** for each right. Unknown — a term the licence "
            "does not state, a licence that was never loaded, a model with no earlier shoots "
            "to compare pay with — is never counted as met.")
if card.empty:
    ui.empty_state(public.explain(card) or "No twin use in these years: nothing to score.")
else:  # (the scorecard's summary names the widest gaps: rights.worst_gaps)
    ui.figure(ctx, "consent-rights", got)
    ui.figure(ctx, "consent-rights-brands", got)
    ui.figure(ctx, "consent-rights-trend", got)
    with st.expander("What each right means"):
        st.table({"right": [rights.RIGHT_NAMES[r].split(" (")[0] for r in rights.DEFINITIONS],
                  "met when": list(rights.DEFINITIONS.values())})

# ---- licences over time -------------------------------------------------------------------
st.subheader("Licences over time")
if monthly.empty:
    ui.empty_state("No twin use matches these filters: nothing to check against licences.")
else:
    ui.figure(ctx, "consent-monthly", got)
    left, right = st.columns(2)
    with left:
        ui.figure(ctx, "consent-reasons", got)
    with right:
        ui.figure(ctx, "consent-brands", got)

# ---- checked in the images (scan-images) --------------------------------------------------
st.subheader("Disclosed as AI: what the images say against what the brands claim")
st.markdown("The usage exports say themselves whether each twin image was disclosed as AI. "
            "`twinimpact scan-images` reads the published images: their content credentials "
            "(C2PA) and IPTC labels say whether the image itself declares generative AI. "
            "Where both exist for the same use they should agree.")
if checks.empty:
    ui.empty_state(public.explain(checks) or (
        "No published image of these brands and months has been checked: "
        "`twinimpact scan-images FOLDER --map links.csv` reads them."))
else:  # its summary says, brand by brand, whether checked and claimed agree
    ui.figure(ctx, "consent-image-checks", got)
    st.caption("A missing label proves nothing about how an image was made: metadata can be "
               "stripped by any re-save. Only a sample of images is usually checked; the "
               "rights scorecard counts images nobody checked as unknown. "
               + ui.METHODOLOGY_LINK)

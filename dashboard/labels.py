"""Role, channel and reason codes as words, for charts, tables and reports (CSVs keep codes)."""

from __future__ import annotations

import pandas as pd

ROLE = {
    "model": "Model", "photographer": "Photographer", "photo_assistant": "Photo assistant",
    "digital_tech": "Digital technician", "stylist": "Stylist", "hair": "Hair stylist",
    "makeup": "Make-up artist", "hair_makeup": "Hair and make-up", "producer": "Producer",
    "art_director": "Art director", "set_designer": "Set designer", "retoucher": "Retoucher",
    "videographer": "Videographer", "other": "Other role",
}
CHANNEL = {
    "ecommerce": "E-commerce", "campaign": "Campaign", "editorial": "Editorial",
    "lookbook": "Lookbook", "social": "Social media", "other": "Other channel",
}
REASON = {
    "no_licence": "no licence", "no_license": "no licence",
    "not_yet_valid": "before the licence started", "expired": "after the licence expired",
    "revoked": "licence revoked",
    "out_of_scope": "outside the licence's channels or regions",
    "out_of_channel": "outside the licence's channels",
    "out_of_region": "outside the licence's regions",
    "out_of_channels": "outside the licence's channels",
    "out_of_regions": "outside the licence's regions",
    "unknown_licence": "licence not in the data", "unknown_twin": "twin not in the data",
    # booking cancellation reasons
    "replaced_by_twin": "replaced by a twin", "budget": "budget", "schedule": "schedule",
    "weather": "weather",
}
COLUMNS = {"role": ROLE, "channel": CHANNEL, "reason": REASON, "cancel_reason": REASON}


def word(code, kind: str) -> str:
    """One code as words (`photo_assistant` → `Photo assistant`); an unknown code readable."""
    if code is None or (isinstance(code, float) and code != code):
        return ""
    text = str(code)
    if kind in ("reason", "cancel_reason"):  # other reasons are sentences (quarantine): as is
        return COLUMNS[kind].get(text, text)
    return COLUMNS[kind].get(text) or text.replace("_", " ")


def role(code) -> str:
    return word(code, "role")


def channel(code) -> str:
    return word(code, "channel")


def reason(code) -> str:
    return word(code, "reason")


def readable(df: pd.DataFrame) -> pd.DataFrame:
    """The frame with every code column shown as words (for display, never for CSV)."""
    cols = [c for c in COLUMNS if c in df.columns]
    if not cols:
        return df
    return df.assign(**{c: df[c].map(lambda v, c=c: word(v, c)) for c in cols})

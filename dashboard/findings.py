"""Three to five plain sentences of findings, written from the query results."""

from __future__ import annotations

import math

import pandas as pd

CHANNEL_NAMES = {"ecommerce": "e-commerce", "campaign": "campaign", "editorial": "editorial",
                 "lookbook": "lookbook", "social": "social-media", "other": "other"}


ROLE_PLURAL = {"model": "models", "photographer": "photographers",
               "photo_assistant": "photo assistants", "digital_tech": "digital techs",
               "stylist": "stylists", "hair": "hair stylists", "makeup": "make-up artists",
               "hair_makeup": "hair and make-up artists", "producer": "producers",
               "art_director": "art directors", "set_designer": "set designers",
               "retoucher": "retouchers", "videographer": "videographers",
               "other": "other crew"}


def pct(x: float | None, digits: int = 0) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    return f"{100 * x:.{digits}f}%"


def num(x: float | None) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    return f"{x:,.0f}"


def eur(x: float | None) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    if abs(x) >= 1e6:
        return f"€{x / 1e6:,.1f} million"
    return f"€{x:,.0f}"


def halves(monthly: pd.DataFrame) -> pd.DataFrame:
    """twin_share_by_channel rows (month, channel, shoot_assets, twin_assets) summed by
    half-year: half (`2026 H1`), channel, shoot_assets, twin_assets, twin_share, months."""
    if monthly.empty:
        return pd.DataFrame(columns=["half", "channel", "shoot_assets", "twin_assets",
                                     "twin_share", "months"])
    m = pd.to_datetime(monthly["month"])
    d = monthly.assign(half=m.dt.year.astype(str) + " H" + ((m.dt.month > 6) + 1).astype(str))
    out = d.groupby(["half", "channel"], as_index=False).agg(
        shoot_assets=("shoot_assets", "sum"), twin_assets=("twin_assets", "sum"),
        months=("month", "nunique"))
    total = out["twin_assets"] + out["shoot_assets"]
    out["twin_share"] = (out["twin_assets"] / total.where(total > 0)).astype("float64")
    return out


def share_sentence(halves: pd.DataFrame) -> str | None:
    """The channel with the highest twin share in the latest full half-year, against a year before."""
    full = halves[halves["months"] == 6]
    if full.empty:
        return None
    latest = sorted(full["half"].unique())[-1]
    now = full[full["half"] == latest].dropna(subset=["twin_share"])
    if now.empty:
        return None
    top = now.sort_values(["twin_share", "channel"], ascending=[False, True]).iloc[0]
    year, h = latest.split(" ")
    before_half = f"{int(year) - 1} {h}"
    before = halves[(halves["half"] == before_half) & (halves["channel"] == top["channel"])]
    name = CHANNEL_NAMES.get(top["channel"], top["channel"])
    text = f"Twin assets made up {pct(top['twin_share'])} of {name} images in {latest}"
    if not before.empty and pd.notna(before["twin_share"].iloc[0]):
        prev = before["twin_share"].iloc[0]
        direction = "up" if top["twin_share"] >= prev else "down"
        text += f", {direction} from {pct(prev)} a year before"
    return text + "."


def sentences(halves: pd.DataFrame, disp: pd.Series, crew: pd.Series, top_role: str | None,
              income: pd.Series, consent: pd.Series, period: str) -> list[str]:
    """Findings for the period; each sentence only when its numbers exist."""
    out: list[str] = []
    s = share_sentence(halves)
    if s:
        out.append(s)
    if disp["shoot_days"] > 0:
        out.append(
            f"In {period} brands booked {num(disp['shoot_days'])} shoot days; against brands "
            f"that use no twins, about {num(disp['displaced_did'])} more days would have been "
            f"expected without twins (at most {num(disp['displaced_upper'])} if every twin "
            f"image replaced shoot output).")
    if crew["displaced_crew_days"] > 0:
        role = f"; {ROLE_PLURAL.get(top_role, top_role)} lost the most days" if top_role else ""
        out.append(f"That is about {num(crew['displaced_crew_days'])} crew days and "
                   f"{eur(crew['displaced_crew_income'])} of crew income lost{role}.")
    total = income["shoot_income"] + income["twin_income"]
    if total > 0 and income["twin_income"] > 0:
        out.append(f"Models earned {eur(income['twin_income'])} from licensing their twins "
                   f"against {eur(income['shoot_income'])} from shoots: "
                   f"{pct(income['twin_income'] / total, 1)} of their income.")
    if consent["twin_assets"] > 0:
        out.append(f"{pct(consent['unlicensed_assets'] / consent['twin_assets'], 1)} of twin "
                   f"images were used without a valid licence, and "
                   f"{pct(consent['disclosed_share'])} were disclosed as AI-made.")
    return out[:5]

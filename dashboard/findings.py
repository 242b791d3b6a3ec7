"""Three to five plain sentences of findings, written from the query results."""

from __future__ import annotations

import math

import pandas as pd

from dashboard import money
from dashboard.filters import Filters
from dashboard.keynumbers import CONSENT_FOLLOWS, CREW_FOLLOWS, MODELS
from dashboard.text import unapplied

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


def _hidden(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def share_sentence(halves: pd.DataFrame) -> str | None:
    """The channel with the highest twin share shown in the latest full half-year, against a
    year before (`halves`: queries.twin_share_by_half, disclosed; hidden shares are NaN)."""
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


def top_role(by_role: pd.DataFrame) -> str | None:
    """The role that lost the most crew days (crew_by_role), or None: none lost any, or a
    hidden role might have lost more (name none rather than a wrong one)."""
    days = by_role["displaced_crew_days"]
    if days.isna().any() or days.empty or not days.max() > 0:
        return None
    return str(by_role.sort_values("displaced_crew_days", ascending=False,
                                   kind="stable").iloc[0]["role"])


def across(f: Filters, follows: tuple[str, ...]) -> str | None:
    """'all channels and roles': the active filters a figure that follows only `follows`
    ignores, for its sentence; None when it follows every one."""
    missing = unapplied(f, follows)
    return f"all {' and '.join(m + 's' for m in missing)}" if missing else None


def ignored(f: Filters) -> dict[str, str]:
    """figure (`crew`, `income`, `consent`) → the active filters its mart cannot follow."""
    return {name: text for name, text in (
        ("crew", across(f, CREW_FOLLOWS)), ("income", across(f, MODELS)),
        ("consent", across(f, CONSENT_FOLLOWS))) if text}


def sentences(halves: pd.DataFrame, disp: pd.Series, crew: pd.Series, top_role: str | None,
              income: pd.Series, consent: pd.Series, period: str, *, currency: str = "EUR",
              unapplied: dict[str, str] | None = None,
              estimate: str | None = None) -> list[str]:
    """Findings for the period, from disclosed figures: each sentence only when its numbers
    exist; a suppressed number says so, never a guess.

    unapplied: figure (`crew`, `income`, `consent`) → the active filters it does not follow.
    Such a sentence stands alone and says which filters it ignores, so no sentence mixes
    filtered and unfiltered figures."""
    unapplied = unapplied or {}
    out: list[str] = []
    s = share_sentence(halves)
    if s:
        out.append(s)
    if disp["shoot_days"] > 0 and estimate is not None:
        # the yearly estimate carries the DiD with its interval and the bound (interval.py);
        # "" when there is one, said elsewhere (under its headline); None: there is none
        out.append(f"In {period} brands booked {num(disp['shoot_days'])} shoot days.")
        if estimate:
            out.append(estimate)
    elif disp["shoot_days"] > 0:
        upper = "" if _hidden(disp["displaced_upper"]) else \
            f" (at most {num(disp['displaced_upper'])} if every twin image replaced shoot output)"
        booked = f"In {period} brands booked {num(disp['shoot_days'])} shoot days"
        # the DiD is about no people (never suppressed): empty, it does not exist (a month
        # after a brand's first twin use without one, or no brand observed)
        bound = "" if _hidden(disp["displaced_upper"]) else \
            f"; at most {num(disp['displaced_upper'])} were displaced if every twin image " \
            "replaced shoot output"
        out.append(f"{booked}; no difference in differences against brands that use no "
                   f"twins covers them{bound}." if _hidden(disp["displaced_did"]) else
                   f"{booked}; against brands that use no twins, about "
                   f"{num(disp['displaced_did'])} more days would have been expected without "
                   f"twins{upper}.")
    lost = crew["displaced_crew_days"]
    if _hidden(lost):
        out.append(f"Crew days and income lost in {period}: suppressed (fewer than the "
                   "threshold of people behind them).")
    elif lost > 0:
        role = f"; {ROLE_PLURAL.get(top_role, top_role)} lost the most days" if top_role else ""
        days = f"{num(lost)} crew days and " \
               f"{money.fmt(crew['displaced_crew_income'], currency, words=True)} of crew income"
        if "crew" in unapplied:
            out.append(f"Across {unapplied['crew']}, about {days} were lost in {period}{role}.")
        else:
            out.append(f"That is about {days} lost{role}.")
    shoot, twin = income["shoot_income"], income["twin_income"]
    scope = f"Across {unapplied['income']}, models" if "income" in unapplied else "Models"
    if _hidden(twin) or _hidden(shoot):
        out.append(f"{scope}' income from shoots and twins in {period}: suppressed (fewer "
                   "than the threshold of models behind it).")
    elif twin > 0 and shoot + twin > 0:
        out.append(f"{scope} earned {money.fmt(twin, currency, words=True)} from licensing "
                   f"their twins against {money.fmt(shoot, currency, words=True)} from "
                   f"shoots: {pct(twin / (shoot + twin), 1)} of their income.")
    where = f" (across {unapplied['consent']})" if "consent" in unapplied else ""
    if _hidden(consent["twin_assets"]):
        out.append(f"Consent figures for the twin images in {period}{where}: suppressed "
                   "(fewer than the threshold of models behind them).")
    elif consent["twin_assets"] > 0:
        disclosed = "" if _hidden(consent["disclosed_share"]) else \
            f"{pct(consent['disclosed_share'])} were disclosed as AI-made"
        if _hidden(consent["unlicensed_assets"]):
            out.append(f"The share of twin images{where} used without a valid licence is "
                       "suppressed (too few models behind the unlicensed ones)"
                       + (f"; {disclosed}." if disclosed else "."))
        else:
            out.append(f"{pct(consent['unlicensed_assets'] / consent['twin_assets'], 1)} of "
                       f"twin images{where} were used without a valid licence"
                       + (f", and {disclosed}." if disclosed else "."))
    return out[:6]

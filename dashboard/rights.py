"""The rights scorecard in words and in the brand report: pure functions over query results."""

from __future__ import annotations

import html
import math

import pandas as pd

from dashboard import disclosure, privacy, public, queries
from dashboard.audience import Audience
from dashboard.charts import RIGHT_NAMES
from dashboard.filters import Filters

# One line per right, for the page's legend and the report (METHODOLOGY.md has the rules).
DEFINITIONS = {
    "licensed": "a licence for the twin and brand was valid on the day and covered the "
                "channel and region, and was not revoked",
    "time_limited": "the licence the use names ends at most 3 years after it starts",
    "purpose_limited": "that licence names its channels and its regions (not *)",
    "non_exclusive": "that licence says it is not exclusive",
    "no_training": "that licence says the twin may not be used to train AI models",
    "revocation_honoured": "the image was not used on or after the day its licence was revoked",
    "watermarked": "the image was watermarked",
    "disclosed": "the image was disclosed as AI-made (the brand's own usage export says so)",
    "disclosed_checked": "the image itself declares it was made by generative AI (its C2PA "
                         "content credentials or IPTC metadata, read by scan-images); "
                         "unknown for images nobody checked",
    "fair_pay": "the brand paid at least as much per image of the twin, over the year, as the "
                "model earned per image delivered at shoots in the 12 months before the twin "
                "was made",
}


def _pct(x) -> str:
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{100 * x:.1f}%"


def _name(right: str) -> str:
    return RIGHT_NAMES.get(right, right).split(" (")[0]


def worst_gaps(card: pd.DataFrame, years: str, n: int = 3, unknown_from: float = 0.1
               ) -> str | None:
    """Findings: the n rights not met for the largest share of twin images, then the rights
    the data cannot judge for at least `unknown_from` of them (rows suppressed in public mode
    are left out)."""
    shown = card[card["twin_assets"].notna() & (card["twin_assets"] > 0)]
    if privacy.SUPPRESSED_COL in shown.columns:
        shown = shown[shown[privacy.SUPPRESSED_COL].fillna("") == ""]
    if shown.empty:
        return None
    text = f"Of {int(shown['twin_assets'].max()):,} twin images in {years}, "
    worst = shown[shown["share_not_met"] > 0].sort_values(
        ["share_not_met", "right_order"], ascending=[False, True]).head(n)
    if worst.empty:
        text += "every right was met or could not be judged."
    else:
        parts = [f"{_name(r.right)} ({'not met for ' if i == 0 else ''}"
                 f"{_pct(r.share_not_met)})" for i, r in enumerate(worst.itertuples())]
        listed = ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]
        text += f"the widest gaps were {listed}."
    unknown = shown[shown["share_unknown"] >= unknown_from].sort_values(
        ["share_unknown", "right_order"], ascending=[False, True])
    if not unknown.empty:
        text += " Unknown, because the data do not say: " + ", ".join(
            f"{_name(r.right)} {_pct(r.share_unknown)}" for r in unknown.itertuples()) + "."
    return text


def years_label(f: Filters) -> str:
    """The calendar years a period touches (the scorecard is yearly)."""
    a, b = f.start(), f.end()
    if not (a and b):
        return "every year"
    return str(a.year) if a.year == b.year else f"{a.year}–{b.year}"


def brand_scorecard_html(db: queries.Source, f: Filters, aud: Audience) -> str:
    """The report's section for one brand: the ten rights over the years of the period
    (whole years), disclosed for `aud` (suppressed where fewer than k models are behind)."""
    card = disclosure.governed(db, "rights_scorecard", f, aud=aud)
    k = aud.k
    years = years_label(f)
    esc = html.escape
    head = (f"<h2>Rights scorecard, {esc(years)}</h2>\n<p>Share of the brand's twin images "
            "meeting each right; <em>unknown</em> where the data do not say (a term the licence "
            "does not state, a licence not loaded, no earlier shoots to compare pay with), "
            "never counted as met. Whole calendar years: the scorecard is yearly.</p>")
    if card.empty:
        why = public.explain(card) or "No twin use in these years."
        return head + f"\n<p>{esc(why)}</p>"
    hidden = privacy.any_suppressed(card)
    rows = "\n".join(
        f"<tr><td>{esc(RIGHT_NAMES.get(r.right, r.right))}</td>"
        f"<td class=num>{_pct(r.share_met)}</td><td class=num>{_pct(r.share_not_met)}</td>"
        f"<td class=num>{_pct(r.share_unknown)}</td>"
        f"<td class=num>{'–' if pd.isna(r.twin_assets) else f'{r.twin_assets:,.0f}'}</td></tr>"
        for r in card.itertuples())
    note = (f"<p>Suppressed (–): fewer than {k} models' twins behind the figures.</p>"
            if hidden else "")
    return (f"{head}\n{note}<table id=\"rights-scorecard\"><tr><th>Right</th>"
            "<th class=num>Met</th><th class=num>Not met</th><th class=num>Unknown</th>"
            f"<th class=num>Twin images</th></tr>\n{rows}\n</table>")

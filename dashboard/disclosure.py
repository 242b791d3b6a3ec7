"""Disclosure control in one place, below every page (CONTRACT §6–§7).

Every frame a page, download, chart image, embed or report shows comes from a query in
`dashboard.queries`, fetched through `governed()`: the audience first narrows the filters to
the brands it may name (`scope`), then the query's registered `Rule` suppresses every figure
about fewer than k people (`disclose`). A query that is not registered cannot be shown at
all in public mode: add its rule to RULES beside the query.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

from dashboard import privacy
from dashboard.audience import Audience
from dashboard.filters import Filters


@dataclass(frozen=True)
class Rule:
    """How one query's rows are protected.

    protect: count column (distinct people behind the row) → the value columns it protects.
    free: the query shows no figure about people (provenance, known values, events…).
    person_level: rows name people (quarantined values): only `Audience.person_rows` sees them.
    """

    protect: tuple[tuple[str, tuple[str, ...]], ...] = ()
    free: bool = False
    person_level: bool = False


def _r(**protect: tuple[str, ...]) -> Rule:
    return Rule(protect=tuple(protect.items()))


_CREW = ("crew_days", "crew_income", "displaced_crew_days", "displaced_crew_income")

RULES: dict[str, Rule] = {
    "known_values": Rule(free=True),
    "provenance": Rule(free=True),
    "loads": Rule(free=True),
    "data_quality": Rule(free=True),
    "quarantine_summary": Rule(free=True),
    "quarantine_rows": Rule(person_level=True),
    # an admin's own upload: /upload calls it directly, the uploader supplied the rows
    "quarantine_of": Rule(person_level=True),
    # self-suppressing today (they take k); to move under the rules below
    "brand_numbers": Rule(free=True),
    "brand_html": Rule(free=True),
    "lorenz": Rule(free=True),
    "income_distribution": Rule(free=True),
    "employment_survey": Rule(free=True),
    "employment_bls": Rule(free=True),
    "displacement_totals": Rule(free=True),
    "twin_share_by_channel": Rule(free=True),
    "shoot_days_vs_expected": Rule(free=True),
    "brands_ranked": Rule(free=True),
    "crew_totals": Rule(free=True),
    "model_income_totals": Rule(free=True),
    "unlicensed_reasons": Rule(free=True),
    "crew_by_role": _r(people=_CREW),
    "crew_income_by_year_role": _r(people=("crew_days", "crew_income", "displaced_crew_income")),
    "consent_over_time": _r(people=("twin_assets", "licensed_assets", "unlicensed_assets")),
    "compliance_by_brand": _r(people=("twin_assets", "licensed_share", "watermarked_share",
                                      "disclosed_share")),
    "consent_totals": _r(people=("twin_assets", "licensed_assets", "unlicensed_assets",
                                 "watermarked_share", "disclosed_share")),
    "model_income_over_time": _r(models_shoot=("shoot_income",), models_twin=("twin_income",)),
}


def scope(f: Filters, aud: Audience) -> tuple[Filters, list[str]]:
    """The filters narrowed to what the audience may name, and a warning per dropped brand."""
    if aud.role != "brand" or aud.brand is None:
        return f, []
    dropped = [b for b in f.brand if b != aud.brand]
    warnings = [f"Ignored brand={b!r}: you may see only {aud.brand}'s figures." for b in dropped]
    return replace(f, brand=(aud.brand,)), warnings


def disclose(name: str, df: pd.DataFrame, aud: Audience) -> pd.DataFrame:
    """`df` as the audience may see it (suppressed and marked where people are too few)."""
    rule = RULES.get(name)
    if rule is None:
        if aud.k is None:
            return df
        raise KeyError(f"query {name!r} has no disclosure rule: add one to disclosure.RULES")
    if rule.person_level and not aud.person_rows:
        return df.iloc[0:0]
    if rule.free or aud.k is None:
        return df
    return privacy.suppress(df, {c: list(v) for c, v in rule.protect}, aud.k)

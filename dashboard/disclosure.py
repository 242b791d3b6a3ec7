"""Disclosure control in one place, below every page (CONTRACT §6–§7).

Every frame a page, download, chart image, embed or report shows comes from a query in
`dashboard.queries`, fetched through `governed()` (or `dashboard.data.fetch/get`, which do the
same with a cache): the audience first narrows the filters to the brands it may name
(`scope`), then the query's registered `Rule` suppresses every figure about fewer than k
people (`disclose`), and — where the rows are parts of a total shown elsewhere — a second
part, so that the hidden one cannot be recovered by subtraction. A query that is not
registered cannot be shown at all in public mode: add its rule to RULES beside the query.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd

from dashboard import filters, privacy, public, queries
from dashboard.audience import Audience
from dashboard.filters import LIST_KEYS, Filters
from etl import config

# An industry figure shown to a brand, less that brand's own part, is the other brands'
# together: it is shown only when at least MIN_OTHERS other brands contribute to it and none of
# them makes up more than DOMINANCE of their part (else one brand's figure would be recovered).
MIN_OTHERS = 2
DOMINANCE = 0.85


@dataclass(frozen=True)
class Rule:
    """How one query's rows are protected.

    protect: count column (distinct people behind the row) → the value columns it protects.
    derived: protected columns computed from another count's figure (licensed = twin −
        unlicensed images): hidden with it, but a zero there does not make a row "about
        nobody" (privacy.suppress).
    keys: the columns that name a row. With a brand, channel, region or role filter active,
        the same figure without that filter is shown too (a link without it): the rows of
        the unfiltered call are matched on keys, and a row whose rest (unfiltered − filtered)
        has fewer than k people is hidden, so that subtraction cannot recover it. None: the
        query follows no list filter.
    parts: the rows are parts of a total shown beside them (on the page, another page or the
        report); the columns within which they add up (`()` = the whole frame). A hidden part
        then hides a second one (privacy.suppress), so total − shown parts never isolates it.
    industry: the query ignores the brand filter: a brand audience sees it in public mode;
        `"brands"` (drawn from the brands' data) only where, after the brand's own part, at
        least MIN_OTHERS other brands contribute and none makes up more than DOMINANCE of the
        rest (counted per figure: `INDUSTRY`), `"public"` (a survey, not brands' data) always.
    transform: (frame, audience, k) → what may be shown, for shapes a count column cannot
        protect (the Lorenz curve, the list of brands).
    free: the query shows no figure about people (provenance, known values, events…).
    person_level: rows name people (quarantined values): only `Audience.person_rows` sees them.
    every_brand: the rows describe every brand's files (names, row counts): a brand audience
        gets none of them (it never learns another brand's id, file or row count).
    """

    protect: tuple[tuple[str, tuple[str, ...]], ...] = ()
    derived: tuple[str, ...] = ()
    parts: tuple[str, ...] | None = None
    keys: tuple[str, ...] | None = None
    industry: str | None = None
    transform: Callable[[Any, Audience, int | None], Any] | None = None
    free: bool = False
    person_level: bool = False
    every_brand: bool = False


def _r(keys: tuple[str, ...] | None, parts: tuple[str, ...] | None = None,
       industry: str | None = None, derived: tuple[str, ...] = (),
       **protect: tuple[str, ...]) -> Rule:
    return Rule(protect=tuple(protect.items()), keys=keys, parts=parts, industry=industry,
                derived=derived)


def _known(known, aud: Audience, k):
    """A brand audience may name only its own brand: the others leave the brand list."""
    if aud.role != "brand":
        return known
    return replace(known, brands=tuple(b for b in known.brands if b == aud.brand))


_CREW_ESTIMATES = ("crew_days", "crew_days_low", "crew_days_high", "crew_income",
                   "crew_income_low", "crew_income_high")


def _estimates(est, aud: Audience, k):
    if k is None or est.empty:
        return est
    # a brand's figures beside the ALL row would give the other brands' by subtraction, so
    # public mode shows the crew estimates of ALL only (with k crew members behind them)
    out = est.assign(crew_people=est["crew_people"].where(est["scope"] == "ALL", 0))
    out = privacy.suppress(out, {"crew_people": list(_CREW_ESTIMATES)}, k)
    out["upper"] = float("nan")
    return out


def _quarantine(summary, aud: Audience, k):
    """Reasons quote the rows' values and keys (an e-mail, a rate): only the local single
    user sees them; everyone else gets each reason as its column and rule, counted."""
    if aud.person_rows:
        return summary
    keys = ["kind", "file", "column_name", "rule"]
    out = summary.groupby(keys, as_index=False, sort=False)["rows"].sum()
    return out.sort_values(["rows", *keys], ascending=[False, True, True, True, True],
                           kind="stable").reset_index(drop=True)


def _lorenz(curve, aud: Audience, k):
    return privacy.coarse_lorenz(curve, k)


_RIGHTS = ("twin_assets", "assets_met", "assets_not_met", "assets_unknown", "share_met",
           "share_not_met", "share_unknown")
_SPLIT = _RIGHTS[1:]  # met / not met / unknown: each part is the total minus the others
_CREW = ("crew_days", "crew_income", "displaced_crew_days", "displaced_crew_income")
_TWIN = ("twin_assets", "twin_share")
# a share's complement (unlicensed, unwatermarked, undisclosed images) is the figure its
# own count protects; the share itself is derived from it
_SHARES = ("licensed_share", "watermarked_share", "disclosed_share")
_MODELS = ("median_income", "p90_income", "top10_share", "gini")

# Shoot days, shoot images and bookings are not people (CONTRACT §6); twin images and every
# figure made from them (the twin share, the substitution bound) are the models' twin use.
RULES: dict[str, Rule] = {
    "known_values": Rule(transform=_known),
    "provenance": Rule(free=True),
    "reporting_currency": Rule(free=True),
    # what each brand paid into the models' income: read by disclose() only, never shown
    "industry_contributions": Rule(person_level=True, every_brand=True),
    # every load attempt (file names, row counts) and the checks over every brand's rows
    "loads": Rule(free=True, every_brand=True),
    "data_quality": Rule(free=True, every_brand=True),
    # rows by file and rule; the full reason (quoting values) for the local user only
    "quarantine_summary": Rule(transform=_quarantine, every_brand=True),
    "quarantine_rows": Rule(person_level=True),
    # an admin's own upload: /upload calls it directly, the uploader supplied the rows
    "quarantine_of": Rule(person_level=True),
    # the mappings an admin may pick on /upload: TOML text, no figures
    "saved_mappings": Rule(person_level=True),
    # composed in dashboard.report from frames fetched through governed()
    "brand_html": Rule(free=True),
    "displacement_totals": _r(("period",), models=(*_TWIN, "displaced_upper")),
    "twin_share_by_channel": _r(("month", "channel"), parts=("month",), models=_TWIN),
    "twin_share_overall": _r(("month",), parts=(), models=_TWIN),
    "twin_share_by_half": _r(("half", "channel"), parts=("half",), models=_TWIN),
    "shoot_days_vs_expected": _r(("month",), parts=(), models=("expected_upper",)),
    "brands_ranked": _r(("brand_id",), parts=(), models=(*_TWIN, "displaced_upper")),
    # which brand the brand report opens on: adoption months and DiD shoot days, no people
    "brand_choices": _r(("brand_id",)),
    "crew_totals": _r(("period",), people=_CREW),
    "crew_by_role": _r(("role",), parts=(), people=_CREW),
    "crew_income_by_year_role": _r(("year", "role"), parts=("year",),
                                   people=("crew_days", "crew_income", "displaced_crew_income")),
    # marts.model_income_monthly has no brand: these follow the period only (keys None)
    "model_income_over_time": _r(None, parts=(), industry="brands",
                                 models_shoot=("shoot_income",), models_twin=("twin_income",)),
    "model_income_totals": _r(None, industry="brands", models_shoot=("shoot_income",),
                              models_twin=("twin_income",)),
    "income_distribution": _r(None, parts=("year",), industry="brands", models=_MODELS,
                              top_group=("p90_income", "top10_share")),
    "lorenz": Rule(transform=_lorenz, industry="brands"),
    # unlicensed images are a figure about the models whose twins were used without a licence
    # (the reasons chart splits them); licensed = twin − unlicensed images hides with them
    "consent_over_time": _r(("month",), parts=(),
                            people=("twin_assets", "licensed_assets", "unlicensed_assets"),
                            unlicensed_people=("unlicensed_assets", "licensed_assets"),
                            derived=("licensed_assets",)),
    "unlicensed_reasons": _r(("reason",), parts=(), people=("assets",)),
    "compliance_by_brand": _r(("brand_id",), parts=(),
                              people=("twin_assets", *_SHARES),
                              unlicensed_people=("licensed_share",),
                              unwatermarked_people=("watermarked_share",),
                              undisclosed_people=("disclosed_share",), derived=_SHARES),
    "consent_totals": _r(("period",),
                         people=("twin_assets", "licensed_assets", "unlicensed_assets",
                                 "watermarked_share", "disclosed_share"),
                         unlicensed_people=("unlicensed_assets", "licensed_assets"),
                         unwatermarked_people=("watermarked_share",),
                         undisclosed_people=("disclosed_share",),
                         derived=("licensed_assets", *_SHARES)),
    # the survey's own head counts; the page sums areas per role and period
    "employment_survey": _r(("period", "area", "role", "source"), parts=("period", "role"),
                            industry="public",
                            employed=("employed", "median_earnings", "mean_earnings")),
    # national statistics the BLS publishes (and suppresses) itself: no cell is a few people
    "employment_bls": Rule(free=True),
    # rights scorecard: every figure of a row is about the models whose twins it counts
    # (split_models: the fewest models behind any non-empty status hides the whole split)
    "rights_scorecard": _r(("right",), models=_RIGHTS, split_models=_SPLIT),
    "rights_by_brand": _r(("brand_id", "right"), parts=("right",), models=_RIGHTS,
                          split_models=_SPLIT),
    "rights_by_year": _r(("year", "right"), parts=("right",), models=_RIGHTS,
                         split_models=_SPLIT),
    # survey rows: `employed` is the people behind the row's figures
    "employment_series": _r(("period", "area", "role", "source"), parts=("period", "role"),
                            industry="public",
                            employed=("employed", "median_earnings", "mean_earnings")),
    "employment_sources": Rule(free=True),  # row and period counts, no people
    "twin_arrival": Rule(free=True),  # a month
    # shoot days and crew days displaced are estimates about brands, not counts of people;
    # scope() still narrows them to the brands an audience may name (no ALL for a brand)
    # the crew estimates (days × the brand's crew, income × their day rates) are about the
    # crew members behind them, the upper bound about the models behind the twin images; a
    # brand's bound beside the ALL row would give the others' by subtraction, so public mode
    # shows none (brands_ranked and displacement_totals carry it, suppressed there)
    "displacement_estimates": Rule(transform=_estimates),
    "event_study": Rule(free=True),
    # images checked per brand: every count is about the models whose twins the images show
    "image_checks_by_brand": _r(("brand_id",),
                                models=("images_checked", "images_valid",
                                        "images_ai_declared", "images_no_training",
                                        "images_linked_to_use", "claimed_disclosed",
                                        "claimed_not_found", "found_not_claimed")),
    "coverage": Rule(free=True),
}


# The industry figures drawn from brands' data, per query: what names a row's months
# (`month`, `period` of a two-period frame, `year`, or the query's `year` argument) and, per
# value column, the brands' contribution it sums (industry_contributions: shoot_income,
# twin_income, or `total` for figures of both, such as the income distribution).
INDUSTRY: dict[str, tuple[str, dict[str, str]]] = {
    "model_income_over_time": ("month", {"shoot_income": "shoot_income",
                                         "models_shoot": "shoot_income",
                                         "twin_income": "twin_income",
                                         "models_twin": "twin_income"}),
    "model_income_totals": ("period", {"shoot_income": "shoot_income",
                                       "models_shoot": "shoot_income",
                                       "twin_income": "twin_income",
                                       "models_twin": "twin_income"}),
    "income_distribution": ("year", {c: "total" for c in ("models", *_MODELS, "top_group")}),
    "lorenz": ("arg_year", {}),
}


def _months(key: str, row, args: tuple) -> tuple | None:
    """(first, last) month a row of an industry figure covers; None: every month."""
    f = next((a for a in args if isinstance(a, Filters)), None)
    if key == "month":
        m = pd.Timestamp(row["month"])
        return m, m
    if key in ("year", "arg_year"):
        y = int(row["year"] if key == "year" else args[0])
        return pd.Timestamp(y, 1, 1), pd.Timestamp(y, 12, 1)
    if f is None or not (f.start() and f.end()):
        return None if row["period"] == "current" else (pd.Timestamp.max, pd.Timestamp.max)
    start, end = pd.Timestamp(f.start()), pd.Timestamp(f.end())
    if row["period"] == "current":
        return start, end
    a, b = filters.previous_period(f.start(), f.end())
    return pd.Timestamp(a), pd.Timestamp(b)


def _others_why(contrib: pd.DataFrame, own: str | None, span: tuple | None,
                column: str) -> str:
    """Why a brand may not see an industry figure of `column` over `span` ('' if it may)."""
    part = contrib
    if span is not None:
        part = part[(part["month"] >= span[0]) & (part["month"] <= span[1])]
    part = part[part["brand_id"] != own].groupby("brand_id")[column].sum()
    part = part[part > 0]
    if len(part) < MIN_OTHERS:
        return f"withheld: fewer than {MIN_OTHERS} other brands contribute"
    if part.max() > DOMINANCE * part.sum():
        return f"withheld: one other brand makes up over {DOMINANCE:.0%} of it"
    return ""


def _industry_for_brand(name: str, df, aud: Audience, contrib, args: tuple):
    """An industry figure as a brand may see it: each value whose other brands' part is too
    few or too concentrated withheld and marked (INDUSTRY says what each row and column sum)."""
    key, columns = INDUSTRY[name]
    if contrib is None:
        contrib = pd.DataFrame(columns=["month", "brand_id", "shoot_income", "twin_income"])
    contrib = contrib.assign(month=pd.to_datetime(contrib["month"]),
                             total=contrib["shoot_income"] + contrib["twin_income"])
    if key == "arg_year":  # one figure (the Lorenz curve): all of it or nothing
        why = _others_why(contrib, aud.brand, _months(key, None, args), "total")
        return df.iloc[0:0] if why else df
    if df.empty:
        return df
    out = df.copy()
    if privacy.SUPPRESSED_COL not in out.columns:
        out[privacy.SUPPRESSED_COL] = ""
    out[privacy.SUPPRESSED_COL] = out[privacy.SUPPRESSED_COL].fillna("")
    for i, row in out.iterrows():
        span = _months(key, row, args)
        whys = {}
        for col, source in columns.items():
            if col not in out.columns:
                continue
            why = whys.setdefault(source, _others_why(contrib, aud.brand, span, source))
            if why:
                out.loc[i, col] = float("nan")
                mark = out.loc[i, privacy.SUPPRESSED_COL]
                if why not in mark:
                    out.loc[i, privacy.SUPPRESSED_COL] = f"{mark}; {why}" if mark else why
    return out


def scope(f: Filters, aud: Audience) -> tuple[Filters, list[str]]:
    """The filters narrowed to what the audience may name, and a warning per dropped brand."""
    if aud.role != "brand" or aud.brand is None:
        return f, []
    dropped = [b for b in f.brand if b != aud.brand]
    warnings = [f"Ignored brand={b!r}: you may see only {aud.brand}'s figures." for b in dropped]
    return replace(f, brand=(aud.brand,)), warnings


def scope_params(params: dict, aud: Audience) -> tuple[dict, list[str]]:
    """URL parameters narrowed like `scope`, before they are checked against the brands the
    audience may know of (another brand is then refused as forbidden, not as unknown)."""
    if aud.role != "brand" or aud.brand is None:
        return params, []
    asked = Filters(brand=tuple(filters.split(params.get("brand") or "")))
    _, warnings = scope(asked, aud)
    return {**params, "brand": aud.brand}, warnings


def threshold(rule: Rule, aud: Audience) -> int | None:
    """The k a rule applies for this audience: a brand sees its own figures whole and
    industry figures in public mode."""
    if aud.role == "brand" and rule.industry:
        return aud.k if aud.k is not None else config.k_threshold()
    return aud.k


def complements(name: str, args: tuple, aud: Audience) -> list[tuple]:
    """The calls whose frames `disclose` needs beside `(name, *args)`: the same figure with
    each active list filter cleared (what a reader can subtract it from)."""
    rule = RULES.get(name)
    if rule is None or rule.keys is None or not rule.protect or threshold(rule, aud) is None:
        return []
    out = []
    for i, a in enumerate(args):
        if isinstance(a, Filters):
            for key in LIST_KEYS:
                if getattr(a, key):
                    out.append((name, *args[:i], replace(a, **{key: ()}), *args[i + 1:]))
    return out


def _rest_too_small(df: pd.DataFrame, rule: Rule, wider: list[pd.DataFrame],
                    k: int) -> dict[str, pd.Series]:
    """Per count column: rows whose rest (a wider frame's row − this row) is about fewer
    than k people and not nothing. The wider count minus this one is a lower bound on the
    rest's distinct people, so the test errs on hiding."""
    out = {c: pd.Series(False, index=df.index) for c, _ in rule.protect}
    for w in wider:
        merged = df[list(rule.keys)].merge(w, on=list(rule.keys), how="left")
        merged.index = df.index
        # a row the wider figure hides (as a part of its total) stays hidden here: which
        # parts are hidden must not depend on which rows a filter leaves in the frame
        shown = privacy.suppress(w, {c: list(v) for c, v in rule.protect}, k,
                                 parts=rule.parts, derived=rule.derived)
        if privacy.SUPPRESSED_COL in shown.columns:
            hidden = df[list(rule.keys)].merge(
                shown[[*rule.keys, privacy.SUPPRESSED_COL]], on=list(rule.keys), how="left")
            hidden = hidden[privacy.SUPPRESSED_COL].fillna("").ne("").to_numpy()
            for c in out:
                out[c] |= hidden
        for c, values in rule.protect:
            rest = merged[c].fillna(0) - df[c].fillna(0)
            changed = pd.Series(False, index=df.index)
            for v in values:
                a = pd.to_numeric(merged[v], errors="coerce").fillna(0)
                b = pd.to_numeric(df[v], errors="coerce").fillna(0)
                changed |= (a - b).abs() > 1e-9
            out[c] |= changed & (rest < k)
    return out


def disclose(name: str, df, aud: Audience, contributions=None, wider: list | None = None,
             args: tuple = ()):
    """`df` as the audience may see it (suppressed and marked where people are too few).

    contributions: queries.industry_contributions (needed for a brand audience's industry
    figures; None counts as no other brand). wider: the frames of `complements()` calls.
    args: the query's arguments (the period an industry figure covers)."""
    if name.startswith(public.PREFIX):  # drawn from the public release: audited already
        return df
    rule = RULES.get(name)
    if rule is None:
        if aud.k is None and aud.role != "brand":
            return df
        raise KeyError(f"query {name!r} has no disclosure rule: add one to disclosure.RULES")
    if (rule.person_level and not aud.person_rows) or (rule.every_brand
                                                       and aud.role == "brand"):
        return df.iloc[0:0]
    k = threshold(rule, aud)
    if rule.transform is not None:
        out = rule.transform(df, aud, k)
    elif rule.free or k is None:
        out = df
    else:
        rest = _rest_too_small(df, rule, wider, k) if wider and not df.empty else None
        out = privacy.suppress(df, {c: list(v) for c, v in rule.protect}, k,
                               parts=rule.parts, derived=rule.derived, also=rest)
    if rule.industry == "brands" and aud.role == "brand":
        out = _industry_for_brand(name, out, aud, contributions, args)
    return out


def scoped_args(args: tuple, aud: Audience) -> tuple:
    """Every Filters argument narrowed to the brands the audience may name."""
    return tuple(scope(a, aud)[0] if isinstance(a, Filters) else a for a in args)


def governed(src: queries.Source, name: str, *args, aud: Audience):
    """`queries.<name>(src, *args)` scoped and suppressed for `aud`: the path every figure
    outside Streamlit takes (the report, chart images)."""
    args = scoped_args(args, aud)
    if name in public.RELEASED and public.serves(aud, public.release_k(src)):
        return public.RELEASED[name](src, *args)  # the public release, nothing else
    df = getattr(queries, name)(src, *args)
    contrib = queries.industry_contributions(src) if aud.role == "brand" else None
    wider = [getattr(queries, n)(src, *a) for n, *a in complements(name, args, aud)]
    return disclose(name, df, aud, contributions=contrib, wider=wider, args=args)

"""Public figures drawn from the public release only (CONTRACT §6, issue 19).

The release (etl/release.py, schema `release`) holds every public cell already suppressed
as one pattern and audited; these functions read it and nothing else, with the same frame
shapes as the `dashboard.queries` functions of the same names, so pages, chart images and
embeds draw them unchanged. A hidden cell comes back as NaN with its reason in
`privacy.SUPPRESSED_COL`. Public filters are the release's: whole months in the period and
one breakdown at a time (the first of brand, channel, region that is set, one value);
`ignored` says which filters a frame could not follow.

Queries not (yet) served from the release keep the per-query disclosure layer
(dashboard.disclosure); RELEASED lists the ones that are.
"""

from __future__ import annotations

from datetime import date

import duckdb
import numpy as np
import pandas as pd

from dashboard import privacy, queries
from dashboard.filters import Filters, add_months, previous_period
from dashboard.queries import Source

# the order a breakdown is taken in when several are set: a public figure follows one
BREAKDOWNS = ("brand", "channel", "region")


def breakdown(f: Filters, allowed: tuple[str, ...] = BREAKDOWNS) -> tuple[str, str]:
    """(dim, member) of the release that `f` asks for: the first breakdown set with one
    value, else the industry total."""
    for dim in allowed:
        values = getattr(f, dim)
        if len(values) == 1:
            return dim, values[0]
    return "all", ""


def ignored(f: Filters, allowed: tuple[str, ...] = BREAKDOWNS) -> list[str]:
    """The filters a release figure for `f` does not follow (a second breakdown, several
    values of one, a role on a figure without roles)."""
    dim, _ = breakdown(f, allowed)
    out = []
    for key in ("brand", "channel", "region", "role"):
        values = getattr(f, key)
        if values and (key != dim or len(values) > 1):
            out.append(key)
    return out


def _months(src: Source, f: Filters, measures: tuple[str, ...], dim: str, member: str,
            by_member: bool = False) -> pd.DataFrame:
    """Long cells of whole months in f's period: month, member, measure, value, people,
    status."""
    return queries._run(src, """
        select period_start as month, member, measure, value, people, status
        from release.cells
        where grain = 'month' and list_contains($measures::varchar[], measure)
          and dim = $dim and ($by_member or member = $member)
          and ($start::date is null or period_start >= $start::date)
          and ($end::date is null or period_start <= $end::date)
        order by month, member
    """, {"measures": list(measures), "dim": dim, "member": member, "by_member": by_member,
          "start": f.start(), "end": f.end()})


def _wide(cells: pd.DataFrame, keys: list[str], names: dict[str, str],
          people: str, k: int) -> pd.DataFrame:
    """One row per keys: a column per measure (names: measure → column), the people behind
    the first measure in `people`, and the suppression mark of any hidden measure."""
    if cells.empty:
        return pd.DataFrame(columns=[*keys, *names.values(), people, privacy.SUPPRESSED_COL])
    wide = cells.pivot_table(index=keys, columns="measure", values="value", aggfunc="first",
                             dropna=False).reindex(columns=list(names))
    wide.columns = list(names.values())
    status = cells.pivot_table(index=keys, columns="measure", values="status",
                               aggfunc="first").reindex(index=wide.index, columns=list(names))
    # no cell: nothing happened (the release has no cell where nothing happened)
    for measure, col in names.items():
        wide[col] = wide[col].where(status[measure].notna(), 0.0)
    first = next(iter(names))
    counts = cells[cells["measure"] == first].set_index(keys)["people"]
    out = wide.join(counts.rename(people)).reset_index()
    out[people] = out[people].where(status[first].notna().to_numpy(), 0)
    marks = []
    for row in status.itertuples(index=False):
        seen = [s for s in row if isinstance(s, str)]
        marks.append(privacy.note(k) if "primary" in seen else
                     privacy.secondary_note(k) if "secondary" in seen else "")
    out[privacy.SUPPRESSED_COL] = marks
    return out


def _k(src: Source) -> int:
    row = queries._run(src, "select value from meta.settings where key = 'release_k'")
    return int(row["value"].iloc[0]) if not row.empty else 5


def _share(src: Source, f: Filters, by_channel: bool) -> pd.DataFrame:
    dim, member = ("channel", "") if by_channel else breakdown(f)
    cells = _months(src, f, ("twin_images", "shoot_images"), dim, member, by_member=by_channel)
    keys = ["month", "member"] if by_channel else ["month"]
    out = _wide(cells, keys, {"twin_images": "twin_assets", "shoot_images": "shoot_assets"},
                "models", _k(src))
    out["twin_share"] = out["twin_assets"] / (out["twin_assets"] + out["shoot_assets"])
    out["months"] = 1
    if by_channel:
        out = out.rename(columns={"member": "channel"})
    out["month"] = pd.to_datetime(out["month"])
    cols = [*(["month", "channel"] if by_channel else ["month"]), "shoot_assets",
            "twin_assets", "twin_share", "months", "models", privacy.SUPPRESSED_COL]
    return out[cols]


def twin_share_overall(src: Source, f: Filters) -> pd.DataFrame:
    """month, shoot_assets, twin_assets, twin_share, months, models (the release's months of
    the industry or of one brand, channel or region)."""
    return _share(src, f, by_channel=False)


def twin_share_by_channel(src: Source, f: Filters) -> pd.DataFrame:
    """month, channel, shoot_assets, twin_assets, twin_share, months, models: the release's
    month × channel table (the industry's; a brand or region filter is not followed)."""
    return _share(src, f, by_channel=True)


def consent_over_time(src: Source, f: Filters) -> pd.DataFrame:
    """month, twin_assets, licensed_assets, unlicensed_assets, people, unlicensed_people:
    licensed = twin − unlicensed where both are shown."""
    dim, member = breakdown(f, ("brand", "region"))
    cells = _months(src, f, ("twin_images", "unlicensed_images"), dim, member)
    k = _k(src)
    out = _wide(cells, ["month"], {"twin_images": "twin_assets",
                                   "unlicensed_images": "unlicensed_assets"}, "people", k)
    unlicensed = cells[cells["measure"] == "unlicensed_images"].set_index("month")["people"]
    out["unlicensed_people"] = out["month"].map(unlicensed)
    out["licensed_assets"] = out["twin_assets"] - out["unlicensed_assets"].fillna(0)
    # a month without unlicensed images has no cell: nothing unlicensed, licensed = twin
    none = ~out["month"].isin(unlicensed.index)
    out.loc[none, "unlicensed_assets"] = 0.0
    out.loc[none, "unlicensed_people"] = 0
    hidden = out["month"].isin(cells.loc[(cells["measure"] == "unlicensed_images")
                                         & (cells["status"] != "shown"), "month"])
    out.loc[hidden, "licensed_assets"] = float("nan")
    out["month"] = pd.to_datetime(out["month"])
    return out[["month", "twin_assets", "licensed_assets", "unlicensed_assets", "people",
                "unlicensed_people", privacy.SUPPRESSED_COL]]


# ---- headlines: any period, as a sum of the release's cells that tile it ----------------


def tiles(start: date, end: date, first: date | None = None,
          last: date | None = None) -> list[tuple[str, str]]:
    """The coarsest release periods whose sum is the months start..end: whole calendar
    years where they fit, then whole quarters, then months. A period reaching beyond the
    window fits where the data (first..last month) holds nothing beyond it: the year 2025 of
    data that ends in June is the window 2025-01..2025-06."""
    first, last = first or date.min, last or date.max  # unknown: data all around
    out, m = [], start
    while m <= end:
        for grain, span in (("year", 12), ("quarter", 3)):
            head = date(m.year, 1 if grain == "year" else (m.month - 1) // 3 * 3 + 1, 1)
            tail = add_months(head, span - 1)
            if (head == m or (m == start and start <= first)) and (tail <= end or end >= last):
                out.append((grain, f"{m.year}" if grain == "year"
                            else f"{m.year}-Q{(head.month - 1) // 3 + 1}"))
                m = add_months(tail, 1)
                break
        else:
            out.append(("month", f"{m:%Y-%m}"))
            m = add_months(m, 1)
    return out


def _about(src: Source) -> tuple[int, date | None, date | None]:
    """The release's k and the first and last month it holds, in one query."""
    row = queries._run(src, """
        select (select value from meta.settings where key = 'release_k') as k,
               min(period_start) as a, max(period_start) as b
        from release.cells where grain = 'month'
    """)
    k = int(row["k"].iloc[0]) if not row.empty and not pd.isna(row["k"].iloc[0]) else 5
    if row.empty or pd.isna(row["a"].iloc[0]):
        return k, None, None
    a, b = (pd.Timestamp(row[c].iloc[0]).date() for c in ("a", "b"))
    return k, a, b


def _bounds(f: Filters, about: tuple) -> tuple[date, date] | None:
    if f.start() and f.end():
        return f.start(), f.end()
    if about[1] is None:
        return None
    return f.start() or about[1], f.end() or about[2]


def _tiled(src: Source, periods: list[tuple[str, str]], measures: tuple[str, ...],
           dim: str, by_member: bool = False, member: str = "") -> pd.DataFrame:
    """Per (member,) measure: the sum of the tiles' values (a tile without a cell is 0),
    NaN when any tile is hidden; people: the most people behind one tile (a lower bound
    of the distinct people behind the sum); status: the worst tile's; cells: tiles found.
    A sum of shown cells tells nothing the release does not."""
    cells = queries._run(src, """
        select member, measure, value, people, status
        from release.cells
        where list_contains($measures::varchar[], measure) and dim = $dim
          and ($by_member or member = $member)
          and list_contains($periods::varchar[], grain || '|' || period)
    """, {"measures": list(measures), "dim": dim, "by_member": by_member, "member": member,
          "periods": [f"{g}|{p}" for g, p in periods]})
    rank = {"shown": 0, "secondary": 1, "primary": 2}
    cells["rank"] = cells["status"].map(rank)
    out = cells.groupby(["member", "measure"], sort=True).agg(
        value=("value", lambda v: v.sum(min_count=1)), people=("people", "max"),
        rank=("rank", "max"), cells=("status", "size")).reset_index()
    out.loc[out["rank"] > 0, ["value", "people"]] = np.nan
    out["status"] = out["rank"].map({v: k for k, v in rank.items()})
    return out.drop(columns="rank")


def _mark(statuses, k: int) -> str:
    seen = set(statuses)
    return (privacy.note(k) if "primary" in seen else
            privacy.secondary_note(k) if "secondary" in seen else "")


def _two(src: Source, f: Filters, measures: dict[str, str], people: dict[str, str],
         allowed: tuple[str, ...] = BREAKDOWNS) -> pd.DataFrame:
    """Two rows — the period, then the one of the same length before it — of `measures`
    (release measure → column), with `people` (column → release measure whose people it
    is) and `cells`; the release cells tiling each period."""
    dim, member = breakdown(f, allowed)
    about = _about(src)
    bounds, k = _bounds(f, about), about[0]
    rows = []
    for label, span in (("current", bounds),
                        ("previous", previous_period(*bounds) if bounds and f.start()
                         else None)):
        row: dict = {"period": label}
        got = (_tiled(src, tiles(*span, *about[1:]), tuple({*measures, *people.values()}), dim,
                      member=member) if span else pd.DataFrame(
                          columns=["member", "measure", "value", "people", "status", "cells"]))
        by = got.set_index("measure")
        for measure, col in measures.items():
            row[col] = float(by.loc[measure, "value"]) if measure in by.index else (
                0.0 if span else np.nan)
        for col, measure in people.items():
            row[col] = by.loc[measure, "people"] if measure in by.index else 0
        row["cells"] = int(got["cells"].sum()) if len(got) else 0
        row[privacy.SUPPRESSED_COL] = _mark(got["status"], k) if len(got) else ""
        rows.append(row)
    return pd.DataFrame(rows)


def displacement_totals(src: Source, f: Filters) -> pd.DataFrame:
    """period (current, previous), shoot_days, shoot_assets, twin_assets, twin_share,
    cancelled_for_twin_days, displaced_did, displaced_upper, cells, models."""
    out = _two(src, f, {"shoot_days": "shoot_days", "shoot_images": "shoot_assets",
                        "twin_images": "twin_assets", "cancelled_days": "cancelled_for_twin_days",
                        "displaced_days_did": "displaced_did",
                        "displaced_days_upper": "displaced_upper"},
               {"models": "twin_images"})
    out["twin_share"] = out["twin_assets"] / (out["twin_assets"] + out["shoot_assets"])
    return out[["period", "shoot_days", "shoot_assets", "twin_assets", "twin_share",
                "cancelled_for_twin_days", "displaced_did", "displaced_upper", "cells",
                "models", privacy.SUPPRESSED_COL]]


CREW_BREAKDOWNS = ("brand", "role", "region")


def crew_totals(src: Source, f: Filters) -> pd.DataFrame:
    """period (current, previous), crew_days, crew_income, displaced_crew_days,
    displaced_crew_income, cells, people."""
    out = _two(src, f, {"crew_days": "crew_days", "crew_income": "crew_income",
                        "displaced_crew_days": "displaced_crew_days",
                        "displaced_crew_income": "displaced_crew_income"},
               {"people": "crew_days"}, CREW_BREAKDOWNS)
    return out[["period", "crew_days", "crew_income", "displaced_crew_days",
                "displaced_crew_income", "cells", "people", privacy.SUPPRESSED_COL]]


def model_income_totals(src: Source, f: Filters) -> pd.DataFrame:
    """period (current, previous), shoot_income (crew income of role model), twin_income
    (twin fees), cells, models_shoot, models_twin: the period only, as the marts'."""
    period_only = Filters(from_month=f.from_month, to_month=f.to_month)
    shoot = _two(src, Filters(from_month=f.from_month, to_month=f.to_month, role=("model",)),
                 {"crew_income": "shoot_income"}, {"models_shoot": "crew_income"},
                 CREW_BREAKDOWNS)
    twin = _two(src, period_only, {"twin_fees": "twin_income"}, {"models_twin": "twin_fees"})
    out = shoot.drop(columns=privacy.SUPPRESSED_COL).assign(
        twin_income=twin["twin_income"], models_twin=twin["models_twin"],
        cells=shoot["cells"] + twin["cells"])
    out[privacy.SUPPRESSED_COL] = [a or b for a, b in zip(shoot[privacy.SUPPRESSED_COL],
                                                          twin[privacy.SUPPRESSED_COL],
                                                          strict=True)]
    return out[["period", "shoot_income", "twin_income", "cells", "models_shoot",
                "models_twin", privacy.SUPPRESSED_COL]]


def consent_totals(src: Source, f: Filters) -> pd.DataFrame:
    """period (current, previous), twin_assets, licensed_assets, unlicensed_assets,
    watermarked_share, disclosed_share, cells, people, unlicensed_people,
    unwatermarked_people, undisclosed_people."""
    out = _two(src, f, {"twin_images": "twin_assets", "unlicensed_images": "unlicensed_assets",
                        "unwatermarked_images": "unwatermarked",
                        "undisclosed_images": "undisclosed"},
               {"people": "twin_images", "unlicensed_people": "unlicensed_images",
                "unwatermarked_people": "unwatermarked_images",
                "undisclosed_people": "undisclosed_images"}, ("brand", "region"))
    out["licensed_assets"] = out["twin_assets"] - out["unlicensed_assets"]
    twin = out["twin_assets"].where(out["twin_assets"] > 0)
    out["watermarked_share"] = 1 - out["unwatermarked"] / twin
    out["disclosed_share"] = 1 - out["undisclosed"] / twin
    return out[["period", "twin_assets", "licensed_assets", "unlicensed_assets",
                "watermarked_share", "disclosed_share", "cells", "people",
                "unlicensed_people", "unwatermarked_people", "undisclosed_people",
                privacy.SUPPRESSED_COL]]


def crew_by_role(src: Source, f: Filters) -> pd.DataFrame:
    """role, crew_days, crew_income, displaced_crew_days, displaced_crew_income, people:
    the release's role breakdown over the period (a brand or region filter is not
    followed: one breakdown at a time)."""
    about = _about(src)
    bounds = _bounds(f, about)
    cols = ["role", "crew_days", "crew_income", "displaced_crew_days",
            "displaced_crew_income", "people", privacy.SUPPRESSED_COL]
    if bounds is None:
        return pd.DataFrame(columns=cols)
    measures = ("crew_days", "crew_income", "displaced_crew_days", "displaced_crew_income")
    got = _tiled(src, tiles(*bounds, *about[1:]), measures, "role", by_member=True)
    if f.role:
        got = got[got["member"].isin(f.role)]
    if got.empty:
        return pd.DataFrame(columns=cols)
    k = about[0]
    wide = got.pivot(index="member", columns="measure", values="value").reindex(
        columns=list(measures)).fillna(0.0)
    blank = got[got["status"] != "shown"]
    for member, measure in zip(blank["member"], blank["measure"], strict=True):
        wide.loc[member, measure] = np.nan
    hidden = blank.groupby("member")["status"].agg(list)
    people = got[got["measure"] == "crew_days"].set_index("member")["people"]
    out = wide.assign(people=people).reset_index().rename(columns={"member": "role"})
    out[privacy.SUPPRESSED_COL] = [_mark(hidden.get(r, []), k) for r in out["role"]]
    return out.sort_values(["displaced_crew_days", "role"], ascending=[False, True],
                           kind="stable")[cols].reset_index(drop=True)


def twin_share_by_half(src: Source, f: Filters) -> pd.DataFrame:
    """half (`2026 H1`), channel, shoot_assets, twin_assets, twin_share, months, models: each
    half as the sum of its two quarters in the release, up to the period's end."""
    end = f.end()
    cells = queries._run(src, """
        select period, member as channel, measure, value, people, status
        from release.cells
        where grain = 'quarter' and dim = 'channel'
          and list_contains(['twin_images', 'shoot_images'], measure)
          and ($end::date is null or period_start <= $end::date)
    """, {"end": end})
    cols = ["half", "channel", "shoot_assets", "twin_assets", "twin_share", "months",
            "models", privacy.SUPPRESSED_COL]
    if cells.empty:
        return pd.DataFrame(columns=cols)
    k = _k(src)
    cells["half"] = cells["period"].str[:4] + " H" + np.where(
        cells["period"].str[-1].astype(int) <= 2, "1", "2")
    rows = []
    for (half, channel), g in cells.groupby(["half", "channel"], sort=True):
        row = {"half": half, "channel": channel, "months": 6}
        for measure, col in (("shoot_images", "shoot_assets"), ("twin_images", "twin_assets")):
            part = g[g["measure"] == measure]
            row[col] = (np.nan if (part["status"] != "shown").any()
                        else float(part["value"].sum()))
        twin = g[g["measure"] == "twin_images"]
        row["models"] = (np.nan if (twin["status"] != "shown").any()
                         else (twin["people"].max() if len(twin) else 0))
        row[privacy.SUPPRESSED_COL] = _mark(g["status"], k)
        rows.append(row)
    out = pd.DataFrame(rows)
    out["twin_share"] = out["twin_assets"] / (out["twin_assets"] + out["shoot_assets"])
    return out[cols]


def displacement_estimates(src: Source, f: Filters) -> pd.DataFrame:
    """scope, year, months_observed, did, did_low, did_high, upper, control_brands,
    estimable, note, brands, crew_days(_low/_high), crew_income(_low/_high), crew_people,
    models, rho, pretrend_p, breakdown_m: release.estimate_detail (the crew estimates only where their cells are shown,
    no upper bound) for the years the period touches; ALL, or one brand."""
    dim, member = breakdown(f, ("brand",))
    est = queries._run(src, """
        select d.*, c.people as crew_people
        from release.estimate_detail d
        left join release.estimates c
            on c.measure = 'est_crew_days' and c.scope = d.scope and c.year = d.year
        where d.year between coalesce(year($start::date), 0)
                         and coalesce(year($end::date), 9999)
          and (($dim = 'all' and d.scope = 'ALL') or ($dim = 'brand' and d.scope = $member))
        order by d.scope = 'ALL' desc, d.scope, d.year
    """, {"start": f.start(), "end": f.end(), "dim": dim, "member": member})
    est.insert(6, "upper", np.nan)
    est["models"] = np.nan
    tests = ["rho", "pretrend_p", "breakdown_m"]  # last, as queries.displacement_estimates
    return est[[c for c in est.columns if c not in tests] + tests]


def periods(src: Source) -> pd.DataFrame:
    """grain, period, period_start, period_end: the periods the release publishes (the
    public period picker's choices)."""
    return queries._run(src, "select grain, period, period_start, period_end "
                             "from release.periods order by period_start, grain")


RELEASED = {"twin_share_overall": twin_share_overall,
            "twin_share_by_channel": twin_share_by_channel,
            "consent_over_time": consent_over_time,
            "displacement_totals": displacement_totals,
            "crew_totals": crew_totals,
            "model_income_totals": model_income_totals,
            "consent_totals": consent_totals,
            "crew_by_role": crew_by_role,
            "twin_share_by_half": twin_share_by_half,
            "displacement_estimates": displacement_estimates}


PREFIX = "release:"  # a call served from the release (its own cache entry, never disclosed again)


def release_k(src: Source) -> int | None:
    """The k the published release was suppressed for; None when the warehouse has no
    release (built before it existed: the next load builds it)."""
    try:
        row = queries._run(src, "select value from meta.settings where key = 'release_k'")
    except duckdb.CatalogException:
        return None
    return int(row["value"].iloc[0]) if not row.empty else None


def serves(aud, k: int | None) -> bool:
    """Whether the release may serve this audience: the public audience, with a release
    suppressed for at least its k (a stricter k asked at run time — TWINIMPACT_K=10 for one
    report — falls back to the per-query layer, which applies it)."""
    return aud.role == "public" and k is not None and aud.k is not None and aud.k <= k


def route(calls: tuple, aud, k: int | None) -> tuple:
    """The public audience's calls of RELEASED queries, renamed to be served from the
    release (`k`: the release's); every other call (and every call of another audience)
    unchanged."""
    if not serves(aud, k):
        return calls
    return tuple((PREFIX + name, *args) if name in RELEASED else (name, *args)
                 for name, *args in calls)


def released(name: str):
    """The release function behind a routed call's name, else None."""
    return RELEASED.get(name[len(PREFIX):]) if name.startswith(PREFIX) else None


# ---- public mode's "change against" (issue 19): two release periods ---------------------

TOTALS = ("displacement_totals", "crew_totals", "model_income_totals", "consent_totals")


def compared(name: str):
    """RELEASED[name], whose two-row totals compare with `f.against` when it is set (the
    release period the reader chose) instead of the period just before: each row is then
    its own period's release figure, so the change is the difference of two release cells,
    and hidden when either is."""
    from dataclasses import replace  # (here: the module's head is the figures' part)

    fn = RELEASED[name]

    def run(src: Source, f: Filters):
        now = fn(src, replace(f, against=None))
        if f.against is None or name not in TOTALS:
            return now
        first, last = f.against
        then = fn(src, replace(f, from_month=first, to_month=last, against=None))
        return pd.concat([now.iloc[[0]], then.iloc[[0]].assign(period="previous")],
                         ignore_index=True)
    return run


def serving(name: str):
    """The release function behind a routed call's name (comparing as `compared` does),
    else None."""
    base = name.removeprefix(PREFIX)
    return compared(base) if name.startswith(PREFIX) and base in RELEASED else None

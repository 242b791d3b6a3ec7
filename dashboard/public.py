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

import pandas as pd

from dashboard import privacy, queries
from dashboard.filters import Filters
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


def periods(src: Source) -> pd.DataFrame:
    """grain, period, period_start, period_end: the periods the release publishes (the
    public period picker's choices)."""
    return queries._run(src, "select grain, period, period_start, period_end from release.periods "
                     "order by period_start, grain")


RELEASED = {"twin_share_overall": twin_share_overall,
            "twin_share_by_channel": twin_share_by_channel,
            "consent_over_time": consent_over_time}


PREFIX = "release:"  # a call served from the release (its own cache entry, never disclosed again)


def route(calls: tuple, aud) -> tuple:
    """The public audience's calls of RELEASED queries, renamed to be served from the
    release; every other call (and every call of another audience) unchanged."""
    if aud.role != "public":
        return calls
    return tuple((PREFIX + name, *args) if name in RELEASED else (name, *args)
                 for name, *args in calls)


def released(name: str):
    """The release function behind a routed call's name, else None."""
    return RELEASED.get(name[len(PREFIX):]) if name.startswith(PREFIX) else None

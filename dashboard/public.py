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

import contextvars
import re
import threading
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from dashboard import privacy, queries
from dashboard.filters import Filters, Known, add_months, previous_period
from dashboard.queries import Source
from dashboard.queries.base import ROLE
from dashboard.queries.employment import AREA_LEVEL, GRANULARITY, SURVEY_AREA

# the order a breakdown is taken in when several are set: a public figure follows one
BREAKDOWNS = ("brand", "channel", "region")
# measures with a cell wherever they have a figure, 0 included (the DiD shortfall: every
# observed brand-month, contributions.sql): no cell is no figure. Every other measure has no
# cell where nothing happened: no cell is 0.
ZERO_CELLS = frozenset({"displaced_days_did"})


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
    status. One member's months are read for every measure, once per batch (`shared`): a
    page's charts of the same member and period share them."""
    if by_member:
        return _month_cells(src, f, measures, dim, "", True)
    every = _once(("months", f.start(), f.end(), dim, member),
                  lambda: _month_cells(src, f, None, dim, member, False))
    return every[every["measure"].isin(measures)].reset_index(drop=True)


def _month_cells(src: Source, f: Filters, measures: tuple[str, ...] | None, dim: str,
                 member: str, by_member: bool) -> pd.DataFrame:
    return queries._run(src, """
        select period_start as month, member, measure, value, people, status
        from release.cells
        where grain = 'month'
          and ($measures::varchar[] is null or list_contains($measures::varchar[], measure))
          and dim = $dim and ($by_member or member = $member)
          and ($start::date is null or period_start >= $start::date)
          and ($end::date is null or period_start <= $end::date)
        order by month, member
    """, {"measures": None if measures is None else list(measures), "dim": dim,
          "member": member, "by_member": by_member, "start": f.start(), "end": f.end()})


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
    # no cell: nothing happened (the release has no cell where nothing happened), or no
    # figure (ZERO_CELLS)
    for measure, col in names.items():
        wide[col] = wide[col].where(status[measure].notna(),
                                    np.nan if measure in ZERO_CELLS else 0.0)
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


# ---- what a page's figures share: read once per batch ----------------------------------

_shared: contextvars.ContextVar[dict | None] = contextvars.ContextVar("release_shared",
                                                                     default=None)


@contextmanager
def shared(about=None):
    """Inside the block (a page's batch of calls, `data.run_batch`: one published version),
    what the release's figures share — its k and months, the brands' adoption months and
    home regions — is read once for all of them instead of once per figure; the calls run
    in copies of this context, on threads. Outside it every figure reads its own.
    `about`: a function giving `_about`'s value without a query of its own (`about_of`)."""
    memo: dict = {"lock": threading.Lock()}
    if about is not None:
        memo[("about",)] = {"lock": threading.Lock(), "read": about}
    token = _shared.set(memo)
    try:
        yield
    finally:
        _shared.reset(token)


def _once(key: tuple, read):
    """`read()`, once per `shared` block (its value is shared: never changed in place)."""
    memo = _shared.get()
    if memo is None:
        return read()
    with memo["lock"]:
        slot = memo.setdefault(key, {"lock": threading.Lock()})
    with slot["lock"]:  # a second thread asking meanwhile waits for the first one's read
        if "value" not in slot:
            slot["value"] = slot.get("read", read)()
    return slot["value"]


def _k(src: Source) -> int:
    """The release's k (the batch's `_about` when it is known or read already)."""
    memo = _shared.get()
    if memo is not None and ("about",) in memo:
        return _about(src)[0]
    row = _provenance(src)
    return int(row["k"].iloc[0]) if not row.empty else 5


def _provenance(src: Source) -> pd.DataFrame:
    """release.provenance's row (as_of, simulated, loads, files, k, currency), once per
    batch: the provenance, the currency and the k a page shows."""
    return _once(("provenance",), lambda: queries._run(
        src, "select as_of, simulated, loads, files, k, currency from release.provenance"))


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
    """The release's k and the first and last month it holds: in one query, or none in a
    batch that knows them (`shared`)."""
    return _once(("about",), lambda: _read_about(src))


def about_of(k: int | None, periods: pd.DataFrame) -> tuple[int, date | None, date | None]:
    """`_about`'s value from the release's k (release_k) and its periods (`periods`): the
    first and last month are those of its month periods."""
    months = periods.loc[periods["grain"] == "month", "period_start"]
    if months.empty:
        return (5 if k is None else k), None, None
    return (5 if k is None else k), *(pd.Timestamp(m).date() for m in (months.min(),
                                                                       months.max()))


def _read_about(src: Source) -> tuple[int, date | None, date | None]:
    row = queries._run(src, """
        select (select k from release.provenance) as k,
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
           dim: str, by_member: bool = False, member: str = "",
           by_year: bool = False) -> pd.DataFrame:
    """Per (member,) measure (and calendar year of the tiles, `by_year`): the sum of the
    tiles' values (a tile without a cell is 0), NaN when any tile is hidden; people: the most
    people behind one tile (a lower bound of the distinct people behind the sum); status:
    the worst tile's; cells: tiles found. A sum of shown cells tells nothing the release
    does not."""
    return _tiled_parts(src, {"": periods}, measures, dim, by_member, member,
                        by_year).drop(columns="part")


def _tiled_parts(src: Source, parts: dict[str, list[tuple[str, str]]],
                 measures: tuple[str, ...], dim: str, by_member: bool = False,
                 member: str = "", by_year: bool = False) -> pd.DataFrame:
    """`_tiled` of several periods at once (part → its tiles), in one query: its rows with
    the `part` they sum. One member's cells are read for every measure, once per batch
    (`shared`): a page's headlines of the same periods share them."""
    wanted = tuple((part, f"{g}|{p}") for part, tiled in parts.items() for g, p in tiled)
    if by_member:
        cells = _tile_cells(src, wanted, measures, dim, True, "")
    else:
        every = _once(("tiles", wanted, dim, member),
                      lambda: _tile_cells(src, wanted, None, dim, False, member))
        cells = every[every["measure"].isin(measures)].copy()
    rank = {"shown": 0, "secondary": 1, "primary": 2}
    cells["rank"] = cells["status"].map(rank)
    out = cells.groupby(["part"] + ["year"] * by_year + ["member", "measure"], sort=True).agg(
        value=("value", lambda v: v.sum(min_count=1)), people=("people", "max"),
        rank=("rank", "max"), cells=("status", "size")).reset_index()
    out.loc[out["rank"] > 0, ["value", "people"]] = np.nan
    out["status"] = out["rank"].map({v: k for k, v in rank.items()})
    return out.drop(columns="rank")


def _tile_cells(src: Source, wanted: tuple[tuple[str, str], ...],
                measures: tuple[str, ...] | None, dim: str, by_member: bool,
                member: str) -> pd.DataFrame:
    """part, member, measure, value, people, status, year: the cells of the wanted (part,
    `grain|period`) tiles of `measures` (None: all)."""
    return queries._run(src, """
        with wanted as (select unnest($parts::varchar[]) as part,
                               unnest($periods::varchar[]) as tile)
        select w.part, c.member, c.measure, c.value, c.people, c.status,
               left(c.period, 4)::integer as year
        from release.cells c
        join wanted w on w.tile = c.grain || '|' || c.period
        where ($measures::varchar[] is null or list_contains($measures::varchar[], c.measure))
          and c.dim = $dim and ($by_member or c.member = $member)
    """, {"measures": None if measures is None else list(measures), "dim": dim,
          "by_member": by_member, "member": member, "parts": [p for p, _ in wanted],
          "periods": [t for _, t in wanted]})


def _mark(statuses, k: int) -> str:
    seen = set(statuses)
    return (privacy.note(k) if "primary" in seen else
            privacy.secondary_note(k) if "secondary" in seen else "")


def _spans(f: Filters, about: tuple) -> dict[str, tuple[date, date] | None]:
    """The first and last month of the period (`current`) and of the one of the same length
    before it (`previous`: none without a chosen start); none when the release is empty."""
    bounds = _bounds(f, about)
    return {"current": bounds,
            "previous": previous_period(*bounds) if bounds and f.start() else None}


def _two(src: Source, f: Filters, measures: dict[str, str], people: dict[str, str],
         allowed: tuple[str, ...] = BREAKDOWNS) -> pd.DataFrame:
    """Two rows — the period, then the one of the same length before it — of `measures`
    (release measure → column), with `people` (column → release measure whose people it
    is) and `cells`; the release cells tiling each period."""
    dim, member = breakdown(f, allowed)
    about = _about(src)
    spans, k = _spans(f, about), about[0]
    # both periods' tiles in one query
    got = _tiled_parts(src, {label: tiles(*span, *about[1:]) for label, span in spans.items()
                             if span}, tuple({*measures, *people.values()}), dim,
                       member=member) if spans["current"] else pd.DataFrame(
        columns=["part", "member", "measure", "value", "people", "status", "cells"])
    rows = []
    for label, span in spans.items():
        row: dict = {"period": label}
        part = got[got["part"] == label]
        by = part.set_index("measure")
        for measure, col in measures.items():
            row[col] = float(by.loc[measure, "value"]) if measure in by.index else (
                0.0 if span and measure not in ZERO_CELLS else np.nan)
        for col, measure in people.items():
            row[col] = by.loc[measure, "people"] if measure in by.index else 0
        row["cells"] = int(part["cells"].sum()) if len(part) else 0
        row[privacy.SUPPRESSED_COL] = _mark(part["status"], k) if len(part) else ""
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
    # a period with a month after a brand's first twin use but without a difference in
    # differences (release.no_did_months) has no DiD figure: not the 0 or the before/after
    # shortfall its cells hold (as the private figure)
    dim, member = breakdown(f)
    months = pd.to_datetime(_no_did(src, None, None, dim, member)["month"]).dt.date
    for label, span in _spans(f, _about(src)).items():  # both periods from one query
        if span and months.between(*span).any():
            out.loc[out["period"] == label, "displaced_did"] = np.nan
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


# ---- the other figures public output shows: release cells and the release's tables ------


def _span(src: Source, f: Filters) -> tuple[int, list[tuple[str, str]]]:
    """The release's k and the tiles of f's period (none when the release is empty)."""
    about = _about(src)
    bounds = _bounds(f, about)
    return about[0], (tiles(*bounds, *about[1:]) if bounds else [])


def _homes(src: Source) -> dict[str, str]:
    """brand → home region: the brands of the release's region cells."""
    def read():
        rows = queries._run(src, "select distinct brand_id, region from release.no_did_months")
        return dict(zip(rows["brand_id"], rows["region"], strict=True))
    return _once(("homes",), read)


def _no_did(src: Source, start: date | None, end: date | None, dim: str,
            member: str) -> pd.DataFrame:
    """The months (and brands) of start..end (none: unbounded) whose shortfall is a
    before/after one: no difference in differences."""
    return _once(("no_did", start, end, dim, member), lambda: queries._run(src, """
        select distinct month, brand_id from release.no_did_months
        where ($start::date is null or month >= $start::date)
          and ($end::date is null or month <= $end::date)
          and ($dim = 'all' or ($dim = 'brand' and brand_id = $member)
               or ($dim = 'channel' and channel = $member)
               or ($dim = 'region' and region = $member))
    """, {"start": start, "end": end, "dim": dim, "member": member}))


def shoot_days_vs_expected(src: Source, f: Filters) -> pd.DataFrame:
    """month, actual_shoot_days, expected_did, expected_before_after, expected_upper,
    cancelled_for_twin_days, models: the release's month cells of the industry or of one
    brand, channel or region (expected_upper hidden with its displaced_days_upper cell)."""
    dim, member = breakdown(f)
    names = {"shoot_days": "actual_shoot_days", "displaced_days_did": "did",
             "displaced_days_upper": "upper", "cancelled_days": "cancelled_for_twin_days"}
    cells = _months(src, f, tuple(names), dim, member)
    cols = ["month", "actual_shoot_days", "expected_did", "expected_before_after",
            "expected_upper", "cancelled_for_twin_days", "models", privacy.SUPPRESSED_COL]
    if cells.empty:
        return pd.DataFrame(columns=cols)
    # the people behind the upper bound (models) are its cell's; shoots are no one's
    order = {"displaced_days_upper": "upper", **names}
    out = _wide(cells, ["month"], order, "models", _k(src))
    out = out.rename(columns={"upper": "expected_upper"})
    no_did = set(pd.to_datetime(_no_did(src, f.start(), f.end(), dim, member)["month"]))
    out["month"] = pd.to_datetime(out["month"])
    expected = out["actual_shoot_days"] + out["did"]
    before_after = out["month"].isin(no_did)
    out["expected_did"] = expected.where(~before_after)
    out["expected_before_after"] = expected.where(before_after)
    out["expected_upper"] = out["actual_shoot_days"] + out["expected_upper"]
    return out[cols]


def _by_brand(src: Source, f: Filters, measures: tuple[str, ...]) -> tuple[pd.DataFrame, int]:
    """Per brand (the brand or region filter choosing which), the release's brand cells of
    `measures` over f's period, wide: a column per measure, NaN where a tile is hidden; the
    people of the first measure, the worst status per brand."""
    k, periods = _span(src, f)
    got = _tiled(src, periods, measures, "brand", by_member=True) if periods else \
        pd.DataFrame(columns=["member", "measure", "value", "people", "status", "cells"])
    if f.brand:
        got = got[got["member"].isin(f.brand)]
    elif f.region:
        homes = _homes(src)
        got = got[got["member"].map(homes).isin(f.region)]
    wide = got.pivot(index="member", columns="measure", values="value").reindex(
        columns=list(measures))
    found = got.pivot(index="member", columns="measure", values="status").reindex(
        index=wide.index, columns=list(measures))
    # no cell: nothing happened, or no figure (ZERO_CELLS; hidden: NaN already)
    zeros = [m for m in measures if m not in ZERO_CELLS]
    wide[zeros] = wide[zeros].where(found[zeros].notna(), 0.0)
    first = got[got["measure"] == measures[0]].set_index("member")
    # no cell: nobody; a hidden cell: its people are not published either
    wide["people"] = first["people"].reindex(wide.index).where(
        first["status"].reindex(wide.index).notna(), 0)
    statuses = got.groupby("member")["status"].agg(list)  # one pass, not one per brand
    wide[privacy.SUPPRESSED_COL] = [_mark(statuses.get(b, []), k) for b in wide.index]
    return wide.rename_axis(index="brand_id", columns=None).reset_index(), k


def _adoption(src: Source) -> dict[str, str]:
    """brand → its first month with a twin_images cell (a cell exists, shown or hidden,
    wherever a brand used a twin: the release publishes that much)."""
    def read():
        rows = queries._run(src, """
            select member as brand_id, strftime(min(period_start), '%Y-%m') as adoption_month
            from release.cells
            where measure = 'twin_images' and grain = 'month' and dim = 'brand'
            group by member
        """)
        return dict(zip(rows["brand_id"], rows["adoption_month"], strict=True))
    return _once(("adoption",), read)


def brands_ranked(src: Source, f: Filters) -> pd.DataFrame:
    """brand_id, adoption_month, twin_assets, shoot_assets, twin_share, displaced_did,
    displaced_upper, cancelled_for_twin_days, models: the release's brand cells over the
    period (a channel filter is not followed: the release has no brand × channel cell)."""
    measures = ("twin_images", "shoot_images", "displaced_days_did", "displaced_days_upper",
                "cancelled_days")
    wide, _ = _by_brand(src, f, measures)
    cols = ["brand_id", "adoption_month", "twin_assets", "shoot_assets", "twin_share",
            "displaced_did", "displaced_upper", "cancelled_for_twin_days", "models",
            privacy.SUPPRESSED_COL]
    out = wide.rename(columns={"twin_images": "twin_assets", "shoot_images": "shoot_assets",
                               "displaced_days_did": "displaced_did",
                               "displaced_days_upper": "displaced_upper",
                               "cancelled_days": "cancelled_for_twin_days",
                               "people": "models"})
    out["adoption_month"] = out["brand_id"].map(_adoption(src))
    out["twin_share"] = out["twin_assets"] / (out["twin_assets"] + out["shoot_assets"])
    out["shortfall"] = out["displaced_did"]
    no_did = set(_no_did(src, f.start(), f.end(), "all", "")["brand_id"])
    out.loc[out["brand_id"].isin(no_did), "displaced_did"] = np.nan
    out = out.sort_values(["shortfall", "twin_assets", "brand_id"],
                          ascending=[False, False, True], na_position="last", kind="stable")
    return out[cols].reset_index(drop=True)


def brand_choices(src: Source, f: Filters) -> pd.DataFrame:
    """brand_id, adoption_month, displaced_did: the brands of the release, most displaced
    first (shoot days: no people)."""
    # shoot days first: every brand that booked a shoot is a choice
    wide, _ = _by_brand(src, f, ("shoot_days", "displaced_days_did", "twin_images"))
    out = wide.rename(columns={"displaced_days_did": "displaced_did"})
    out["adoption_month"] = out["brand_id"].map(_adoption(src))
    out = out.sort_values(["displaced_did", "twin_images", "brand_id"],
                          ascending=[False, False, True], na_position="last", kind="stable")
    return out[["brand_id", "adoption_month", "displaced_did"]].reset_index(drop=True)


def compliance_by_brand(src: Source, f: Filters) -> pd.DataFrame:
    """brand_id, twin_assets, licensed_share, watermarked_share, disclosed_share, people,
    unlicensed_people, unwatermarked_people, undisclosed_people: the release's brand cells
    of twin images and their unlicensed, unwatermarked, undisclosed parts (a share hidden
    with either of its cells), least licensed first."""
    measures = ("twin_images", "unlicensed_images", "unwatermarked_images",
                "undisclosed_images")
    wide, _ = _by_brand(src, f, measures)
    twin = wide["twin_images"]
    out = pd.DataFrame({
        "brand_id": wide["brand_id"], "twin_assets": twin,
        "licensed_share": 1 - wide["unlicensed_images"] / twin,
        "watermarked_share": 1 - wide["unwatermarked_images"] / twin,
        "disclosed_share": 1 - wide["undisclosed_images"] / twin,
        "people": wide["people"], privacy.SUPPRESSED_COL: wide[privacy.SUPPRESSED_COL]})
    out = out[~(twin == 0)]
    for col in ("unlicensed_people", "unwatermarked_people", "undisclosed_people"):
        out[col] = np.nan  # the parts' people: not published beside their shares
    out = out.sort_values(["licensed_share", "brand_id"], na_position="last", kind="stable")
    return out[["brand_id", "twin_assets", "licensed_share", "watermarked_share",
                "disclosed_share", "people", "unlicensed_people", "unwatermarked_people",
                "undisclosed_people", privacy.SUPPRESSED_COL]].reset_index(drop=True)


def model_income_over_time(src: Source, f: Filters) -> pd.DataFrame:
    """month, shoot_income (crew income of role model), twin_income (twin fees),
    models_shoot, models_twin: the release's month cells; the period only, as the marts'."""
    cells = queries._run(src, """
        select period_start as month, measure, value, people, status
        from release.cells
        where grain = 'month' and ((measure = 'crew_income' and dim = 'role'
                                    and member = 'model')
                                   or (measure = 'twin_fees' and dim = 'all'))
          and ($start::date is null or period_start >= $start::date)
          and ($end::date is null or period_start <= $end::date)
        order by month
    """, {"start": f.start(), "end": f.end()})
    k = _k(src)
    cols = ["month", "shoot_income", "twin_income", "models_shoot", "models_twin",
            privacy.SUPPRESSED_COL]
    if cells.empty:
        return pd.DataFrame(columns=cols)
    shoot = _wide(cells[cells["measure"] == "crew_income"], ["month"],
                  {"crew_income": "shoot_income"}, "models_shoot", k)
    twin = _wide(cells[cells["measure"] == "twin_fees"], ["month"],
                 {"twin_fees": "twin_income"}, "models_twin", k)
    out = shoot.merge(twin, on="month", how="outer", suffixes=("", "_twin"))
    out[privacy.SUPPRESSED_COL] = [
        a or b for a, b in zip(out[privacy.SUPPRESSED_COL].fillna(""),
                        out[privacy.SUPPRESSED_COL + "_twin"].fillna(""), strict=True)]
    for col in ("shoot_income", "twin_income"):  # a month without the cell: nothing earned
        out[col] = out[col].where(out[col].notna() | out[privacy.SUPPRESSED_COL].ne(""), 0.0)
    out[["models_shoot", "models_twin"]] = out[["models_shoot", "models_twin"]].fillna(0)
    out["month"] = pd.to_datetime(out["month"])
    return out.sort_values("month")[cols].reset_index(drop=True)


def crew_income_by_year_role(src: Source, f: Filters) -> pd.DataFrame:
    """year, months, role, crew_days, crew_income, displaced_crew_income, people: per year the
    period touches, the release's role cells tiling the period's months of that year (the
    role breakdown: a brand or region filter is not followed)."""
    about = _about(src)
    bounds = _bounds(f, about)
    cols = ["year", "months", "role", "crew_days", "crew_income", "displaced_crew_income",
            "people", privacy.SUPPRESSED_COL]
    if bounds is None:
        return pd.DataFrame(columns=cols)
    k, (start, end) = about[0], bounds
    measures = ("crew_days", "crew_income", "displaced_crew_income")
    # each year's part of the period, tiled on its own (a tile never spans two years)
    periods = [t for year in range(start.year, end.year + 1)
               for t in tiles(max(start, date(year, 1, 1)), min(end, date(year, 12, 1)),
                              *about[1:])]
    months = queries._run(src, """
        select year(period_start) as year, count(*) as n from release.cells
        where measure = 'crew_days' and grain = 'month' and dim = 'all'
          and period_start between $a and $b
        group by all
    """, {"a": start, "b": end}).set_index("year")["n"]
    got = _tiled(src, periods, measures, "role", by_member=True, by_year=True)
    if f.role:
        got = got[got["member"].isin(f.role)]
    rows = []
    for (year, role), g in got.groupby(["year", "member"], sort=True):
        by = g.set_index("measure")
        row = {"year": year, "months": int(months.get(year, 0)), "role": role}
        for m in measures:
            row[m] = float(by.loc[m, "value"]) if m in by.index else 0.0
        row["people"] = by.loc["crew_days", "people"] if "crew_days" in by.index else 0
        row[privacy.SUPPRESSED_COL] = _mark(g["status"], k)
        rows.append(row)
    return pd.DataFrame(rows, columns=cols)


def unlicensed_reasons(src: Source, f: Filters) -> pd.DataFrame:
    """reason, assets, people: the release's reason cells of unlicensed images over the
    period, most first (the reason breakdown: a brand or region filter is not followed)."""
    k, periods = _span(src, f)
    cols = ["reason", "assets", "people", privacy.SUPPRESSED_COL]
    got = _tiled(src, periods, ("unlicensed_images",), "reason", by_member=True) \
        if periods else pd.DataFrame()
    if got.empty:
        return pd.DataFrame(columns=cols)
    out = pd.DataFrame({"reason": got["member"], "assets": got["value"],
                        "people": got["people"].astype("float64"),
                        privacy.SUPPRESSED_COL: [_mark([s], k) for s in got["status"]]})
    out = out[out["assets"].isna() | (out["assets"] > 0)]
    return out.sort_values(["assets", "reason"], ascending=[False, True], na_position="last",
                           kind="stable")[cols].reset_index(drop=True)


def twin_arrival(src: Source, f: Filters) -> pd.DataFrame:
    """first_use (the first month a brand based in the filter's regions used a twin; every
    brand without a region), first_use_any: the first month cells of twin images."""
    return queries._run(src, """
        select min(period_start) filter (where dim = 'region' and
                   (len($region::varchar[]) = 0 or list_contains($region::varchar[], member)))
                   ::timestamp as first_use,
               min(period_start) filter (where dim = 'all')::timestamp as first_use_any
        from release.cells
        where measure = 'twin_images' and grain = 'month'
    """, {"region": list(f.region)})


def _statistics(src: Source, names: list[str], years: tuple[int, int] | None = None,
                year: int | None = None) -> pd.DataFrame:
    return queries._run(src, """
        select statistic, period::integer as year, member as cohort, point, value, people,
            status
        from release.statistics
        where list_contains($names::varchar[], statistic)
          and ($year::integer is null or period::integer = $year::integer)
          and ($a::integer is null or period::integer between $a::integer and $b::integer)
        order by year, cohort, point
    """, {"names": names, "year": year, "a": years[0] if years else None,
          "b": years[1] if years else None})


DISTRIBUTION = ("models", "median_income", "p90_income", "top10_share", "gini")


def income_distribution(src: Source, f: Filters) -> pd.DataFrame:
    """year, cohort, models, median_income, p90_income, top10_share, gini, top_group:
    release.statistics for the years the period touches (each statistic shown by its own
    rule: METHODOLOGY.md, "The public release")."""
    start, end = f.start(), f.end()
    stats = _statistics(src, list(DISTRIBUTION),
                        (start.year, end.year) if start and end else None)
    cols = ["year", "cohort", *DISTRIBUTION, "top_group", privacy.SUPPRESSED_COL]
    if stats.empty:
        return pd.DataFrame(columns=cols)
    k = _k(src)
    wide = stats.pivot(index=["year", "cohort"], columns="statistic", values="value").reindex(
        columns=list(DISTRIBUTION))
    top = stats[stats["statistic"] == "top10_share"].set_index(["year", "cohort"])["people"]
    hidden = stats[stats["status"] != "shown"].groupby(["year", "cohort"])["status"].agg(list)
    out = wide.assign(top_group=top.reindex(wide.index).astype("float64")).rename_axis(
        columns=None).reset_index()
    out[privacy.SUPPRESSED_COL] = [_mark(hidden.get((y, c), []), k)
                                   for y, c in zip(out["year"], out["cohort"], strict=True)]
    return out[cols]


def lorenz(src: Source, year: int) -> pd.DataFrame:
    """cohort, models, pop_share, income_share: the release's decile points of each cohort
    whose curve is shown (every decile of ≥ k models, none dominated), (0, 0) first."""
    stats = _statistics(src, ["lorenz", "models"], year=int(year))
    curve = stats[(stats["statistic"] == "lorenz") & (stats["status"] == "shown")]
    models = stats[stats["statistic"] == "models"].set_index("cohort")["value"]
    cols = ["cohort", "models", "pop_share", "income_share"]
    if curve.empty:
        return pd.DataFrame(columns=cols)
    points = pd.DataFrame({"cohort": curve["cohort"], "pop_share": curve["point"],
                           "income_share": curve["value"]})
    origin = pd.DataFrame({"cohort": points["cohort"].unique(), "pop_share": 0.0,
                           "income_share": 0.0})
    out = pd.concat([origin, points], ignore_index=True)
    out["models"] = out["cohort"].map(models).astype("int64")
    return out.sort_values(["cohort", "pop_share"], kind="stable")[cols].reset_index(drop=True)


def event_study(src: Source, f: Filters) -> pd.DataFrame:
    """scope, event_month, effect, effect_low, effect_high, brands, placebo, joint_low,
    joint_high: release.event_study of ALL, or of the one brand filtered."""
    dim, member = breakdown(f, ("brand",))
    return queries._run(src, """
        select scope, event_month, effect, effect_low, effect_high, brands, placebo,
            joint_low, joint_high
        from release.event_study
        where scope = case when $dim = 'brand' then $member else 'ALL' end
        order by scope, event_month
    """, {"dim": dim, "member": member})


_SURVEY_COLS = ("employed::double as employed, median_earnings::double as median_earnings, "
                "mean_earnings::double as mean_earnings, earnings_basis, currency, "
                "case status when 'primary' then $note when 'secondary' then $second "
                "else '' end as suppressed")


def _survey(src: Source, f: Filters, select: str, where: str, order: str,
            extra: dict | None = None) -> pd.DataFrame:
    k = _k(src)
    return queries._run(src, f"""
        select {select}
        from (select *, {GRANULARITY} as granularity,
                  {AREA_LEVEL} as area_level
              from release.survey) as rows
        where {ROLE} and {where}
        order by {order}
    """, {"role": list(f.role), "region": list(f.region), "note": privacy.note(k),  # noqa: S608
          "second": privacy.secondary_note(k), **(extra or {})})


def employment_survey(src: Source, f: Filters) -> pd.DataFrame:
    """period, area, role, source, employed, median_earnings, mean_earnings, earnings_basis,
    currency (+ suppressed): release.survey, every non-BLS source."""
    return _survey(src, f, f"period, area, role, source, {_SURVEY_COLS}",
                   f"source not ilike '%BLS%' and {SURVEY_AREA}",
                   "period, area, role, source")


def employment_bls(src: Source, f: Filters) -> pd.DataFrame:
    """The BLS OEWS rows of release.survey (national statistics, shown as published)."""
    return _survey(src, f, f"period, area, role, source, {_SURVEY_COLS}",
                   "source ilike '%BLS%'", "role, period")


def employment_sources(src: Source, f: Filters) -> pd.DataFrame:
    """source, granularity, area_level, rows, periods, first_period, last_period of
    release.survey (counts of rows, no people)."""
    return _survey(src, f, "source, granularity, area_level, count(*) as rows, "
                           "count(distinct period) as periods, min(period) as first_period, "
                           "max(period) as last_period",
                   f"{SURVEY_AREA} group by all", "rows desc, source, granularity, area_level")


def employment_series(src: Source, f: Filters, source: str | None = None,
                      granularity: str | None = None,
                      area_level: str | None = None) -> pd.DataFrame:
    """queries.employment_series' frame from release.survey (hidden rows NaN, marked)."""
    return _survey(src, f, "period, period_start, area, role, source, granularity, area_level, "
                           + _SURVEY_COLS, f"""{SURVEY_AREA}
          and (source, granularity, area_level) in (
            select (source, granularity, area_level) from (
                select source, {GRANULARITY} as granularity,
                    {AREA_LEVEL} as area_level, count(*) as n
                from release.survey
                where {ROLE} and {SURVEY_AREA} and $source::varchar is null
                group by all
                order by n desc, source, granularity, area_level
                limit 1)
            union all
            select ($source::varchar, $granularity::varchar, $area_level::varchar))""",  # noqa: S608
                   "period_start, area, role",
                   {"source": source, "granularity": granularity, "area_level": area_level})


def known_values(src: Source) -> Known:
    """The months, brands and regions a public URL may name: release.filter_values."""
    rows = queries._run(src, "select filter, value from release.filter_values "
                             "order by filter, value")
    values = {name: tuple(group["value"]) for name, group in rows.groupby("filter", sort=False)}
    return Known(months=values.get("month", ()), brands=values.get("brand", ()),
                 regions=values.get("region", ()))


def provenance(src: Source) -> pd.DataFrame:
    """as_of, simulated, loads, files: what the release was built from."""
    return _provenance(src)[["as_of", "simulated", "loads", "files"]]


def reporting_currency(src: Source) -> str:
    """The reporting currency the release's money is in."""
    row = _provenance(src)
    return str(row["currency"].iloc[0]) if not row.empty else "EUR"


def loads(src: Source) -> pd.DataFrame:
    """The Data page's list of loads, as of the release (file base names only)."""
    return queries._run(src, "select * from release.loads order by load_id desc")


def quarantine_summary(src: Source) -> pd.DataFrame:
    """kind, file, column_name, rule, rows: quarantined rows counted, never their values."""
    return queries._run(src, "select * from release.quarantine "
                             "order by rows desc, kind, file, column_name, rule")


def data_quality(src: Source) -> pd.DataFrame:
    """References that do not join, as of the release (counts, no ids)."""
    return queries._run(src, "select * from release.data_quality order by rows desc, "
                             "check_name")


def ready_for(db: Path, aud, k=None) -> bool:
    """Whether the warehouse has what `aud` reads: the release for the public audience it
    serves (public pages read nothing else), else the marts (queries.warehouse_ready).
    `k`: a function giving the release's k (a cached release_k), else it is read here."""
    if aud.role == "public" and Path(db).exists():
        try:
            if serves(aud, k() if k else release_k(db)):
                return True
        except Exception:  # noqa: BLE001 — a half-written or foreign file: not the release
            return False
    return queries.warehouse_ready(db)


# Figures that are not part of the release: the public audience gets their frame empty, its
# reason in attrs[WITHHELD] (ui shows it), never the marts. The columns are the queries'.
WITHHELD = "withheld"
NOT_RELEASED = "withheld: not part of the public release"
_NOT_RELEASED_COLUMNS = {
    # the rights scorecard's met / not met / unknown counts split twin images into parts the
    # release does not (yet) hold as cells of its own
    "rights_scorecard": ("right", "right_order", "twin_assets", "assets_met",
                         "assets_not_met", "assets_unknown", "share_met", "share_not_met",
                         "share_unknown", "models", "split_models"),
    "rights_by_brand": ("brand_id", "right", "right_order", "twin_assets", "assets_met",
                        "assets_not_met", "assets_unknown", "share_met", "share_not_met",
                        "share_unknown", "models", "split_models"),
    "rights_by_year": ("year", "right", "right_order", "twin_assets", "assets_met",
                       "assets_not_met", "assets_unknown", "share_met", "share_not_met",
                       "share_unknown", "models", "split_models"),
    # images checked per brand: counts of the models whose twins they show, not in the release
    "image_checks_by_brand": ("brand_id", "images_checked", "images_valid",
                              "images_ai_declared", "images_no_training",
                              "images_linked_to_use", "claimed_disclosed",
                              "claimed_not_found", "found_not_claimed", "models"),
    "coverage": ("brand_id", "covered_from", "covered_to", "coverage", "observed_months"),
}


def _not_released(name: str):
    def withheld(src: Source, *args) -> pd.DataFrame:
        out = pd.DataFrame(columns=list(_NOT_RELEASED_COLUMNS[name]))
        out.attrs[WITHHELD] = NOT_RELEASED
        return out
    withheld.__doc__ = f"{name}: not part of the public release (an empty frame, marked)."
    return withheld


def withheld(df) -> str:
    """Why a public frame is empty ('' when it is not withheld)."""
    return getattr(df, "attrs", {}).get(WITHHELD, "")


# what a public figure's source line says: its numbers are the release's, not the marts' own
RELEASE_SOURCE = "through the audited public release"
# the release table each served query's figures are read from (its source line names it)
_SURVEY = ("employment_survey", "employment_bls", "employment_sources", "employment_series")
RELEASE_TABLES = {"displacement_estimates": "release.estimates",
                  "income_distribution": "release.statistics", "lorenz": "release.statistics",
                  "event_study": "release.event_study",
                  **dict.fromkeys(_SURVEY, "release.survey"),
                  "known_values": "release.filter_values", "provenance": "release.provenance",
                  "reporting_currency": "release.provenance", "loads": "release.loads",
                  "quarantine_summary": "release.quarantine",
                  "data_quality": "release.data_quality"}
# the warehouse's own tables a declaration's sources name (`marts.a, staging.b`)
_WAREHOUSE = re.compile(r"\b(?:marts|staging|meta)\.[a-z_]+"
                        r"(?:, (?:marts|staging|meta)\.[a-z_]+)*")


def sourced(sources: str, calls, serving: bool) -> str:
    """A figure's sources as its source line names them: when the release served every one
    of its `calls` (`serving`: the release serves this audience, see `serves`), the release
    tables they were read from stand where the sources name the marts they were built from,
    and the line says so; else the sources as declared (the marts)."""
    return sourced_all([(sources, calls)], serving)


def sourced_all(figures: list[tuple[str, list]], serving: bool) -> str:
    """`sourced` for several figures under one source line (a page's row of headlines):
    each one's sources, once, then whether the release served them all."""
    calls = [call for _, cs in figures for call in cs]
    if not (serving and calls and all(name in RELEASED and name not in _NOT_RELEASED_COLUMNS
                                      for name, *_ in calls)):
        return "; ".join(dict.fromkeys(sources for sources, _ in figures))
    return "; ".join(dict.fromkeys(_released(sources, cs) for sources, cs in figures)) \
        + f" · {RELEASE_SOURCE}"


def _released(sources: str, calls) -> str:
    """`sources` with the release tables `calls` read in place of the warehouse's."""
    tables = ", ".join(dict.fromkeys(RELEASE_TABLES.get(name, "release.cells")
                                     for name, *_ in calls))
    named = _WAREHOUSE.search(sources)
    if named is None:
        return f"{sources} ({tables})"
    # (any later name goes, with its brackets when it stood alone in them)
    rest = re.sub(rf" ?\(({_WAREHOUSE.pattern})\)|{_WAREHOUSE.pattern}", "",
                  sources[named.end():])
    return f"{sources[:named.start()]}{tables}{rest}"


def explain(df) -> str:
    """The sentence a page, image or report shows for a withheld frame ('' otherwise)."""
    return ("Withheld in public mode: not part of the public release (published figures are "
            "drawn from one audited release only)." if withheld(df) else "")


RELEASED = {"twin_share_overall": twin_share_overall,
            "twin_share_by_channel": twin_share_by_channel,
            "consent_over_time": consent_over_time,
            "displacement_totals": displacement_totals,
            "crew_totals": crew_totals,
            "model_income_totals": model_income_totals,
            "consent_totals": consent_totals,
            "crew_by_role": crew_by_role,
            "twin_share_by_half": twin_share_by_half,
            "displacement_estimates": displacement_estimates,
            "shoot_days_vs_expected": shoot_days_vs_expected,
            "brands_ranked": brands_ranked,
            "brand_choices": brand_choices,
            "compliance_by_brand": compliance_by_brand,
            "unlicensed_reasons": unlicensed_reasons,
            "model_income_over_time": model_income_over_time,
            "crew_income_by_year_role": crew_income_by_year_role,
            "twin_arrival": twin_arrival,
            "income_distribution": income_distribution,
            "lorenz": lorenz,
            "event_study": event_study,
            "employment_survey": employment_survey,
            "employment_bls": employment_bls,
            "employment_sources": employment_sources,
            "employment_series": employment_series,
            "known_values": known_values,
            "provenance": provenance,
            "reporting_currency": reporting_currency,
            "loads": loads,
            "quarantine_summary": quarantine_summary,
            "data_quality": data_quality,
            **{name: _not_released(name) for name in _NOT_RELEASED_COLUMNS}}


PREFIX = "release:"  # a call served from the release (its own cache entry, never disclosed again)


def release_k(src: Source) -> int | None:
    """The k the published release was suppressed for; None when the warehouse has no
    release (built before it existed: the next load builds it)."""
    try:
        row = queries._run(src, "select k from release.provenance")
    except duckdb.CatalogException:
        return None
    return int(row["k"].iloc[0]) if not row.empty else None


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


# ---- public mode's "change against" (issue 19): two release periods ---------------------

TOTALS = ("displacement_totals", "crew_totals", "model_income_totals", "consent_totals")


def compared(name: str):
    """RELEASED[name], whose two-row totals compare with `f.against` when it is set (the
    release period the reader chose) instead of the period just before: each row is then
    its own period's release figure, so the change is the difference of two release cells,
    and hidden when either is."""
    from dataclasses import replace  # (here: the module's head is the figures' part)

    fn = RELEASED[name]
    if name not in TOTALS:
        return fn

    def run(src: Source, f: Filters):
        now = fn(src, replace(f, against=None))
        if f.against is None:
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

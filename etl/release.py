"""The public release (CONTRACT §6): every figure public output may show, suppressed as one
pattern and audited by an interval attack before it is published.

Built inside the publish, after the marts (marts.rebuild calls `rebuild`), into the schema
`release`: one long table of cells, `release.cells` — measure × whole month, quarter or
calendar year × the industry total or one breakdown (brand, channel, role, the brand's home
region) — and views over it. Because every period grain is crossed with every one-way
breakdown, the two-way tables the pages draw (month × channel, brand × year, role × year…)
are cells of it.

Suppression, one pattern for all linked tables of a measure together:
- primary: fewer than k people behind the cell (config.k_threshold), or one person's part
  above DOMINANCE of its value;
- secondary: in every additive relation a reader knows (a period is the sum of its months or
  quarters, a total the sum of a breakdown's members, a region the sum of its brands, `ALL`
  the sum of the brands' estimates) every hidden cell must have room for ±PROTECTION of its
  value, taken alone and then through the rooms of the other hidden cells (`Pattern.close`);
  a cell short of it hides the shown cell that hides least (the smallest value that still
  covers what it lacks, then the fewest people), to a fixed point;
- audit: a linear programme per measure over every published cell (the relations above,
  non-negativity, shown cells fixed) gives each protected cell, primary and secondary, the
  lowest and highest value consistent with what is published; a cell whose range does not
  reach ±PROTECTION of its value gets another partner hidden, and the audit runs again until
  none is narrow.
The ranges are in meta.release_audit. Definitions and limits: METHODOLOGY.md, "The public
release".
"""

from __future__ import annotations

import hashlib
import itertools
import math
import os
import sys
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import highspy
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from etl import config, release_statistics
from etl.errors import UserError

DOMINANCE = 0.85  # one person above this share of a magnitude makes it a primary cell
PROTECTION = 0.5  # every protected cell's range must reach value ± this share of it
GRAINS = ("month", "quarter", "year")
DIMS = ("all", "brand", "channel", "role", "region", "reason")
SQL_DIR = config.SQL_DIR / "release"
WORKERS = min(2, os.cpu_count() or 1)  # threads protecting measures at once (`protect`)
PUSH_CHUNK = 16  # the fewest short cells the attack pushes together before giving up on them
_TWIN = ("staging.int_usage_cube", "staging.int_model_numbers")
_CREW = ("staging.int_crew_people",)
# the crew's shares of the displaced figures: of the month's crew days, or of the brand's
# pre-period crew (whose work they are made of) where that crew is few or one dominates
_SHARES = ("staging.int_crew_day_shares", "staging.int_crew_pre_people")
_YEARLY = ("staging.int_crew_pre_people",)  # the crew behind the estimates
_SHOOTS = ("marts.displacement_monthly",)
ESTIMATES = "marts.displacement_estimates"  # written by the estimator from numpy, not SQL
# measure → the family of contributions.sql that makes it and the relations its cells are made
# from (besides the brands' home regions, marts.brands, and the code): a measure whose inputs
# are what they were is not computed again (measure_inputs)
INPUTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "shoot_days": ("shoots", _SHOOTS),
    "shoot_images": ("shoots", _SHOOTS),
    "cancelled_days": ("shoots", _SHOOTS),
    "displaced_days_did": ("shoots", _SHOOTS),
    "displaced_days_upper": ("models", (*_TWIN, *_SHOOTS)),
    "twin_images": ("models", _TWIN),
    "unlicensed_images": ("models", _TWIN),
    "unwatermarked_images": ("models", _TWIN),
    "undisclosed_images": ("models", _TWIN),
    "twin_fees": ("models", _TWIN),
    "crew_days": ("crew", _CREW),
    "crew_income": ("crew", _CREW),
    "displaced_crew_days": ("displaced", (*_SHARES, "marts.crew_impact_monthly")),
    "displaced_crew_income": ("displaced", (*_SHARES, "marts.crew_impact_monthly")),
    # estimate_cells.sql: the estimates, their people from the crew's parts
    "est_crew_days": ("estimates", (*_YEARLY, ESTIMATES)),
    "est_crew_income": ("estimates", (*_YEARLY, ESTIMATES)),
}
# the families in the order a build computes their cells: each measure's solves start as
# soon as its cells exist (`Protection`), so the models' (the longest solves) go first and run
# beside the SQL of the crew's displaced figures (the longest SQL), then the rest
FAMILIES = ("models", "displaced", "crew", "shoots", "estimates")
# the relations the fingerprint follows (what release/*.sql reads)
READS = (*sorted({r for _, rs in INPUTS.values() for r in rs} - {ESTIMATES}), "marts.brands")
FINGERPRINT_KEY = "release.cells"
# what the last build did, in order: (phase, seconds); a phase per family of contributions,
# per pair of measures' cells, the estimates' cells, all measures protected ("protect", wall)
# and each measure protected (the wall times of its years added up: two years run at once)
PHASES: list[tuple[str, float]] = []
CPU: dict[str, float] = {}  # phase → the process's CPU seconds in it (all threads), where known

# measure → who the people behind it are (None: brands' figures, no person: never suppressed)
MEASURES: dict[str, str | None] = {
    "shoot_days": None,
    "shoot_images": None,
    "cancelled_days": None,
    "displaced_days_did": None,
    "displaced_days_upper": "models",
    "twin_images": "models",
    "unlicensed_images": "models",
    "unwatermarked_images": "models",
    "undisclosed_images": "models",
    "twin_fees": "models",
    "crew_days": "crew",
    "crew_income": "crew",
    "displaced_crew_days": "crew",
    "displaced_crew_income": "crew",
    "est_crew_days": "crew",     # marts.displacement_estimates, per brand-year and ALL-year
    "est_crew_income": "crew",
}
# estimates may take any sign: the attack does not assume them non-negative
SIGNED = frozenset({"displaced_days_did", "displaced_crew_days", "displaced_crew_income",
                    "est_crew_days", "est_crew_income"})


def cell_id(measure: str, period: str, dim: str, member: str) -> str:
    return f"{measure}:{period}:{dim}" + (f"={member}" if dim != "all" else "")


def quarter_of(month: str) -> str:
    return f"{month[:4]}-Q{(int(month[5:7]) - 1) // 3 + 1}"


def cell_ids(cells: pd.DataFrame) -> pd.Series:
    """cell_id of every row of a frame with columns measure, period, dim and member (in
    Arrow: a third of the time of pandas' string sums at 10M)."""
    measure, period, dim, member = (pa.array(cells[c], type=pa.large_string())
                                    for c in ("measure", "period", "dim", "member"))

    def text(s: str) -> pa.Scalar:
        return pa.scalar(s, pa.large_string())

    join = pc.binary_join_element_wise
    tail = pc.if_else(pc.equal(dim, text("all")), text(""), join(text("="), member, text("")))
    return pd.Series(join(measure, period, join(dim, tail, text("")), text(":")),
                     index=cells.index, dtype="str")


# ---------------------------------------------------------------- relations


def relations(cells: pd.DataFrame, homes: dict[str, str]) -> list[tuple[int, list[int]]]:
    """Every additive relation among one measure's cells a reader knows: (total, parts) as
    positions in `cells` (columns grain, period, dim, member). A part that has no cell is
    zero (the release has no cell where nothing happened)."""
    at = {(g, p, d, m): i for i, (g, p, d, m) in
          enumerate(zip(cells["grain"].tolist(), cells["period"].tolist(),
                        cells["dim"].tolist(), cells["member"].tolist(), strict=True))}
    groups: dict[tuple, list[int]] = defaultdict(list)
    quarter = {p: quarter_of(p) for g, p, _, _ in at if g == "month"}  # once per month
    for (g, p, d, m), i in at.items():
        if d != "all":
            groups[("dim", g, p, d)].append(i)
            if d == "brand" and m in homes:
                groups[("region", g, p, homes[m])].append(i)
        if g == "month":
            groups[("quarter", quarter[p], d, m)].append(i)
        elif g == "quarter":
            groups[("year", p[:4], d, m)].append(i)
    out = []
    for key, parts in groups.items():
        kind = key[0]
        if kind == "dim":
            total = at.get((key[1], key[2], "all", ""))
        elif kind == "region":
            total = at.get((key[1], key[2], "region", key[3]))
        else:
            total = at.get((kind, key[1], key[2], key[3]))
        if total is not None:
            out.append((total, sorted(parts)))
    return out


# ---------------------------------------------------------------- suppression


@dataclass
class Pattern:
    """One measure's cells, their relations and which are hidden."""

    value: np.ndarray
    people: np.ndarray
    hidden: np.ndarray  # bool
    eqs: list[tuple[int, list[int]]]
    signed: bool = False  # the cells may take any sign (no lower bound in the attack)
    # |value| to 10 significant digits, to rank partners by: DuckDB's parallel sums differ
    # in the last bits run to run, and equal cells must tie the same way every time
    size: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.size = [float(f"{abs(v):.10g}") for v in self.value.tolist()]
        # relations `close` found with nothing short since a cell of theirs was last hidden
        self.settled = [False] * len(self.eqs)
        # the relations as arrays, one entry per (relation, cell): for `rooms` and `attack`
        self.matrix = entries(self.eqs)
        self.slot_rel, self.slot_cell, coef = self.matrix
        self.slot_total = coef > 0
        # each cell's entries and relations, in the relations' order: cell c's are at
        # [cuts[c], cuts[c + 1]) of these (`slots`, `members`)
        by_cell = np.argsort(self.slot_cell, kind="stable")
        self._cuts = np.searchsorted(self.slot_cell[by_cell],
                                     np.arange(len(self.value) + 1)).tolist()
        self._slots, self._rels = by_cell.tolist(), self.slot_rel[by_cell].tolist()
        self.totals = np.array([t for t, _ in self.eqs], dtype=np.int64)
        self._size = np.asarray(self.size)

    def members(self, c: int) -> list[int]:
        """The relations cell c is in."""
        return self._rels[self._cuts[c]:self._cuts[c + 1]]

    def slots(self, c: int) -> list[int]:
        """Cell c's entries (positions in `slot_rel`, `slot_cell`)."""
        return self._slots[self._cuts[c]:self._cuts[c + 1]]

    def hide(self, j: int) -> None:
        self.hidden[j] = True
        for e in self.members(j):
            self.settled[e] = False

    def cells_of(self, e: int) -> list[int]:
        total, parts = self.eqs[e]
        return [total, *parts]

    def partner(self, c: int, candidates: Iterable[int], need: float | None = None
                ) -> int | None:
        """The shown cell that hides least while covering `need` (half of cell c's value
        by default): the smallest value ≥ need (else the largest there is), then the fewest
        people."""
        if need is None:
            need = PROTECTION * self.size[c]
        pool = [j for j in set(candidates) if not self.hidden[j] and self.value[j] != 0]
        if not pool:
            return None
        big = [j for j in pool if self.size[j] >= need]
        if big:
            return min(big, key=lambda j: (self.size[j], self.people[j], j))
        return max(pool, key=lambda j: (self.size[j], -self.people[j], -j))

    def reachable(self, cells: Iterable[int]) -> dict[int, list[int]]:
        """For each of `cells`: the shown cells in a relation with it or with any hidden
        cell linked to it (one walk per group of linked hidden cells)."""
        out: dict[int, list[int]] = {}
        for c in cells:
            if c in out:
                continue
            seen, queue, shown, group = {c}, [c], [], [c]
            while queue:
                x = queue.pop()
                for e in self.members(x):
                    for y in self.cells_of(e):
                        if y in seen:
                            continue
                        seen.add(y)
                        if self.hidden[y]:
                            queue.append(y)
                            group.append(y)
                        else:
                            shown.append(y)
            for x in group:
                out[x] = shown
        return out

    def rooms(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """How far each hidden cell can at most go up and down, by its relations alone and
        each hidden cell's own bounds (no interval attack can move it further): a part goes
        up as far as its hidden total can go up plus its other hidden parts can go down,
        down the other way round; a total goes up (down) as far as its hidden parts can
        together. Repeated until no bound tightens, from up = ∞ and down = the cell's size
        (to 0; ∞ for signed cells). Returns (up, down) per cell and (up, down) per entry of
        `slot_cell` (the room each relation alone leaves that cell). Sizes, not values: the
        same pattern whatever the last bits of DuckDB's sums."""
        inf = np.inf
        size = self._size
        hid = self.hidden
        n, n_rel = len(hid), len(self.eqs)
        # only the entries of hidden cells move or bound anything (a shown cell is fixed)
        keep = np.flatnonzero(hid[self.slot_cell])
        m = len(keep)
        rel, cell, part = self.slot_rel[keep], self.slot_cell[keep], ~self.slot_total[keep]
        total = self.totals[rel]
        # up and down as one flat array (ups at [0, n), downs at [n, 2n)) and each entry twice
        # (its up, then its down): one numpy call per step for both bounds
        twice = np.concatenate
        rel, cell, part = twice((rel, rel + n_rel)), twice((cell, cell + n)), twice((part, part))
        total = twice((total, total + n))
        total_hidden = twice((hid, hid))[total]
        bound = twice((np.where(hid, inf, 0.0), np.where(hid, inf if self.signed else size, 0.0)))

        def others(x: np.ndarray) -> np.ndarray:
            """Per entry, the sum of x over the relation's other hidden parts."""
            own = np.where(part, x[cell], 0.0)
            own_inf = np.isinf(own)
            mine = np.where(own_inf, 0.0, own)
            finite = np.bincount(rel, mine, 2 * n_rel)
            rest = np.bincount(rel, own_inf, 2 * n_rel)[rel] - own_inf
            return np.where(rest > 0, inf, finite[rel] - mine)

        slot = np.empty(2 * m)
        for _ in range(100):
            rest = others(bound)
            # a part: its hidden total's bound plus the other parts' opposite one (ups and
            # downs swapped); a total: its parts' own
            slot = np.where(part, np.where(total_hidden, bound[total], 0.0)
                            + np.concatenate((rest[m:], rest[:m])), rest)
            new = bound.copy()
            np.minimum.at(new, cell, slot)  # each cell's smallest bound over its entries
            if (new == bound).all():
                break
            bound = new
        full = np.full((2, len(self.slot_cell)), inf)
        full[:, keep] = slot.reshape(2, m)
        return bound[:n], bound[n:], full[0], full[1]

    def short(self, e: int, hidden: list[bool]) -> tuple[int, float, list[int]] | None:
        """A hidden cell of relation e that the relation alone pins closer than ±PROTECTION
        of its value, with how much room it still lacks and the shown cells that would give
        it some; None when every hidden cell of e has room. Moving a hidden cell moves the
        other hidden cells of its relations: a part goes up as far as the other hidden parts
        can go down (to 0) or without bound when the total is hidden, down without bound
        when another part is hidden or as far as the hidden total can go down; a total goes
        up without bound when a part is hidden, down as far as its hidden parts can (signed
        cells: without bound whenever another cell of the relation is hidden). Sizes, not
        values: the same pattern whatever the last bits of DuckDB's sums. `hidden`: the
        hidden flags as a list (read once per cell, faster than the array)."""
        total, parts = self.eqs[e]
        size = self.size
        hid = [p for p in parts if hidden[p] and size[p] != 0]
        whole = hidden[total] and size[total] != 0
        if not hid and not whole:
            return None
        cap = np.inf if self.signed else 0.0  # how far a hidden cell can go down past 0
        held = sum(size[p] for p in hid)  # how far the hidden parts can go down together
        if whole:
            need = PROTECTION * size[total] * (1 - 1e-9)
            if not hid:
                return total, need, parts
            if self.signed or held >= need:
                pass
            else:
                return total, need - held, parts
        for c in hid:
            need = PROTECTION * size[c] * (1 - 1e-9)
            alone = len(hid) == 1
            up = np.inf if whole or (self.signed and not alone) else held - size[c]
            if up < need:
                return c, need - up, [total, *parts]
            if alone:
                down = size[total] + cap if whole else 0.0
                if down < need:
                    return c, need - down if whole else need, [total, *parts]
        return None

    def maybe_short(self) -> np.ndarray:
        """Per relation, whether `short` may find a hidden cell of it short (all relations at
        once, in numpy): the same tests with a margin, so that False is certain and True
        leaves the decision to `short`."""
        rel, cell, total = self.slot_rel, self.slot_cell, self.slot_total
        size = self._size
        n_rel = len(self.eqs)
        hid = self.hidden[cell] & (size[cell] != 0)
        part = hid & ~total  # the hidden parts that count
        count = np.bincount(rel, part, n_rel)
        held = np.bincount(rel, np.where(part, size[cell], 0.0), n_rel)
        whole = self.hidden[self.totals] & (size[self.totals] != 0)
        # a margin far above the rounding of sums of a few hundred sizes
        margin = PROTECTION * (1 + 1e-6)
        found = whole & (count == 0)
        if not self.signed:
            found |= whole & (held < margin * size[self.totals])
        # a hidden part: up as far as the others go down (unbounded when the total is hidden,
        # or signed with another part hidden); alone, down only as far as the hidden total
        need = margin * size[cell]
        alone = count[rel] == 1
        whole_e = whole[rel]
        up = np.where(whole_e | (self.signed & ~alone), np.inf, held[rel] - size[cell])
        down = np.where(whole_e, size[self.totals[rel]] + (np.inf if self.signed else 0.0), 0.0)
        short = part & ((up < need) | (alone & (down < need)))
        found[rel[short]] = True
        return found

    def close(self) -> None:
        """Secondary cells until every hidden cell has room for ±PROTECTION of its value in
        each of its relations taken alone, then until none is pinned closer by its relations
        and the rooms of the other hidden cells in them (`rooms`): what no interval attack
        can miss, settled before the attack runs. A short cell hides, in the relation that
        leaves it least room, the shown cell that hides least while covering what it lacks
        (`partner_short`); a cell whose short relations hold no shown cell gets the partner
        a narrow cell gets after an attack (`partner_near`)."""
        need = PROTECTION * self._size * (1 - 1e-9)
        queue = list(range(len(self.eqs)))
        settled = self.settled  # (short only reads the hidden flags of its relation's cells)
        while True:
            flags = self.hidden.tolist()
            while queue:
                touched: set[int] = set()
                # what `short` would say of every relation with the flags as they are now: a
                # relation it clears, and that no cell hidden since has touched, is settled
                # (worth its numpy calls for long queues only)
                maybe = self.maybe_short() if len(queue) > 64 else None
                for e in queue:
                    if settled[e]:
                        continue
                    if maybe is not None and not maybe[e] and e not in touched:
                        settled[e] = True
                        continue
                    while (found := self.short(e, flags)) is not None:
                        c, lack, candidates = found
                        j = self.partner(c, candidates, lack)
                        if j is None:
                            break
                        self.hide(j)
                        flags[j] = True
                        touched.update(self.members(j))
                    settled[e] = True
                queue = sorted(touched)
            up, down, slot_up, slot_down = self.rooms()
            added, far = [], []
            for c in np.flatnonzero(self.hidden & ((up < need) | (down < need))).tolist():
                j = self.partner_short(c, need[c], slot_up if up[c] < need[c] else slot_down)
                if j is None:
                    far.append(c)
                else:
                    self.hide(j)
                    added.append(j)
            added += self.partner_near(far)
            if not added:
                return
            queue = sorted({e for j in added for e in self.members(j)})

    def partner_short(self, c: int, need: float, room: np.ndarray) -> int | None:
        """The partner of a cell whose room (`rooms`: per relation entry) is short of `need`:
        in the relation that leaves it least room among those short of it and holding a shown
        cell, the shown cell that hides least while covering what it lacks; None when no
        such relation holds a shown cell."""
        best = None
        for i in self.slots(c):
            if room[i] >= need or (best is not None and room[i] >= best[0]):
                continue
            shown = [x for x in self.cells_of(int(self.slot_rel[i]))
                     if not self.hidden[x] and self.value[x] != 0]
            if shown:
                best = (room[i], shown)
        return None if best is None else self.partner(c, best[1], need - best[0])

    def partner_near(self, narrow: Iterable[int], need: float | None = None) -> list[int]:
        """Hide a partner for each narrow cell: the shown cell that hides least (covering
        `need`, half the cell's value by default) among those in a relation with it, else
        among the shown cells its hidden group touches. Returns the cells hidden."""
        added = []
        groups: dict[int, list[int]] = {}
        for c in narrow:
            around = [x for e in self.members(c) for x in self.cells_of(e)]
            j = self.partner(c, around, need)
            if j is None:  # every neighbour hidden: the shown cells its hidden group touches
                if c not in groups:  # walked once per group and round
                    groups.update(self.reachable([c]))
                j = self.partner(c, groups[c], need)
            if j is not None:
                self.hide(j)
                added.append(j)
        return added


def primary(people: np.ndarray, top: np.ndarray, value: np.ndarray, k: int) -> np.ndarray:
    """Cells about fewer than k people, or where one person makes up more than DOMINANCE."""
    counted = ~np.isnan(people)
    few = counted & (value != 0) & (np.nan_to_num(people) < k)
    dominated = counted & (value != 0) & (np.nan_to_num(top) > DOMINANCE)
    return few | dominated


# ---------------------------------------------------------------- the interval attack


def attack(value: np.ndarray, hidden: np.ndarray, eqs: list[tuple[int, list[int]]],
           lower: float = 0.0, only: np.ndarray | None = None,
           exact: bool = True, one_by_one: bool = True,
           matrix: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
           ) -> tuple[np.ndarray, np.ndarray]:
    """For every hidden cell (of `only`, when given), the lowest and highest value
    consistent with the shown cells and the relations (each hidden cell ≥ `lower`); NaN
    for the others. Not `exact`: a side is left unsolved once a solution found for another
    cell already takes this one ±PROTECTION away (lo/hi are then values it can take, for
    every hidden cell); not `one_by_one` either: only the pushes of all short targets
    together are solved, and a cell they leave short stays short (its lo/hi are values it
    can take, maybe not far enough: the caller treats it as narrow). `matrix`: the
    relations as arrays (`entries(eqs)`), when the caller has them already."""
    lo = np.full(len(value), np.nan)
    hi = np.full(len(value), np.nan)
    if hidden.any():
        Audit(value, entries(eqs) if matrix is None else matrix, lower).run(
            hidden, hidden if only is None else hidden & only, lo, hi, witness=not exact,
            one_by_one=one_by_one)
    return lo, hi


def entries(eqs: list[tuple[int, list[int]]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The relations as arrays, one entry per cell of each (in the relation's order: total,
    then parts): (relation, cell, coefficient: 1 for the total, -1 for a part)."""
    rel, cell, coef = [], [], []
    for e, (total, parts) in enumerate(eqs):
        rel += [e] * (1 + len(parts))
        cell += [total, *parts]
        coef += [1.0] + [-1.0] * len(parts)
    return (np.array(rel, dtype=np.int64), np.array(cell, dtype=np.int64),
            np.array(coef, dtype=np.float64))


_banner_shown = False


def _highs() -> highspy.Highs:
    """A quiet HiGHS: its first instance in a process prints a banner on stdout (fd 1),
    which would break `--json` output, so that one is made with fd 1 pointed at /dev/null."""
    global _banner_shown
    if _banner_shown:
        h = highspy.Highs()
    else:
        sys.stdout.flush()
        saved = os.dup(1)
        try:
            with open(os.devnull, "w") as null:
                os.dup2(null.fileno(), 1)
                h = highspy.Highs()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
        _banner_shown = True
    h.setOptionValue("output_flag", False)
    # tiny models solved again and again from the last basis: presolve costs more than it saves
    h.setOptionValue("presolve", "off")
    # the primal simplex: each push and single solve changes the objective of a model solved
    # before (about a tenth less time in all than the dual simplex on the measuring world)
    h.setOptionValue("simplex_strategy", 4)
    return h


class Audit:
    """The interval attack on one measure(-year): one HiGHS model, a column per hidden cell
    and an equation per relation holding one (its hidden cells on the left, what its shown
    cells make on the right, summed in the relation's order as a reader would). Kept across
    the audit's rounds: a cell hidden since the last round adds its column (and the rows of
    its relations that had none) and moves out of the right-hand sides, so that each round
    starts from the last one's basis instead of from nothing. In units of about the largest
    |value|: money runs from hundreds to hundreds of millions, and HiGHS's tolerances are
    absolute."""

    def __init__(self, value: np.ndarray, matrix: tuple[np.ndarray, np.ndarray, np.ndarray],
                 lower: float) -> None:
        self.rel, self.cell, self.coef = matrix  # in the relations' order
        self.value = value
        # a power of 2 at or above it: scaling is exact, hand-worked ranges stay exact
        self.scale = 2.0 ** math.frexp(max(1.0, float(np.abs(value).max(initial=0.0))))[1]
        self.lower = -highspy.kHighsInf if lower == -np.inf else lower
        self.column = np.full(len(value), -1)  # cell → its column (-1: none yet)
        self.cells = np.zeros(0, dtype=np.int64)  # column → its cell
        self.row = np.full(int(self.rel.max()) + 1 if len(self.rel) else 0, -1)
        self.rows = np.zeros(0, dtype=np.int64)  # row → its relation
        self.h = _highs()

    def _grow(self, hidden: np.ndarray) -> None:
        """Columns for the cells hidden since the last round, rows for their relations
        without one, and every row's right-hand side as the shown cells now make it."""
        new = np.flatnonzero(hidden & (self.column < 0))
        if not len(new):
            return
        h = self.h
        fresh = np.zeros(len(hidden), dtype=bool)
        fresh[new] = True
        mine = np.flatnonzero(fresh[self.cell])  # the new cells' entries
        rels = np.unique(self.rel[mine])
        rels = rels[self.row[rels] < 0]
        self.row[rels] = np.arange(len(self.rows), len(self.rows) + len(rels))
        self.rows = np.r_[self.rows, rels]
        none = np.zeros(0, dtype=np.int32)
        h.addRows(len(rels), np.zeros(len(rels)), np.zeros(len(rels)), 0,
                  np.zeros(len(rels), dtype=np.int32), none, np.zeros(0))
        mine = mine[np.argsort(self.cell[mine], kind="stable")]  # by cell, each in order
        self.column[new] = np.arange(len(self.cells), len(self.cells) + len(new))
        self.cells = np.r_[self.cells, new]
        h.addCols(len(new), np.zeros(len(new)), np.full(len(new), self.lower),
                  np.full(len(new), highspy.kHighsInf), len(mine),
                  np.searchsorted(self.cell[mine], new).astype(np.int32),
                  self.row[self.rel[mine]].astype(np.int32), self.coef[mine])
        rhs = -np.bincount(self.rel, np.where(hidden[self.cell], 0.0,
                                              self.coef * self.value[self.cell]),
                           len(self.row))[self.rows] / self.scale
        h.changeRowsBounds(len(rhs), np.arange(len(rhs), dtype=np.int32), rhs, rhs)

    def run(self, hidden: np.ndarray, only: np.ndarray, lo: np.ndarray, hi: np.ndarray,
            witness: bool = True, one_by_one: bool = True) -> None:
        """Minimise and maximise each hidden cell of `only` (the targets), into lo/hi of the
        hidden cells. With `witness`, every solution found is kept as values each hidden
        cell can take, and a side is not solved once some solution already reached value ∓
        PROTECTION: lo/hi are then values the cell can take, not its extremes. Witness mode
        first pushes every target not yet far enough down (then up) together, each weighted
        by 1/|value| and bounded at its own value ∓ PROTECTION (so the push spreads the room
        over as many targets as it can), again with the ones still short until a push gains
        none: a few solves settle most cells, and only the rest are solved one by one."""
        self._grow(hidden)
        h, scale, cells = self.h, self.scale, self.cells
        value = self.value[cells]  # by column from here on: every column is a hidden cell
        inf = highspy.kHighsInf
        n = len(cells)
        columns = np.arange(n, dtype=np.int32)
        floor, ceiling = np.full(n, self.lower), np.full(n, inf)
        minimize, maximize = highspy.ObjSense.kMinimize, highspy.ObjSense.kMaximize
        low, high = np.full(n, np.nan), np.full(n, np.nan)
        size = np.abs(value)
        need = PROTECTION * size - 1e-6 * np.maximum(1.0, size)
        t = self.column[np.flatnonzero(hidden & only)]  # the targets' columns

        def seen() -> None:
            x = np.asarray(h.getSolution().col_value) * scale
            np.fmin(low, x, out=low)
            np.fmax(high, x, out=high)

        def reached(at: np.ndarray, sign: int) -> np.ndarray:
            """Whether the columns `at` have been seen ±PROTECTION from their value."""
            return ((low[at] <= value[at] - need[at]) if sign < 0
                    else (high[at] >= value[at] + need[at]))

        if witness and len(t):  # the true values are one solution
            low[:], high[:] = value, value
            # the pushes run in a box a little wider than any target needs, so that every
            # push has an optimum; its solutions satisfy the model, so they are witnesses
            cap = (2.0 * float(size.max()) + 1.0) / scale
            box_lo, box_hi = np.maximum(floor, -cap), np.full(n, cap)
            h.changeColsBounds(n, columns, box_lo, box_hi)
            costed = t[:0].astype(np.int32)  # the columns with a cost now
            for sense, sign in ((minimize, -1), (maximize, 1)):
                h.changeObjectiveSense(sense)
                # chunks of like magnitude: weights 1/|value| within one chunk stay comparable
                by_size = np.argsort(size[t], kind="stable")
                short = by_size[~reached(t[by_size], sign)]
                chunk_size = len(short)
                while len(short):
                    # push the short ones together, in chunks; when a round gains nothing the
                    # chunks get smaller (a cell pushed with fewer others has more room)
                    parts = -(-len(short) // chunk_size)
                    each, more = divmod(len(short), parts)  # as np.array_split
                    for i in range(parts):
                        at = t[short[i * each + min(i, more):(i + 1) * each + min(i + 1, more)]]
                        at = at[~reached(at, sign)].astype(np.int32)
                        if not len(at):
                            continue
                        weight = 1.0 / np.maximum(size[at], 1e-300)
                        h.changeColsCost(len(costed), costed, np.zeros(len(costed)))
                        h.changeColsCost(len(at), at, weight / weight.max())
                        costed = at
                        # no further than each one needs: the room one cell would not use
                        # goes to the others (each reached target is worth the same)
                        goal = (value[at] + sign * PROTECTION * size[at]) / scale
                        h.changeColsBounds(len(at), at,
                                           np.maximum(box_lo[at], goal) if sign < 0
                                           else box_lo[at],
                                           np.minimum(box_hi[at], goal) if sign > 0
                                           else box_hi[at])
                        h.run()
                        if h.getModelStatus() == highspy.HighsModelStatus.kOptimal:
                            seen()
                        h.changeColsBounds(len(at), at, box_lo[at], box_hi[at])
                    still = short[~reached(t[short], sign)]
                    if len(still) == len(short):
                        if chunk_size <= PUSH_CHUNK:
                            break
                        chunk_size = max(PUSH_CHUNK, chunk_size // 4)
                    short = still
            h.changeColsCost(len(costed), costed, np.zeros(len(costed)))
            h.changeColsBounds(n, columns, floor, ceiling)
            t = t[~(reached(t, -1) & reached(t, 1))] if one_by_one else t[:0]
        for j in t.tolist():
            h.changeColCost(j, 1.0)
            for sense, out, sign in ((minimize, low, -1), (maximize, high, 1)):
                if witness and reached(np.array([j]), sign)[0]:
                    continue  # another solution already showed this side wide enough
                h.changeObjectiveSense(sense)
                h.run()
                status = h.getModelStatus()
                if status == highspy.HighsModelStatus.kOptimal:
                    out[j] = h.getInfo().objective_function_value * scale
                    if witness:
                        seen()
                elif status in (highspy.HighsModelStatus.kUnbounded,
                                highspy.HighsModelStatus.kUnboundedOrInfeasible):
                    out[j] = -np.inf if sign < 0 else np.inf
                else:  # cannot happen with consistent data; never count it as protected
                    low[j] = high[j] = np.nan
                    break
            h.changeColCost(j, 0.0)
        if not witness:  # exact: the targets' extremes only
            low[~only[cells]], high[~only[cells]] = np.nan, np.nan
        lo[cells], hi[cells] = low, high


def wide_enough(value: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Whether each range reaches value ± PROTECTION × |value| (tolerance for the solver)."""
    margin = PROTECTION * np.abs(value)
    tol = 1e-6 * np.maximum(1.0, np.abs(value))
    return (lo <= value - margin + tol) & (hi >= value + margin - tol)


def protect_measure(cells: pd.DataFrame, homes: dict[str, str], k: int,
                    signed: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray,
                                                   np.ndarray, np.ndarray]:
    """One measure's pattern: (primary, hidden, lo, hi, ok) per cell. Every protected cell,
    primary or secondary, is audited to ±PROTECTION of its value: a narrow one gets another
    partner hidden and the audit runs again until none is narrow (a zero has no magnitude to
    protect: any range holding it will do)."""
    value = cells["value"].to_numpy(dtype=float)
    people = cells["people"].to_numpy(dtype=float)
    top = cells["top_share"].to_numpy(dtype=float)
    first = primary(people, top, value, k)
    if not first.any():  # no primary cell: nothing is hidden, no relation needs looking at
        none = np.full(len(value), np.nan)
        return first, first.copy(), none, none.copy(), np.ones(len(value), dtype=bool)
    lower = -np.inf if signed or (value < 0).any() else 0.0
    pattern = Pattern(value, people, first.copy(), relations(cells, homes), lower < 0)
    pattern.close()
    lo = np.full(len(value), np.nan)
    hi = np.full(len(value), np.nan)
    wide = np.zeros(len(value), dtype=bool)
    times: dict[int, int] = {}  # how often each cell was found narrow
    audit = Audit(value, pattern.matrix, lower)  # one model for every round
    while True:
        # hiding a cell frees a fixed variable: every range can only widen, so a cell found
        # wide enough stays so and only the others are attacked again
        todo = pattern.hidden & ~wide & (value != 0)
        # the pushes settle most cells together; a cell they leave short is solved alone
        # before it counts as narrow (a partner for a cell the pushes merely missed hid whole
        # years of twin figures on small worlds)
        new_lo, new_hi = np.full(len(value), np.nan), np.full(len(value), np.nan)
        audit.run(pattern.hidden, todo, new_lo, new_hi)
        # a solution under fewer hidden cells is one under more: witnesses add up
        lo, hi = np.fmin(lo, new_lo), np.fmax(hi, new_hi)
        wide = pattern.hidden & (wide_enough(value, lo, hi) | (value == 0))
        narrow = np.flatnonzero(pattern.hidden & ~wide)
        if len(narrow) == 0:
            break
        # a cell narrow a third time gets the largest partner near it, not the smallest (a
        # partner that hides least can leave it narrow round after round)
        for c in narrow.tolist():
            times[c] = times.get(c, 0) + 1
        again = [c for c in narrow.tolist() if times[c] > 2]
        if not (pattern.partner_near([c for c in narrow.tolist() if times[c] <= 2])
                + pattern.partner_near(again, need=np.inf)):
            break  # nothing left to hide near the narrow cells: reported as not ok
        pattern.close()
    hidden = pattern.hidden
    lo, hi = np.where(hidden, lo, np.nan), np.where(hidden, hi, np.nan)
    return first, hidden, lo, hi, np.where(hidden, wide, True)


def protect(cells: pd.DataFrame, homes: dict[str, str], k: int) -> tuple[pd.DataFrame,
                                                                         pd.DataFrame]:
    """Every cell's status (shown, primary, secondary), and the audit of the protected ones:
    `Protection` with all the cells handed at once."""
    with Protection(k) as protection:
        protection.add(cells, homes)
        return protection.result()


class Protection:
    """The protection of cells handed a frame at a time (`add`), put together by `result`.
    No relation crosses a calendar year (a quarter's months, a year's quarters and a
    period's breakdowns are all of one year), so each measure's years are independent: each
    is protected alone (the measure's pattern is the one it would get whole), on WORKERS
    threads, starting as soon as its frame is handed (the largest of the frame first) while
    the caller goes on, so that the solves overlap the SQL that makes the next frame (HiGHS,
    numpy and DuckDB let go of the GIL while they compute). Each (measure, year) is a model
    of its own over its own rows in a fixed order: the result does not depend on which
    thread solves what when. A measure's cells come in one frame; `result` puts them
    together in the order of the measures' names."""

    def __init__(self, k: int) -> None:
        self.k = k
        self.pool = ThreadPoolExecutor(WORKERS)
        self.parts: list[tuple[pd.DataFrame, dict[tuple[str, str], np.ndarray],
                               dict[tuple[str, str], Future]]] = []
        self.started = 0.0
        self.cpu = 0.0

    def __enter__(self) -> Protection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)

    def add(self, cells: pd.DataFrame, homes: dict[str, str]) -> None:
        """Start protecting `cells` (their measures' only frame; homes: the home region of
        every brand among them)."""
        if not self.parts:
            self.started, self.cpu = time.perf_counter(), time.process_time()
            _highs()  # its first instance silences HiGHS's banner: made before the threads
        # a fixed order: the pattern must not depend on the order SQL returned the rows in
        # (month < quarter < year as words too)
        keys = ["measure", "grain", "period", "dim", "member"]
        rows = pc.sort_indices(pa.table({c: pa.array(cells[c], type=pa.large_string())
                                         for c in keys}), [(c, "ascending") for c in keys])
        cells = cells.iloc[rows.to_numpy()].reset_index(drop=True)
        measures = cells["measure"].to_numpy()
        # (measure, year) → its rows; a measure with a value below 0 anywhere is signed
        years = {(str(m), str(y)): rows for (m, y), rows in
                 cells.groupby([measures, cells["period"].str[:4].to_numpy()], sort=True)
                 .indices.items()}
        below = set(measures[cells["value"].to_numpy(dtype=float) < 0].tolist())
        k = self.k

        def one(key: tuple[str, str]) -> tuple[tuple[np.ndarray, ...], float]:
            started = time.perf_counter()
            return (protect_measure(cells.iloc[years[key]].reset_index(drop=True), homes, k,
                                    key[0] in SIGNED or key[0] in below),
                    time.perf_counter() - started)

        largest = sorted(years, key=lambda key: (-len(years[key]), key))
        self.parts.append((cells, years, {key: self.pool.submit(one, key) for key in largest}))

    def result(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Every cell handed, with its status and cell_id, in the order of the measures'
        names, and the audit of the protected ones."""
        with _phase("protect wait"):  # what the solves add to the caller's time
            for _, _, futures in self.parts:
                wait(futures.values())
        if self.parts:  # all measures, wall (and the process's CPU, SQL of other frames too)
            PHASES.append(("protect", time.perf_counter() - self.started))
            CPU["protect"] = time.process_time() - self.cpu
        seconds: dict[str, float] = defaultdict(float)
        frames = []
        for cells, years, futures in self.parts:
            n = len(cells)
            first, hidden = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
            lo, hi, ok = np.full(n, np.nan), np.full(n, np.nan), np.ones(n, dtype=bool)
            for key, rows in years.items():
                (first[rows], hidden[rows], lo[rows], hi[rows], ok[rows]), took = \
                    futures[key].result()
                seconds[key[0]] += took
            frames.append(cells.assign(first=first, hidden=hidden, lo=lo, hi=hi, ok=ok))
        PHASES.extend((f"protect {measure}", took) for measure, took in sorted(seconds.items()))
        cells = pd.concat(frames, ignore_index=True)
        if len(frames) > 1:  # each measure's rows are in order already: by measure, stably
            cells = cells.iloc[pc.sort_indices(pa.array(cells["measure"],
                                                        type=pa.large_string())).to_numpy()
                               ].reset_index(drop=True)
        first, hidden = cells.pop("first").to_numpy(bool), cells.pop("hidden").to_numpy(bool)
        lo, hi, ok = (cells.pop(c).to_numpy() for c in ("lo", "hi", "ok"))
        status = np.where(first, "primary", np.where(hidden, "secondary", "shown"))
        ids = cell_ids(cells).to_numpy()  # once: the audit's and the release's (`_write`)
        result = cells.assign(status=status, cell_id=ids)
        audit = pd.DataFrame({"cell_id": ids[hidden],
                              "measure": cells["measure"].to_numpy()[hidden],
                              "status": status[hidden],
                              "value": cells["value"].to_numpy(dtype=float)[hidden],
                              "lo": lo[hidden].astype(float), "hi": hi[hidden].astype(float),
                              "ok": ok[hidden].astype(bool)})
        return result, audit


# ---------------------------------------------------------------- the build


def family_frames(con: duckdb.DuckDBPyConnection, family: str | None, measures: list[str],
                  k: int) -> Iterator[pd.DataFrame]:
    """The cells of a family's `measures` (FAMILIES; None: none, with the cells' columns), a
    frame as soon as it is made: the estimates' from estimate_cells.sql, the others' a pair
    of measures at a time from their family's rows of contributions.sql in the temporary
    table release_contributions (`pair_frames`)."""
    if family == "estimates":
        with _phase("estimate cells"):
            frames: Iterable[pd.DataFrame] = [con.execute(_sql("estimate_cells")).df()]
    else:
        with _phase(f"contributions {family}"):
            con.execute("create or replace temp table release_contributions as\n"
                        + _sql("contributions"),
                        {**{f: f == family for f in ("models", "crew", "displaced", "shoots")},
                         "k": k, "dominance": DOMINANCE,
                         "measures": [m for m, (f, _) in INPUTS.items()
                                      if f == family or (family is None and f != "estimates")]})
        frames = pair_frames(con, measures)
    for cells in frames:
        yield cells.assign(people=cells["people"].astype(float))


def measure_cells(con: duckdb.DuckDBPyConnection,
                  wanted: Iterable[str] | None = None) -> pd.DataFrame:
    """The cells of the `wanted` measures (all by default) in the temporary table
    release_contributions (cells.sql)."""
    return pd.concat(list(pair_frames(con, wanted)), ignore_index=True)


def pair_frames(con: duckdb.DuckDBPyConnection,
                wanted: Iterable[str] | None = None) -> Iterator[pd.DataFrame]:
    """`measure_cells` a frame at a time: two measures about the same people in each (crew
    days and income share their rows)."""
    # the measures with a column (contributions.sql), and how many rows have a part of each
    parts = con.execute(
        "select measure, parts from (unpivot (select count(columns(* exclude (month, "
        "brand_id, channel, role, region, reason, person, people))) "
        "from release_contributions) on columns(*) into name measure value parts) "
        "order by 1").fetchall()
    present = [m for m, n in parts if n > 0 and (wanted is None or m in set(wanted))]
    by_people: dict[str | None, list[str]] = defaultdict(list)
    for m in present:
        by_people[MEASURES.get(m)].append(m)
    pairs = [(ms[i], ms[i + 1] if i + 1 < len(ms) else "")
             for ms in by_people.values() for i in range(0, len(ms), 2)]
    sql = _sql("cells")
    for a, b in pairs:
        with _phase(f"cells {a}" + (f"+{b}" if b else "")):
            frame = con.execute(sql, {"measure": a, "other": b or a}).df()
        yield frame
    if not pairs:  # no measure: no rows, with the cells' columns and types
        first = parts[0][0]
        yield con.execute(sql, {"measure": first, "other": first}).df().iloc[:0]


@contextmanager
def _phase(name: str) -> Iterator[None]:
    started, cpu = time.perf_counter(), time.process_time()
    try:
        yield
    finally:
        PHASES.append((name, time.perf_counter() - started))
        CPU[name] = time.process_time() - cpu


def _sql(name: str) -> str:
    text = (SQL_DIR / f"{name}.sql").read_text()
    return "\n".join(line.split("--", 1)[0] for line in text.splitlines()).strip().rstrip(";")


def code_version() -> str:
    """SHA-256 of the release's SQL and of this module: which code built the release."""
    digest = hashlib.sha256(Path(__file__).read_bytes())
    for path in sorted(SQL_DIR.glob("*.sql")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _estimates_state(con: duckdb.DuckDBPyConnection) -> str:
    # the estimator writes its table from numpy, outside the SQL fingerprints
    return repr(con.execute("select count(*), bit_xor(hash(t)) "
                            "from marts.displacement_estimates t").fetchone())


def fingerprint(con: duckdb.DuckDBPyConnection, models: dict[str, str], k: int) -> str:
    digest = hashlib.sha256(f"{code_version()}\0k={k}".encode())
    for name in READS:
        digest.update(f"\0{name}={models.get(name, '')}".encode())
    digest.update(f"\0estimates={_estimates_state(con)}".encode())
    return digest.hexdigest()


def measure_inputs(con: duckdb.DuckDBPyConnection, models: dict[str, str],
                   k: int) -> dict[str, str]:
    """SHA-256 per measure of what its cells are made from, known before any of them is
    computed: the fingerprints of the relations it reads (marts.rebuild's: their SQL and the
    state of the stored tables under them), the estimates' rows, the home regions of the
    brands that have one (a brand without is 'unknown' wherever it appears), k and the code;
    of marts.displacement_monthly, only the rows of the measure's own column that are not zero
    (for the DiD shortfall its zeros too: a zero is a cell, shoot_inputs.sql). A twin-usage load leaves the inputs of the crew measures, shoot days and images and days
    cancelled for a twin as they were."""
    homes = con.execute("select brand_id, home_region from marts.brands "
                        "where coalesce(home_region, '') <> '' order by 1").fetchall()
    base = hashlib.sha256(f"{code_version()}\0k={k}\0{homes}".encode())
    state = {**models, ESTIMATES: _estimates_state(con)}
    # marts.displacement_monthly by the measure's own column (shoot_inputs.sql): a twin-usage
    # load rebuilds the mart, but leaves its bookings' columns as they were
    shoots = dict(con.execute(_sql("shoot_inputs")).fetchall())
    out = {}
    for measure, (_, reads) in INPUTS.items():
        digest = base.copy()
        for name in reads:
            held = shoots[measure] if name in _SHOOTS else state.get(name, "")
            digest.update(f"\0{name}={held}".encode())
        out[measure] = digest.hexdigest()
    return out


def built_with(con: duckdb.DuckDBPyConnection) -> str | None:
    row = con.execute("select fingerprint from meta.model_fingerprints where model = ?",
                      [FINGERPRINT_KEY]).fetchone()
    exists = con.execute("select count(*) from duckdb_tables() where database_name = "
                         "current_database() and schema_name = 'release' "
                         "and table_name = 'cells'").fetchone()[0]
    return row[0] if row and exists else None


def rebuild(con: duckdb.DuckDBPyConnection, models: dict[str, str], *, force: bool = False,
            kept: str | None = None) -> float:
    """Build the release inside the writer's transaction unless it was made from exactly
    what it would be made from now (`kept`: the fingerprint it was built with). Only the
    measures whose inputs changed are computed again (all of them with `force`); the others
    keep their cells, pattern and audit. Returns the seconds it took (0.0 when kept)."""
    k = config.k_threshold()
    PHASES.clear()
    CPU.clear()
    with _phase("statistics"):
        release_statistics.rebuild(con, k)  # the release's other tables: at every publish
    with _phase("fingerprint"):
        fp = fingerprint(con, models, k)
    if not force and kept == fp:
        _record(con, fp)
        return 0.0
    started = time.perf_counter()
    with _phase("inputs"):
        inputs = measure_inputs(con, models, k)
        before = {} if force else _stored_inputs(con)
    todo = sorted(m for m in INPUTS if before.get(m) != inputs[m])
    skipped = sorted(set(INPUTS) - set(todo))
    # a family of contributions.sql at a time in the temporary table: each pair of measures'
    # cells reads only its own family's rows (a twin pair read the crew's too: twice the time)
    families = [f for f in FAMILIES if any(INPUTS[m][0] == f for m in todo)]
    brands = dict(con.execute("select brand_id, coalesce(nullif(home_region, ''), 'unknown') "
                              "from marts.brands").fetchall())
    stored = _stored_digests(con)
    digests: dict[str, str] = {}
    kept_cells, kept_audit = [], []
    with Protection(k) as protection:
        try:
            frames = (cells for family in families or [None]  # None: the cells' columns
                      for cells in family_frames(con, family,
                                                 [m for m in todo if INPUTS[m][0] == family],
                                                 k))
            for cells in frames:  # a pair of measures or the estimates
                with _phase(f"digests {'+'.join(cells['measure'].unique()) or 'none'}"):
                    # the home region of every brand with a cell ('unknown' where
                    # marts.brands has none)
                    homes = {b: brands.get(b, "unknown") for b in
                             cells.loc[cells["dim"].eq("brand") & cells["member"].notna(),
                                       "member"].unique().tolist()}
                    found = measure_digests(cells, homes, k)
                    digests.update(found)
                    kept, kept_rows = _kept(con, cells, found, stored)
                    kept_cells.append(kept)
                    kept_audit.append(kept_rows)
                # the solves start now, while the next pair's SQL runs
                protection.add(cells[~cells["measure"].isin(kept["measure"])], homes)
        finally:
            con.execute("drop table if exists release_contributions")
        result, audit = protection.result()
    with _phase("concat"):
        result = pd.concat([result, *(c for c in kept_cells if len(c))], ignore_index=True)
        audit = pd.concat([audit, *(a for a in kept_audit if len(a))], ignore_index=True)
    if not audit["ok"].all():  # never published: the load fails and nothing is replaced
        bad = audit.loc[~audit["ok"], "cell_id"].iloc[0]
        raise UserError(f"the public release's audit failed: cell {bad} keeps a range "
                           f"narrower than ±{PROTECTION:.0%} with nothing left to hide")
    with _phase("write"):
        _write(con, result, audit, k, {m: (digests.get(m), inputs[m]) for m in todo},
               skipped)
    _record(con, fp)
    if os.environ.get("TWINIMPACT_TIMING") == "1":  # the bench's profile of the release
        for name, seconds in PHASES:
            cpu = f", {CPU[name]:.2f}s CPU" if name in CPU else ""
            print(f"timing release/{name}: {seconds:.2f}s wall{cpu}", file=sys.stderr,
                  flush=True)
    return time.perf_counter() - started


def _stored_inputs(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Each measure's inputs digest in the release in place ({} when there is none)."""
    found = con.execute("select count(*) from duckdb_columns() where database_name = "
                        "current_database() and (schema_name, table_name, column_name) in "
                        "(('meta', 'release_measures', 'inputs'), ('release', 'cells', 'status'),"
                        " ('meta', 'release_audit', 'ok'))").fetchone()[0]
    if found != 3:
        return {}
    return dict(con.execute("select measure, inputs from meta.release_measures").fetchall())


def measure_digests(cells: pd.DataFrame, homes: dict[str, str], k: int) -> dict[str, str]:
    """SHA-256 per measure of everything its pattern and audit are made from: its cells
    (keys, value, people, top share), its brands' home regions, k and the code."""
    base = hashlib.sha256(f"{code_version()}\0k={k}".encode())
    keys = ["grain", "period", "dim", "member"]
    cells = cells.sort_values(["measure", *keys], kind="stable")
    hashed = pd.util.hash_pandas_object(cells[keys], index=False).to_numpy()
    # to 10 significant digits: DuckDB's parallel sums differ in the last bits run to run
    numbers = np.column_stack([_significant(cells[c].to_numpy(dtype=float))
                               for c in ("value", "people", "top_share")])
    measures = cells["measure"].to_numpy()
    brand = cells["dim"].eq("brand").to_numpy()
    members = cells["member"].to_numpy()
    out = {}
    # each measure's rows, [a, b) of the sorted frame
    bounds = ([0, *(np.flatnonzero(measures[1:] != measures[:-1]) + 1), len(cells)]
              if len(cells) else [])
    for a, b in itertools.pairwise(bounds):
        digest = base.copy()
        brands = set(members[a:b][brand[a:b]])
        digest.update(repr(sorted((m, r) for m, r in homes.items() if m in brands)).encode())
        digest.update(hashed[a:b].tobytes() + numbers[a:b].tobytes())
        out[str(measures[a])] = digest.hexdigest()
    return out


def _significant(x: np.ndarray, digits: int = 10) -> np.ndarray:
    """x rounded to `digits` significant digits (zeros and NaN as they are)."""
    finite = np.isfinite(x) & (x != 0)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        scale = 10.0 ** (digits - 1 - np.floor(np.log10(np.abs(np.where(finite, x, 1.0)))))
        return np.where(finite, np.round(x * scale) / scale, x)


def _kept(con: duckdb.DuckDBPyConnection, cells: pd.DataFrame, digests: dict[str, str],
          stored: dict[str, str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The cells of the measures whose digest is the one `stored` for the release in place
    (a measure whose cells are what they were keeps its pattern and audit), with their
    status and cell_id, and their audit rows; none when the release in place lacks one of
    their cells."""
    same = sorted(m for m, d in digests.items() if stored.get(m) == d)
    kept = cells[cells["measure"].isin(same)]
    if not same:
        return kept, pd.DataFrame()
    statuses = dict(con.execute("select cell_id, status from release.cells "
                                "where list_contains(?, measure)", [same]).fetchall())
    audit = con.execute("select cell_id, measure, status, value, lo, hi, ok "
                        "from meta.release_audit where list_contains(?, measure)",
                        [same]).df()
    ids = cell_ids(kept)
    kept = kept.assign(status=ids.map(statuses), cell_id=ids)
    if kept["status"].isna().any():  # not the cells it was made from after all
        return kept.iloc[:0], audit.iloc[:0]
    return kept, audit


def _stored_digests(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Each measure's digest in the release in place ({} when there is none)."""
    found = con.execute("select count(*) from duckdb_tables() where database_name = "
                        "current_database() and schema_name || '.' || table_name in "
                        "('release.cells', 'meta.release_audit', 'meta.release_measures')"
                        ).fetchone()[0]
    if found != 3:
        return {}
    return dict(con.execute("select measure, digest from meta.release_measures").fetchall())


def _record(con: duckdb.DuckDBPyConnection, fp: str) -> None:
    con.execute("insert or replace into meta.model_fingerprints values (?, ?)",
                [FINGERPRINT_KEY, fp])


def _write(con: duckdb.DuckDBPyConnection, cells: pd.DataFrame, audit: pd.DataFrame,
           k: int, measures: dict[str, tuple[str | None, str]], skipped: list[str]) -> None:
    """Replace the release with `cells` (with their cell_id: `protect`) and `audit` (the
    measures computed: measure → (digest of its cells or None for none, digest of its
    inputs)), keeping the rows of the `skipped` measures as they are."""
    frame = cells[["cell_id", "measure", "grain", "period", "dim", "member", "value",
                   "people", "status"]]
    con.execute("create schema if not exists release")
    if skipped:
        # the tables are this code's (the skipped measures' inputs hold its version): only
        # the rows of the measures computed are replaced (identifiers are our own)
        for table in ("release.cells", "meta.release_audit", "meta.release_measures"):
            con.execute(f"delete from {table} where not list_contains(?, measure)",  # noqa: S608
                        [skipped])
    else:
        con.execute((SQL_DIR / "tables.sql").read_text())
    con.register("release_frame", frame)
    con.register("release_audit_frame", audit)
    try:
        con.execute(_sql("write_cells"))
        con.execute("insert into meta.release_audit select cell_id, measure, status, "
                    "value, lo, hi, ok from release_audit_frame")
        if measures:
            con.executemany("insert into meta.release_measures values (?, ?, ?)",
                            [[m, d, i] for m, (d, i) in measures.items()])
    finally:
        con.unregister("release_frame")
        con.unregister("release_audit_frame")
    con.execute("create or replace table release.estimate_detail as\n"
                + _sql("estimate_detail"))
    con.execute((SQL_DIR / "views.sql").read_text())
    con.execute("insert or replace into meta.settings values ('release_k', ?)", [str(k)])

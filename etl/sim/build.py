"""Run the simulation and write its source files plus the ground truth.

The six kind-named files (CONTRACT §5), and in the default world one more bookings file per
brand whose export starts late or stops early (`bookings-<brand_id>.csv`): those brands' rows
are in their own file only, and their months outside it are not exported at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa

from etl.sim import files as f
from etl.sim.common import load_params, month_index, month_starts
from etl.sim.crew import make_crew, survey
from etl.sim.twins import END_SENTINEL, VIOLATIONS, make_twins
from etl.sim.world import CANCEL_REASONS, make_bookings, make_brands, make_exports, n_months

FILES = {  # kind → file name (CONTRACT §5)
    "twins": "twins.csv",
    "licenses": "licenses.csv",
    "twin-usage": "twin-usage.csv",
    "bookings": "bookings.csv",
    "booking-crew": "booking-crew.csv",
    "crew-employment": "crew-employment.csv",
}
STATUSES = np.array(["completed", "confirmed", "cancelled"])
PARTIAL_GLOB = "bookings-BR*.csv"  # the per-brand bookings files; stale ones are removed
GAP_GLOB = "bookings-after-gap*.csv"  # a world with a month no file covers: the files after it


@dataclass
class Built:
    """What `build` made: file paths, the truth table and a summary."""

    paths: dict[str, Path]   # kind → its kind-named file
    truth: pa.Table
    summary: dict = field(default_factory=dict)
    extra: list[Path] = field(default_factory=list)  # more bookings files (late/early exports)
    expected: pa.Table | None = None  # month, brand_id, channel, expected_shoot_days (the mean)

    @property
    def files(self) -> list[tuple[str, Path]]:
        """Every file to load as (kind, path): the bookings files together."""
        out = []
        for kind, path in self.paths.items():
            out.append((kind, path))
            if kind == "bookings":
                out += [("bookings", x) for x in self.extra]
        return out


def build(seed: int, scale: str, out: Path, step=lambda _msg: None, noise: str = "default",
          world: str | None = None) -> Built:
    """Simulate the industry for (seed, scale, noise[, world]) and write its files into `out`."""
    out.mkdir(parents=True, exist_ok=True)
    for glob in (PARTIAL_GLOB, GAP_GLOB):  # another seed's per-brand files would mislead
        for stale in out.glob(glob):
            stale.unlink()
    p = load_params(seed, scale, noise, world=world)
    step("simulating brands and shoots")
    b = make_brands(p)
    bk, truth = make_bookings(p, b)
    ex = make_exports(p, b)
    step("simulating crew")
    people, crew = make_crew(p, b, bk)
    step("simulating twins and licences")
    tw, lic, us = make_twins(p, b, bk, people, crew, truth)
    chans = np.array(p.channels)
    paths = {k: out / name for k, name in FILES.items()}

    step("writing twins.csv")
    tw_w = f.id_width(tw.model.size)
    platforms = np.array(p["twins"]["platforms"])
    f.write(paths["twins"], ["twin_id", "model_id", "created_on", "platform", "status"],
            tw.model.size, lambda lo, hi: [
                f.ids("TW", np.arange(lo, hi) + 1, tw_w),
                f.cat(people.ids, tw.model[lo:hi]),
                f.dates(tw.created[lo:hi]),
                f.cat(platforms, tw.platform[lo:hi]),
                f.cat(["active", "retired"], tw.retired[lo:hi]),
            ])

    step("writing licenses.csv")
    li_w = f.id_width(lic.pair.size)
    brand_channels = np.array([";".join(chans[b.active[i]]) for i in range(b.ids.size)])
    channels = np.where(lic.all_channels, "*", brand_channels[lic.brand])
    channels = np.where(lic.only_channel >= 0, chans[np.maximum(lic.only_channel, 0)], channels)
    fee_names = np.array(list(p["licences"]["fee_models"]))
    tristate = np.array(["false", "true"])
    f.write(paths["licenses"], ["license_id", "twin_id", "brand_id", "granted_on", "valid_from",
                                "valid_to", "channels", "regions", "fee_model", "fee_amount",
                                "currency", "revoked_on", "exclusive", "training_allowed"],
            lic.pair.size, lambda lo, hi: [
                f.ids("LI", np.arange(lo, hi) + 1, li_w),
                f.ids("TW", lic.twin[lo:hi] + 1, tw_w),
                f.cat(b.ids, lic.brand[lo:hi]),
                f.dates(lic.granted[lo:hi]),
                f.dates(lic.valid_from[lo:hi]),
                f.dates(lic.valid_to[lo:hi] % END_SENTINEL, lic.valid_to[lo:hi] == END_SENTINEL),
                pa.array(channels[lo:hi]),
                pa.array(np.where(lic.all_regions[lo:hi], "*", b.country[lic.brand[lo:hi]])),
                f.cat(fee_names, lic.fee_model[lo:hi]),
                f.money(lic.fee_cents[lo:hi]),
                f.cat(b.currency, lic.brand[lo:hi]),
                f.dates(lic.revoked[lo:hi] % END_SENTINEL, lic.revoked[lo:hi] == END_SENTINEL),
                f.cat(tristate, np.maximum(lic.exclusive[lo:hi], 0), lic.exclusive[lo:hi] < 0),
                f.cat(tristate, np.maximum(lic.training[lo:hi], 0), lic.training[lo:hi] < 0),
            ])

    step("writing twin-usage.csv")
    us_w = f.id_width(us.brand.size)
    twin_ids = f.ids("TW", np.arange(tw.model.size) + 1, tw_w)
    licence_ids = f.ids("LI", np.arange(lic.pair.size) + 1, li_w)
    f.write(paths["twin-usage"], ["usage_id", "used_on", "twin_id", "brand_id", "license_id",
                                  "channel", "region", "assets", "fee_paid", "currency",
                                  "watermarked", "disclosed"],
            us.brand.size, lambda lo, hi: [
                f.ids("US", np.arange(lo, hi) + 1, us_w),
                f.dates(us.date[lo:hi]),
                f.cat(twin_ids, us.twin[lo:hi]),
                f.cat(b.ids, us.brand[lo:hi]),
                f.cat(licence_ids, np.maximum(us.licence[lo:hi], 0), us.licence[lo:hi] < 0),
                f.cat(chans, us.channel[lo:hi]),
                f.cat(us.countries, us.region[lo:hi]),
                pa.array(us.assets[lo:hi], pa.int64()),
                f.money(us.fee_cents[lo:hi]),
                f.cat(b.currency, us.brand[lo:hi]),
                pa.array(us.watermarked[lo:hi]),
                pa.array(us.disclosed[lo:hi]),
            ])

    step("writing bookings.csv")
    bk_w = f.id_width(bk.brand.size)
    reasons = np.array(CANCEL_REASONS)
    exported = (bk.month >= ex.first[bk.brand]) & (bk.month <= ex.last[bk.brand])
    gap = p.world.get("gap_month")
    gap_m = month_index(gap, p["calendar"]["first_month"]) if gap else -1
    exported &= bk.month != gap_m  # a month no file covers: the files stop before and resume after

    def write_bookings(path: Path, rows: np.ndarray) -> None:
        f.write(path, ["booking_id", "brand_id", "shoot_date", "channel", "region", "days",
                       "assets", "status", "cancel_reason"],
                rows.size, lambda lo, hi: [
                    f.ids("BK", rows[lo:hi] + 1, bk_w),
                    f.cat(b.ids, bk.brand[rows[lo:hi]]),
                    f.dates(bk.date[rows[lo:hi]]),
                    f.cat(chans, bk.channel[rows[lo:hi]]),
                    f.cat(b.country, bk.brand[rows[lo:hi]]),
                    f.halfdays(bk.halfdays[rows[lo:hi]]),
                    pa.array(bk.assets[rows[lo:hi]], pa.int64()),
                    f.cat(STATUSES, bk.status[rows[lo:hi]]),
                    f.cat(reasons, np.maximum(bk.reason[rows[lo:hi]], 0),
                          bk.reason[rows[lo:hi]] < 0),
                ])

    main = exported & ~ex.partial[bk.brand]
    extra, partial_files = [], []
    write_bookings(paths["bookings"], np.flatnonzero(main & (bk.month < gap_m if gap else True)))
    if gap:
        path = out / "bookings-after-gap.csv"
        write_bookings(path, np.flatnonzero(main & (bk.month > gap_m)))
        extra.append(path)
    first_month = np.datetime64(p["calendar"]["first_month"], "M")
    for i in np.flatnonzero(ex.partial):
        rows = np.flatnonzero(exported & (bk.brand == i))
        parts = [("", rows)]
        if ex.first[i] < gap_m < ex.last[i]:  # the brand's file has a hole: two files
            parts = [("", rows[bk.month[rows] < gap_m]), ("-after-gap", rows[bk.month[rows] > gap_m])]
        for suffix, part in parts:
            if not part.size:
                continue
            path = out / f"bookings-{b.ids[i]}{suffix}.csv"
            write_bookings(path, part)
            extra.append(path)
            # the loader reads coverage from the file's first and last shoot dates
            partial_files.append({"file": path.name, "brand_id": str(b.ids[i]),
                                  "from": str(first_month + int(bk.month[part].min())),
                                  "to": str(first_month + int(bk.month[part].max()))})

    step("writing booking-crew.csv")
    seats = np.flatnonzero(exported[crew.booking])  # crew of unexported bookings stay unseen
    f.write(paths["booking-crew"], ["booking_id", "person_id", "role", "days", "day_rate",
                                    "fee_total", "currency"],
            seats.size, lambda lo, hi: [
                f.ids("BK", crew.booking[seats[lo:hi]] + 1, bk_w),
                f.cat(people.ids, crew.person[seats[lo:hi]]),
                f.cat(crew.role_names, crew.role[seats[lo:hi]]),
                f.halfdays(crew.halfdays[seats[lo:hi]]),
                f.money(crew.day_rate[seats[lo:hi]] * 100),
                f.money(crew.halfdays[seats[lo:hi]] * crew.day_rate[seats[lo:hi]] * 50),
                f.cat(b.currency, bk.brand[crew.booking[seats[lo:hi]]]),
            ])

    step("writing crew-employment.csv")
    sv = survey(p, b, bk, people, crew)
    f.write(paths["crew-employment"], list(sv.columns), len(sv), lambda lo, hi: [
        pa.array(sv["period"].to_numpy(str)[lo:hi]),
        pa.array(sv["area"].to_numpy(str)[lo:hi]),
        pa.array(sv["role"].to_numpy(str)[lo:hi]),
        pa.array(sv["employed"].to_numpy(np.int64)[lo:hi]),
        f.money(np.rint(sv["hours_worked"].to_numpy(float)[lo:hi] * 100).astype(np.int64)),
        f.money(np.rint(sv["median_earnings"].to_numpy(float)[lo:hi] * 100).astype(np.int64)),
        f.money(np.rint(sv["mean_earnings"].to_numpy(float)[lo:hi] * 100).astype(np.int64)),
        pa.array(sv["earnings_basis"].to_numpy(str)[lo:hi]),
        pa.array(sv["currency"].to_numpy(str)[lo:hi]),
        pa.array(sv["source"].to_numpy(str)[lo:hi]),
    ])

    truth_table = _truth(p, b, truth)
    adopt = b.adopt_m[b.adopter]
    summary = {
        "seed": seed, "scale": scale, "noise": noise, "world": world,
        "brands": int(b.ids.size),
        "never_adopt": [str(x) for x in b.ids[~b.adopter]],
        "adoption_months": sorted({str(np.datetime64(p["calendar"]["first_month"], "M") + int(m))
                                   for m in adopt}),
        "partial_exports": partial_files,
        "bookings": int(exported.sum()), "crew_rows": int(seats.size),
        "twins": int(tw.model.size), "licenses": int(lic.pair.size),
        "usage_events": int(us.brand.size), "survey_rows": len(sv),
        "unlicensed_events": {k: int(n) for k, n in zip(VIOLATIONS, _violation_counts(b, us, lic),
                                                        strict=True)},
    }
    return Built(paths, truth_table, summary, extra, _expected(p, b, truth))


def _violation_counts(b, us, lic) -> list[int]:
    """Rough counts by reason, for the summary only (the marts decide for real)."""
    li = np.maximum(us.licence, 0)
    none = us.licence < 0
    expired = ~none & (us.date > lic.valid_to[li])
    revoked = ~none & (us.date >= lic.revoked[li])
    channel = ~none & (lic.only_channel[li] >= 0) & (us.channel != lic.only_channel[li])
    region = ~none & (np.array(us.countries)[us.region] != b.country[us.brand])
    return [int(x.sum()) for x in (none, expired, revoked, channel, region)]


def _truth(p, b, truth) -> pa.Table:
    """sim.truth_monthly rows: every month × brand × channel the brand is active in."""
    nm = n_months(p)
    bi, ci, mi = np.nonzero(np.broadcast_to(b.active[:, :, None], b.active.shape + (nm,)))
    starts = month_starts(p["calendar"]["first_month"], nm)
    return pa.table({
        "month": f.dates(starts[mi]),
        "brand_id": pa.array(b.ids[bi]),
        "channel": pa.array(np.array(p.channels)[ci]),
        "counterfactual_shoot_days": pa.array(truth["counterfactual_halfdays"][bi, ci, mi] / 2),
        "actual_shoot_days": pa.array(truth["actual_halfdays"][bi, ci, mi] / 2),
    })


def _expected(p, b, truth) -> pa.Table:
    """The mean counterfactual shoot days (no shocks) on the truth table's grid."""
    nm = n_months(p)
    bi, ci, mi = np.nonzero(np.broadcast_to(b.active[:, :, None], b.active.shape + (nm,)))
    starts = month_starts(p["calendar"]["first_month"], nm)
    return pa.table({
        "month": f.dates(starts[mi]),
        "brand_id": pa.array(b.ids[bi]),
        "channel": pa.array(np.array(p.channels)[ci]),
        "expected_shoot_days": pa.array(truth["expected_days"][bi, ci, mi]),
    })

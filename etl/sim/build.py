"""Run the simulation and write its six source files plus the ground truth."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa

from etl.sim import files as f
from etl.sim.common import load_params, month_starts
from etl.sim.crew import make_crew, survey
from etl.sim.twins import END_SENTINEL, VIOLATIONS, make_twins
from etl.sim.world import CANCEL_REASONS, make_bookings, make_brands, n_months

FILES = {  # kind → file name (CONTRACT §5)
    "twins": "twins.csv",
    "licenses": "licenses.csv",
    "twin-usage": "twin-usage.csv",
    "bookings": "bookings.csv",
    "booking-crew": "booking-crew.csv",
    "crew-employment": "crew-employment.csv",
}
STATUSES = np.array(["completed", "confirmed", "cancelled"])


@dataclass
class Built:
    """What `build` made: file paths, the truth table and a summary."""

    paths: dict[str, Path]
    truth: pa.Table
    summary: dict = field(default_factory=dict)


def build(seed: int, scale: str, out: Path, step=lambda _msg: None) -> Built:
    """Simulate the industry for (seed, scale) and write the six files into `out`."""
    out.mkdir(parents=True, exist_ok=True)
    p = load_params(seed, scale)
    step("simulating brands and shoots")
    b = make_brands(p)
    bk, truth = make_bookings(p, b)
    step("simulating crew")
    people, crew = make_crew(p, b, bk)
    step("simulating twins and licences")
    tw, lic, us = make_twins(p, b, people, crew, truth)
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
    f.write(paths["licenses"], ["license_id", "twin_id", "brand_id", "granted_on", "valid_from",
                                "valid_to", "channels", "regions", "fee_model", "fee_amount",
                                "currency", "revoked_on"],
            lic.pair.size, lambda lo, hi: [
                f.ids("LI", np.arange(lo, hi) + 1, li_w),
                f.ids("TW", lic.twin[lo:hi] + 1, tw_w),
                f.cat(b.ids, lic.brand[lo:hi]),
                f.dates(lic.granted[lo:hi]),
                f.dates(lic.valid_from[lo:hi]),
                f.dates(lic.valid_to[lo:hi] % END_SENTINEL, lic.valid_to[lo:hi] == END_SENTINEL),
                pa.array(channels[lo:hi]),
                f.cat(b.country, lic.brand[lo:hi]),
                f.cat(fee_names, lic.fee_model[lo:hi]),
                f.money(lic.fee_cents[lo:hi]),
                f.cat(b.currency, lic.brand[lo:hi]),
                f.dates(lic.revoked[lo:hi] % END_SENTINEL, lic.revoked[lo:hi] == END_SENTINEL),
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
    f.write(paths["bookings"], ["booking_id", "brand_id", "shoot_date", "channel", "region",
                                "days", "assets", "status", "cancel_reason"],
            bk.brand.size, lambda lo, hi: [
                f.ids("BK", np.arange(lo, hi) + 1, bk_w),
                f.cat(b.ids, bk.brand[lo:hi]),
                f.dates(bk.date[lo:hi]),
                f.cat(chans, bk.channel[lo:hi]),
                f.cat(b.country, bk.brand[lo:hi]),
                f.halfdays(bk.halfdays[lo:hi]),
                pa.array(bk.assets[lo:hi], pa.int64()),
                f.cat(STATUSES, bk.status[lo:hi]),
                f.cat(reasons, np.maximum(bk.reason[lo:hi], 0), bk.reason[lo:hi] < 0),
            ])

    step("writing booking-crew.csv")
    f.write(paths["booking-crew"], ["booking_id", "person_id", "role", "days", "day_rate",
                                    "fee_total", "currency"],
            crew.booking.size, lambda lo, hi: [
                f.ids("BK", crew.booking[lo:hi] + 1, bk_w),
                f.cat(people.ids, crew.person[lo:hi]),
                f.cat(crew.role_names, crew.role[lo:hi]),
                f.halfdays(crew.halfdays[lo:hi]),
                f.money(crew.day_rate[lo:hi] * 100),
                f.money(crew.halfdays[lo:hi] * crew.day_rate[lo:hi] * 50),
                f.cat(b.currency, bk.brand[crew.booking[lo:hi]]),
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
        "seed": seed, "scale": scale, "brands": int(b.ids.size),
        "never_adopt": [str(x) for x in b.ids[~b.adopter]],
        "adoption_months": sorted({str(np.datetime64(p["calendar"]["first_month"], "M") + int(m))
                                   for m in adopt}),
        "bookings": int(bk.brand.size), "crew_rows": int(crew.booking.size),
        "twins": int(tw.model.size), "licenses": int(lic.pair.size),
        "usage_events": int(us.brand.size), "survey_rows": len(sv),
        "unlicensed_events": {k: int(n) for k, n in zip(VIOLATIONS, _violation_counts(b, us, lic),
                                                        strict=True)},
    }
    return Built(paths, truth_table, summary)


def _violation_counts(b, us, lic) -> list[int]:
    """Rough counts by reason, for the summary only (the marts decide for real)."""
    li = np.maximum(us.licence, 0)
    none = us.licence < 0
    expired = ~none & (us.date > lic.valid_to[li])
    revoked = ~none & (us.date > lic.revoked[li])
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

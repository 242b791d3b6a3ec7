"""`twinimpact bench --estimators [--seeds N] [--scale S]`: the displacement estimator against
the simulator's truth over N seeded worlds (bias, interval coverage, width, estimability).

The truth of a scope-year is sim.truth_monthly's counterfactual − actual shoot days summed
over the scope's observed months of that year (CONTRACT §4), read generically: whatever
bookings files and coverage the world has, only observed brand-months count.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from pathlib import Path

import duckdb

from etl import progress, warehouse
from etl.errors import UsageError

TRUTH_SQL = """
    with truth as (
        select t.brand_id, year(t.month) as year,
            sum(t.counterfactual_shoot_days - t.actual_shoot_days)::double as truth
        from sim.truth_monthly t
        inner join staging.int_observed_months o
            on o.brand_id = t.brand_id and o.month = date_trunc('month', t.month)
        group by all
    )
    select e.scope, e.year, e.estimable, e.note, e.did, e.did_low, e.did_high, e.brands,
        coalesce(truth.truth, 0) as truth, b.is_adopter
    from marts.displacement_estimates e
    left join truth on truth.brand_id = e.scope and truth.year = e.year
    left join marts.brands b on b.brand_id = e.scope
    where e.scope <> 'ALL'
    order by e.scope, e.year"""


def world(seed: int, scale: str, work: Path, name: str | None = None) -> dict:
    """Build one world and score its estimates against its truth."""
    from etl.simulate import build_files, load_demo

    db = work / f"w{seed}.duckdb"
    built = build_files(seed, scale, work / f"files{seed}", world=name)
    load_demo(db, built, progress._Quiet())
    with warehouse.reader(db) as con:
        return score(con)


def score(con: duckdb.DuckDBPyConnection) -> dict:
    """Per-world lists of scored brand-years, ALL-years and placebo months."""
    rows = con.execute(TRUTH_SQL).fetchall()
    brand_years, never = [], []
    all_years: dict[int, list] = {}
    for _scope, year, estimable, note, did, low, high, _n, truth, adopter in rows:
        if not adopter:
            never.append(did == 0 and low == 0 and high == 0)
            continue
        if note == "before adoption":
            continue
        brand_years.append((estimable, did, low, high, truth))
        if estimable:
            all_years.setdefault(year, []).append(truth)
    alls = []
    for year, did, low, high in con.execute(
            "select year, did, did_low, did_high from marts.displacement_estimates "
            "where scope = 'ALL' and estimable and note is distinct from 'before adoption'"
            ).fetchall():
        alls.append((did, low, high, sum(all_years.get(year, []))))
    placebo = [lo <= 0 <= hi for lo, hi in con.execute(
        "select effect_low, effect_high from marts.displacement_event_study "
        "where placebo and scope <> 'ALL'").fetchall()]
    placebo_all = [lo <= 0 <= hi for lo, hi in con.execute(
        "select effect_low, effect_high from marts.displacement_event_study "
        "where placebo and scope = 'ALL'").fetchall()]
    # the pre-trend test flags the world when ALL's p-value is below 0.05
    [(pretrend,)] = con.execute(
        "select min(pretrend_p) from marts.displacement_estimates where scope = 'ALL'"
        ).fetchall() or [(None,)]
    zero_width = con.execute(
        "select count(*) from marts.displacement_estimates where estimable and "
        "did_high - did_low < 1e-9 and note is distinct from 'never adopts twins' and "
        "note is distinct from 'before adoption'").fetchone()[0]
    mismatch = con.execute("""
        select count(*) from marts.displacement_estimates e
        inner join (select brand_id, year(month) as year, sum(displaced_shoot_days_did) as did
                    from marts.displacement_monthly group by all) m
            on m.brand_id = e.scope and m.year = e.year
        where e.estimable and abs(e.did - m.did) > 1e-6""").fetchone()[0]
    return {"brand_years": brand_years, "all_years": alls, "never_zero": never,
            "placebo": placebo, "placebo_all": placebo_all,
            "pretrend_flag": [pretrend is not None and pretrend < 0.05],
            "zero_width": zero_width, "sum_mismatch": mismatch}


def summarise(worlds: list[dict]) -> dict:
    """The bench table's figures over every world."""
    by = [r for w in worlds for r in w["brand_years"]]
    est = [r for r in by if r[0]]
    alls = [r for w in worlds for r in w["all_years"]]
    placebo = [x for w in worlds for x in w["placebo"]]
    placebo_all = [x for w in worlds for x in w["placebo_all"]]
    never = [x for w in worlds for x in w["never_zero"]]

    def share(xs: list[bool]) -> float | None:
        return round(sum(xs) / len(xs), 3) if xs else None

    truths = [r[4] for r in est]
    return {
        "worlds": len(worlds),
        "brand_years": len(by),
        "estimable_share": share([r[0] for r in by]),
        "bias_brand_year": round(statistics.fmean(r[1] - r[4] for r in est), 3) if est else None,
        "relative_bias": round(sum(r[1] - r[4] for r in est) / sum(truths), 3)
        if est and sum(truths) else None,
        "coverage_brand_years": share([r[2] <= r[4] <= r[3] for r in est]),
        "coverage_all_years": share([r[1] <= r[3] <= r[2] for r in alls]),
        "all_years": len(alls),
        "bias_all_year": round(statistics.fmean(r[0] - r[3] for r in alls), 3) if alls else None,
        "median_half_width_over_truth": round(
            statistics.median((r[3] - r[2]) / 2 for r in est) / statistics.median(truths), 3)
        if est and statistics.median(truths) else None,
        "placebo_coverage": share(placebo),
        "placebo_coverage_all": share(placebo_all),
        "never_adopters_exactly_zero": all(never),
        "pretrend_flagged": share([x for w in worlds for x in w.get("pretrend_flag", [])]),
        "zero_width_estimable_rows": sum(w.get("zero_width", 0) for w in worlds),
        "estimates_not_equal_monthly_sums": sum(w.get("sum_mismatch", 0) for w in worlds),
    }


def run(seeds: int, scale: str, first: int = 1, name: str | None = None) -> dict:
    """Build `seeds` worlds (seeds first..first+N−1) and summarise."""
    worlds, started = [], time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="twinimpact-est-") as tmp:
        for seed in range(first, first + seeds):
            worlds.append(world(seed, scale, Path(tmp), name))
    out = summarise(worlds)
    out.update(scale=scale, first_seed=first, world=name or "default",
               seconds=round(time.perf_counter() - started, 1))
    return out


ROWS = [
    ("worlds", "worlds", "{}"),
    ("  first seed", "first_seed", "{}"),
    ("adopting brand-years after adoption", "brand_years", "{}"),
    ("  estimable share (≥ 0.70)", "estimable_share", "{:.1%}"),
    ("  bias, shoot days per brand-year", "bias_brand_year", "{:+.2f}"),
    ("  relative bias (Σ error ÷ Σ truth)", "relative_bias", "{:+.1%}"),
    ("  95% interval covers truth (≥ 0.90)", "coverage_brand_years", "{:.1%}"),
    ("  median half-width ÷ median truth (≤ 0.75)", "median_half_width_over_truth", "{:.2f}"),
    ("ALL-years", "all_years", "{}"),
    ("  bias, shoot days per year", "bias_all_year", "{:+.2f}"),
    ("  95% interval covers truth (≥ 0.90)", "coverage_all_years", "{:.1%}"),
    ("placebo months, interval covers 0 (≥ 0.80)", "placebo_coverage", "{:.1%}"),
    ("  ALL placebo months", "placebo_coverage_all", "{:.1%}"),
    ("never-adopters exactly 0", "never_adopters_exactly_zero", "{}"),
    ("worlds whose ALL pre-trend test has p < 0.05", "pretrend_flagged", "{:.1%}"),
    ("estimable rows of zero width (0)", "zero_width_estimable_rows", "{}"),
    ("estimates ≠ the monthly mart's sums (0)", "estimates_not_equal_monthly_sums", "{}"),
]


def render(r: dict) -> str:
    """The human table."""
    lines = [f"Displacement estimator against the simulator's truth "
             f"(world {r.get('world', 'default')}, scale {r['scale']}, {r['seconds']} s)"]
    for label, key, fmt in ROWS:
        v = r.get(key)
        lines.append(f"  {label:<46} {'—' if v is None else fmt.format(v)}")
    return "\n".join(lines)


def large_demo(db: Path | None, repeats: int = 3) -> dict:
    """Marts rebuild (SQL and estimator apart) and page queries on a real-shaped warehouse:
    the large demo (all six kinds), built unless `db` already holds one."""
    from dashboard import perf
    from etl import marts
    from etl.simulate import build_files, load_demo

    with tempfile.TemporaryDirectory(prefix="twinimpact-large-") as tmp:
        load_s = None
        if db is None or not Path(db).exists():
            db = Path(db or Path(tmp) / "large.duckdb")
            built = build_files(7, "large", Path(tmp) / "files")
            started = time.perf_counter()
            load_demo(db, built, progress._Quiet())
            load_s = round(time.perf_counter() - started, 1)
        rebuilds = []
        for _ in range(repeats):
            with warehouse.writer(Path(db)) as con:
                started = time.perf_counter()
                timings = marts.rebuild(con, force=True)  # every table, as a first load
                total = time.perf_counter() - started
                rebuilds.append((total, timings["marts.displacement_estimates"]))
        with warehouse.reader(Path(db)) as con:
            sizes = dict(con.execute(
                "select 'usage', count(*) from raw.twin_usage union all "
                "select 'bookings', count(*) from raw.bookings union all "
                "select 'brands', count(*) from marts.brands").fetchall())
        rebuilds.sort()
        total, est = rebuilds[len(rebuilds) // 2]
        return {"db": str(db), "rows": sizes, "demo_load_s": load_s,
                "marts_rebuild_s": round(total, 2), "estimator_s": round(est, 3),
                "estimator_share_of_load": round(est / load_s, 4) if load_s else None,
                "query_ms": perf.query_ms(Path(db), repeats)}


def render_large(r: dict) -> str:
    """The human lines of `bench --large-demo`."""
    lines = [f"Large demo {r['db']}: " + ", ".join(f"{k} {v:,}" for k, v in r["rows"].items())]
    if r["demo_load_s"] is not None:
        lines.append(f"  demo load (all six kinds, marts included)  {r['demo_load_s']:.1f} s")
    lines.append(f"  marts rebuild (median)                     {r['marts_rebuild_s']:.2f} s")
    lines.append(f"    of which the estimator (etl/estimate.py) {r['estimator_s']:.3f} s")
    q = r["query_ms"]
    lines.append("  each page's queries on a cold cache, median ms: the page's wait for them "
                 "(limit 100) and their sum, one after another (dashboard/perf.py):")
    lines.append(f"    {'page':<14} {'wait local':>11} {'wait public':>12} {'sum local':>10} "
                 f"{'sum public':>11}")
    lines += [f"    {page:<14} {ms:11.1f} {q['wait']['public'][page]:12.1f} "
              f"{q['sum']['local'][page]:10.1f} {q['sum']['public'][page]:11.1f}"
              for page, ms in q["wait"]["local"].items()]
    slow = q["slowest_query"]
    lines.append(f"  slowest single query: {slow['ms']:.1f} ms ({slow['sql'][:70]}…)")
    return "\n".join(lines)


def cmd(args) -> int:
    """`twinimpact bench --estimators`, or `--large-demo`."""
    if getattr(args, "large_demo", False):
        db = Path(args.db) if getattr(args, "db", None) else None
        result = large_demo(db)
        print(json.dumps(result) if args.json else render_large(result))
        return 0
    if args.seeds < 1:
        raise UsageError(f"--seeds {args.seeds}: give a positive number of worlds, e.g. 20")
    if getattr(args, "first_seed", 1) < 0:
        raise UsageError(f"--first-seed {args.first_seed}: give 0 or more, e.g. 21")
    name = getattr(args, "world", None)
    if name is not None:
        from etl.sim.common import world_names

        if name not in world_names():
            raise UsageError(f"--world {name}: no such world; give one of "
                             f"{', '.join(world_names())}")
    result = run(args.seeds, args.scale, getattr(args, "first_seed", 1), name)
    print(json.dumps(result) if args.json else render(result))
    return 0

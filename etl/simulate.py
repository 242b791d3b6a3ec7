"""`twinimpact demo`: build the simulated industry, write its files, load them like real ones.

The simulation lives in etl/sim/ (world → crew → twins → files); every parameter sits in
data/reference/simulation.toml. This module only builds a fresh warehouse from the files.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import duckdb

from etl import config, progress, reference, warehouse
from etl.errors import UsageError, UserError
from etl.sim.build import Built, build
from etl.sim.dirty import inject

REFERENCE_LOADS_KEY = "demo_reference_load_ids"  # meta.settings: real files the demo loaded


def build_files(seed: int = 42, scale: str = "small", out: Path | None = None,
                dirty: bool = False, step=lambda _msg: None, noise: str = "default",
                world: str | None = None) -> Built:
    """Write the source files (and, with `dirty`, the bad rows); no warehouse touched."""
    built = build(seed, scale, Path(out or config.DEMO_DIR), step, noise, world)
    built.summary["dirty_rows"] = inject(built.paths) if dirty else []
    return built


def _check_target(db: Path) -> None:
    """Refuse to replace a warehouse that holds real (non-simulated) loads."""
    if not db.exists():
        return
    try:
        with warehouse.reader(db) as con:
            has_loads = con.execute(
                "select count(*) from information_schema.tables where table_schema = 'meta' "
                "and table_catalog = current_database() and table_name = 'loads'").fetchone()[0]
            if not has_loads:
                return
            real = {r[0] for r in con.execute(
                "select load_id from meta.loads where not simulated").fetchall()}
            row = con.execute("select value from meta.settings where key = ?",
                              [REFERENCE_LOADS_KEY]).fetchone()
    except duckdb.Error as exc:
        raise UserError(f"{db} exists but is not a readable Twin Impact warehouse ({exc}); "
                        "give the demo another file with --db PATH") from exc
    real -= set(json.loads(row[0])) if row else set()
    if real:
        raise UserError(f"{db} holds {len(real)} load(s) of real data; the demo builds a fresh "
                        "warehouse and would replace them. Use --db PATH to build the demo "
                        "elsewhere")


def load_demo(db: Path, built: Built, bar) -> list[dict]:
    """A fresh warehouse: the simulated files, the real BLS reference, the truth, the marts."""
    from etl import load, marts  # the loader is heavy; only the demo and load need it

    results = []
    with warehouse.writer(db, fresh=True) as con:
        warehouse.ensure_schema(con)
        for kind, path in built.files:  # every bookings file, late and early ones too
            results.append(load.load_file(con, kind, path, simulated=True, bar=bar))
        ref = reference.write_bls_crew_employment(
            built.paths["twins"].parent / "bls-crew-employment.csv")
        results.append(load.load_file(con, "crew-employment", Path(ref), simulated=False,
                                      bar=bar))
        ids = [row[0] for row in con.execute(
            "select load_id from meta.loads where not simulated").fetchall()]
        con.execute("insert or replace into meta.settings values (?, ?)",
                    [REFERENCE_LOADS_KEY, json.dumps(ids)])
        results.append(_scan_sample_images(con, db, built))
        task = bar.add_task("ground truth and marts", total=2)
        con.register("demo_truth", built.truth)
        con.execute("insert into sim.truth_monthly select month, brand_id, channel, "
                    "counterfactual_shoot_days, actual_shoot_days from demo_truth")
        con.unregister("demo_truth")
        bar.advance(task)
        marts.rebuild(con)
        bar.advance(task)
    return results


def _scan_sample_images(con, db: Path, built: Built) -> dict:
    """Sample images for some twin uses (etl/sim/images.py), scanned like published ones:
    signed by the demo studio (trusted: its anchor is given) or another, tampered, IPTC-only
    or unlabelled. Deterministic apart from the signatures."""
    from etl import scan_images
    from etl.sim import images as sample

    folder, map_path = sample.write(built.paths["twins"].parent / "images",
                                    sample.sample_uses(con), int(built.summary.get("seed", 42)))
    result, _ = scan_images.scan(db, [folder], map_path=map_path,
                                 trust=folder / "demo-trust-anchor.pem", simulated=True,
                                 con=con)
    return result


def cmd_demo(args) -> int:
    """CLI handler: build, write, load; print a short summary or JSON lines."""
    if args.seed < 0:
        raise UsageError(f"--seed must be 0 or more, got {args.seed}")
    db = config.db_path(args.db)
    _check_target(db)
    out = Path(args.out).expanduser().resolve() if args.out else config.DEMO_DIR
    if out.exists() and not out.is_dir():
        raise UserError(f"--out {out} is a file; give a folder for the demo files")
    started = time.perf_counter()
    with progress.bar(progress.wanted(args.json)) as bar:
        task = bar.add_task("simulating", total=9)

        def step(msg: str) -> None:
            bar.update(task, description=msg)
            bar.advance(task)

        built = build_files(args.seed, args.scale, out, args.dirty, step, args.noise)
        built_s = time.perf_counter() - started
        results = load_demo(db, built, bar)
        bar.update(task, description="demo ready", completed=9)
    total_s = time.perf_counter() - started
    rejected = [r for r in results if r["status"] == "rejected"]
    s = built.summary
    if args.json:
        for r in results:
            print(json.dumps(r, ensure_ascii=False))
        print(json.dumps({"demo": {**s, "out": str(out), "db": str(db),
                                   "build_seconds": round(built_s, 2),
                                   "total_seconds": round(total_s, 2)}}, ensure_ascii=False))
    else:
        quarantined = sum(r["quarantined"] for r in results)
        print(f"SIMULATED demo industry (seed {s['seed']}, scale {s['scale']}, noise "
              f"{s['noise']}) written to {out}")
        print(f"  {s['brands']} brands ({len(s['never_adopt'])} never adopt twins: "
              f"{', '.join(s['never_adopt'])}); adoption from {s['adoption_months'][0]} "
              f"to {s['adoption_months'][-1]}")
        print(f"  {s['bookings']:,} bookings, {s['crew_rows']:,} crew rows, {s['twins']:,} twins, "
              f"{s['licenses']:,} licences, {s['usage_events']:,} twin-usage events")
        partial = s["partial_exports"]
        for x in partial if len(partial) <= 4 else []:
            print(f"  {x['brand_id']}'s bookings arrive in {x['file']}, covering only "
                  f"{x['from']} to {x['to']}")
        if len(partial) > 4:
            print(f"  {len(partial)} brands' bookings arrive in their own files "
                  f"(bookings-BR….csv), each covering only part of the window")
        print(f"  loaded into {db} in {total_s:.1f} s ({quarantined} rows quarantined"
              + (f", {len(s['dirty_rows'])} injected by --dirty" if args.dirty else "") + ")")
        images = next((r for r in results if r["kind"] == "image-checks"), None)
        if images:
            print(f"  {images['rows_in']} sample images for twin uses scanned for content "
                  f"credentials ({out / 'images'}; signatures differ on every run)")
        print("  open it with: twinimpact dashboard" + (f" --db {db}" if args.db else ""))
    for r in rejected:
        print(f"error: {r['file']}: {r['error']}", file=sys.stderr)
    return 1 if rejected else 0

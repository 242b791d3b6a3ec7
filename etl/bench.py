"""`twinimpact bench`: the project's load beside bare DuckDB, with time and peak memory, on a
warehouse shaped like a real one (all six kinds).

The world: the simulated industry (etl.simulate, seed 7; scale small up to 50,000 events,
medium up to 1,000,000, large above) writes every kind's files. The five kinds other than
twin usage are loaded once, each with `twinimpact load` beside its floor (bare DuckDB reading
the same files into one table); that warehouse is the base. The headline: exactly N twin-usage
events resampled from the simulated ones (so twins, licences and brands join as in a real
export) are loaded into a fresh copy of the base, beside the floor; the load therefore includes
the marts it feeds (marts.rebuild keeps the tables whose inputs did not change). Then a rebuild
of every table alone (the estimator apart; compared with the load, the conservative share) and
the dashboard's page queries on that warehouse.

TWINIMPACT_BENCH_DASHBOARD=0 leaves the dashboard step out (the tests do: it takes a minute).

Floor and load alternate --repeat times (default 3): wall times on a shared 2-core machine
swing by ±20% within minutes, and pairing each load with the floor run just before it, then
taking the median pair, keeps that swing out of the ratio.

Each step runs in a fresh subprocess so that its peak resident memory is its own: `os.wait4`
returns the rusage of exactly that child (RUSAGE_CHILDREN would give the maximum over every
child so far). Linux starts a child's peak at its parent's peak when it execs, so the bench
process itself stays small: the simulator, the resampling and every DuckDB query run in
children too, and the report gives the bench process's own peak (`bench_peak_rss_mb`), the
floor under every figure.
"""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from etl import config, progress
from etl.errors import UsageError, UserError

LOAD_VS_FLOOR_MAX = 2.0
PEAK_RSS_MB_MAX = 1536.0
# the load's marts phase (what the load changed, estimator included) within a quarter of it
MARTS_VS_LOAD_MAX = 0.25
# issue 19: the public release and its audit add at most this share to the rest of a load
RELEASE_VS_REST_MAX = 0.15
CSV_BYTES_PER_ROW = 85  # a twin-usage CSV row (generated or resampled), for the disk check
SEED = 7
SCALES = ((50_000, "small"), (1_000_000, "medium"))  # up to this many events → this world
WORLD_BYTES = {"small": 10e6, "medium": 60e6, "large": 1.3e9}  # its CSVs, generously
BASE_KINDS = ("twins", "licenses", "bookings", "booking-crew", "crew-employment")
RAW_TABLES = {"twins": "raw.twins", "licenses": "raw.licenses",
              "twin-usage": "raw.twin_usage", "bookings": "raw.bookings",
              "booking-crew": "raw.booking_crew", "crew-employment": "raw.crew_employment"}
ESTIMATOR = "marts.displacement_estimates"  # the estimator's key in marts.rebuild's timings

# Contract-valid twin-usage rows (CONTRACT §1), deterministic: every value is a hash of the
# row number. Dates 2022-01-01 .. 2026-06-30; one usage in ten has no licence id.
_GENERATE_SQL = """
copy (
    select
        'U' || lpad(cast(i as varchar), 10, '0') as usage_id,
        cast(date '2022-01-01' + cast(hash(i, 1) % 1642 as integer) as date) as used_on,
        'T' || lpad(cast(hash(i, 2) % 5000 as varchar), 5, '0') as twin_id,
        'B' || lpad(cast(hash(i, 3) % 200 as varchar), 4, '0') as brand_id,
        case when hash(i, 4) % 10 = 0 then null
             else 'L' || lpad(cast(hash(i, 2) % 5000 as varchar), 5, '0') end as license_id,
        ['ecommerce', 'campaign', 'editorial', 'lookbook', 'social', 'other']
            [cast(hash(i, 5) % 6 as integer) + 1] as channel,
        ['GB', 'SE', 'US', 'FR', 'DE', 'IT', 'ES', 'NL']
            [cast(hash(i, 6) % 8 as integer) + 1] as region,
        cast(1 + hash(i, 7) % 40 as integer) as assets,
        cast((hash(i, 8) % 500000) / 100 as decimal(12, 2)) as fee_paid,
        ['EUR', 'GBP', 'SEK', 'USD'][cast(hash(i, 9) % 4 as integer) + 1] as currency,
        hash(i, 10) % 3 <> 0 as watermarked,
        hash(i, 11) % 2 = 0 as disclosed
    from range(?, ?) t(i)
) to '{path}' (header, delimiter ',')
"""

# Exactly N rows from the simulated usage: number its M rows in a fixed order (by a hash of
# usage_id, so any N draws from the whole period and every brand), then row i is numbered row
# i mod M with every column as written (all_varchar) and usage_id made unique on the repeats.
_RESAMPLE_SQL = """
copy (
    with sim as (
        select *, row_number() over (order by hash(usage_id), usage_id) - 1 as k_
        from read_csv(?, all_varchar = true, header = true)
    )
    select sim.* exclude (k_) replace (
        case when r.i < ? then sim.usage_id
             else sim.usage_id || '-r' || cast(r.i // ? as varchar) end as usage_id)
    from range(?) r(i)
    inner join sim on sim.k_ = r.i % ?
    order by r.i
) to '{path}' (header, delimiter ',')
"""

# Each step's program; prints one JSON object. The floor: argv[1:-1] the CSVs, argv[-1] the
# database; bare DuckDB reads them into one table (a header is given, as the loader knows).
_FLOOR = """
import json, sys, time, duckdb
t = time.perf_counter()
con = duckdb.connect(sys.argv[-1])
con.execute("set enable_progress_bar = false")
con.execute("create table t as select * from read_csv(?, header = true)", [sys.argv[1:-1]])
con.execute("checkpoint")
rows = con.execute("select count(*) from t").fetchone()[0]
con.close()
print(json.dumps({"rows": rows, "inner_seconds": time.perf_counter() - t}))
"""
_MARTS = """
import json, sys, time
from pathlib import Path
from etl import marts
from etl.warehouse import writer
with writer(Path(sys.argv[1])) as con:
    # DuckDB's own bar would follow the JSON on stdout (C's buffer is flushed after Python's)
    con.execute("set enable_progress_bar = false")
    t = time.perf_counter()
    timings = marts.rebuild(con, force=True)  # every table, not only what changed
    seconds = time.perf_counter() - t
print(json.dumps({"rebuild_seconds": seconds, "estimator_seconds": timings[sys.argv[2]],
                  "release_seconds": timings.get("release.cells")}))
"""
# Table names are our own constants (RAW_TABLES), never user input.
_COUNTS = """
import json, sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
print(json.dumps({t: con.execute(f"select count(*) from {t}").fetchone()[0] for t in sys.argv[2:]}))
"""
_WORLD = """
import json, sys
from pathlib import Path
from etl.simulate import build_files
built = build_files(seed=int(sys.argv[1]), scale=sys.argv[2], out=Path(sys.argv[3]))
files = {}
for kind, path in built.files:
    files.setdefault(kind, []).append(str(path))
print(json.dumps(files))
"""
_RESAMPLE = """
import json, sys
from pathlib import Path
from etl.bench import resample_usage_csv
print(json.dumps(resample_usage_csv(Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]))))
"""
_DASHBOARD = """
import json, sys
from pathlib import Path
from dashboard import perf
print(json.dumps(perf.measure(Path(sys.argv[1])), default=str))
"""


@dataclass
class Step:
    seconds: float
    cpu_seconds: float  # user + system: unlike wall time, not stretched by other processes
    peak_rss_mb: float
    returncode: int
    stdout: str
    stderr: str

    def last_json(self) -> object:
        lines = [ln for ln in self.stdout.splitlines() if ln.strip()]
        return json.loads(lines[-1]) if lines else None

    def error_line(self) -> str:
        lines = [ln for ln in self.stderr.splitlines() if ln.strip()]
        return lines[-1] if lines else f"exit code {self.returncode}"


def generate_usage_csv(path: Path, events: int, start: int = 0) -> None:
    """Write `events` contract-valid twin-usage rows to `path` as CSV (DuckDB COPY): rows
    that name no real twin or brand, for the soak and the loader's tests.

    Row i (from `start`) has usage_id U + i in ten digits, so files from disjoint ranges never
    share a key.
    """
    path = _checked_target(Path(path))
    con = duckdb.connect()
    try:
        con.execute("set enable_progress_bar = false")
        # COPY's target cannot be a parameter; the path is ours (checked above).
        con.execute(_GENERATE_SQL.format(path=path), [start, start + events])
    finally:
        con.close()


def run_step(argv: list[str], workdir: Path, env: dict | None = None) -> Step:
    """Run one step as a child process; wall time and the child's own peak RSS."""
    out_path, err_path = workdir / "step.out", workdir / "step.err"
    with open(out_path, "w") as out, open(err_path, "w") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                cwd=config.ROOT, env={**os.environ, **(env or {})})
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)  # Popen must not wait again
    return Step(seconds=seconds, cpu_seconds=usage.ru_utime + usage.ru_stime,
                peak_rss_mb=usage.ru_maxrss / 1024,  # Linux: KiB
                returncode=proc.returncode, stdout=out_path.read_text(),
                stderr=err_path.read_text())


def _workdir(db: Path) -> Path:
    """A private folder in bench/ beside the warehouse path `db` (data/bench by default,
    git-ignored), else the system temp folder. The warehouse itself is never opened."""
    try:
        base = db.parent / "bench"
        base.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix="run-", dir=base))
    except OSError:
        return Path(tempfile.mkdtemp(prefix="twinimpact-bench-"))


def world_scale(events: int) -> str:
    """The simulated world a bench of `events` twin-usage rows runs in."""
    return next((scale for most, scale in SCALES if events <= most), "large")


def resample_usage_csv(source: Path, path: Path, events: int) -> int:
    """Write exactly `events` twin-usage rows made from the simulated ones in `source`.

    The M simulated rows are numbered by hash(usage_id), then usage_id; row i of `path` is
    numbered row i mod M with every column as written, its usage_id kept while i < M and
    suffixed `-r<i // M>` after. Returns M.
    """
    path = _checked_target(Path(path))
    # sorting N wide rows: bounded, spilling into the bench's own folder
    con = duckdb.connect(config={"temp_directory": str(path.parent / "spill"),
                                  "memory_limit": "2GB"})
    try:
        con.execute("set enable_progress_bar = false")
        m = con.execute("select count(*) from read_csv(?, all_varchar = true, header = true)",
                        [str(source)]).fetchone()[0]
        if not m:
            raise UserError(f"bench: {source} holds no twin-usage rows to resample")
        # COPY's target cannot be a parameter; the path is ours (checked above).
        con.execute(_RESAMPLE_SQL.format(path=path), [str(source), m, m, events, m])
    finally:
        con.close()
    return m


def _checked_target(path: Path) -> Path:
    if "'" in str(path):
        raise UserError(f"cannot generate into {path}: the path contains a quote; "
                        "run the bench from a folder without one")
    return path


def _child(py: str, what: str, program: str, args: list[str],
           work: Path) -> tuple[Step, object]:
    """A step that must succeed: its Step and its JSON."""
    step = run_step([py, "-c", program, *args], work)
    if step.returncode != 0:
        raise UserError(f"bench: {what} failed ({step.error_line()}); "
                        "check free memory and disk, or use fewer --events")
    return step, step.last_json()


def _counts(py: str, db: Path, work: Path) -> dict[str, int]:
    """Rows of each raw table of the warehouse `db` (in a child: see the module's docstring)."""
    return _child(py, "counting the warehouse's rows", _COUNTS,
                  [str(db), *RAW_TABLES.values()], work)[1]


def _dashboard_step(py: str, db: Path, work: Path) -> dict:
    """`dashboard.perf.measure(db)` in its own process."""
    if os.environ.get("TWINIMPACT_BENCH_DASHBOARD", "1").strip() == "0":
        return {"skipped": "TWINIMPACT_BENCH_DASHBOARD=0"}
    dash = run_step([py, "-c", _DASHBOARD, str(db)], work)
    if dash.returncode != 0:
        return {"error": dash.error_line()}
    return {**dash.last_json(), "step_seconds": _r(dash.seconds), "peak_rss_mb": _r(dash.peak_rss_mb, 1)}


def _own_peak_mb() -> float:
    """This process's peak resident memory: what a child inherits as its starting peak.

    Linux's VmHWM is this process's memory alone; ru_maxrss would include the peak it
    inherited from its own parent (pytest, say) when it started.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _r(x: float, nd: int = 3) -> float:
    return round(x, nd)


def _mb(path: Path) -> float:
    return _r(path.stat().st_size / 2**20, 1)


def run(events: int, show_progress: bool = False, repeat: int = 3,
        db: Path | None = None) -> dict:
    """Build the world, load its base beside the floors, then the usage floor and load
    `repeat` times interleaved, then marts and dashboard.

    Its files go in a private folder beside `db` (see _workdir), removed at the end."""
    work = _workdir(config.db_path(db))
    try:
        free = shutil.disk_usage(work).free
        # the world's CSVs and its warehouses; the usage CSV, its floor, the warehouse and
        # the loader's private copy of it
        need = 2 * WORLD_BYTES[world_scale(events)] + 4 * events * CSV_BYTES_PER_ROW
        if free < need:
            raise UserError(f"bench --events {events:,} needs about {need / 1e9:.1f} GB free "
                            f"in {work.parent}, which has {free / 1e9:.1f} GB; "
                            "free some space or use fewer --events")
        return _run_in(work, events, show_progress, repeat)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _floor_step(py: str, csvs: list[Path], db: Path, work: Path) -> Step:
    """Bare DuckDB reads `csvs` into one table of a fresh database file, then checkpoints."""
    db.unlink(missing_ok=True)
    floor = run_step([py, "-c", _FLOOR, *map(str, csvs), str(db)], work)
    if floor.returncode != 0:
        raise UserError(f"bench: the floor step failed ({floor.error_line()}); "
                        "rerun with fewer --events or check free memory and disk")
    db.unlink(missing_ok=True)  # free the disk before the load
    return floor


def _load_step(py: str, kind: str, csvs: list[Path], db: Path, work: Path) -> tuple[Step, list]:
    """`twinimpact load KIND FILE... --db DB --json`, as a user runs it; its per-file results.
    The loader prints its phases' seconds on stderr (TWINIMPACT_TIMING): see _phase."""
    load = run_step([py, "-m", "etl", "load", kind, *map(str, csvs), "--db", str(db),
                     "--json"], work, env={"TWINIMPACT_TIMING": "1"})
    if load.returncode != 0:
        raise UserError(f"bench: loading {kind} failed ({load.error_line()}); "
                        "rerun `twinimpact load` on a small file to see why")
    lines = [ln for ln in load.stdout.splitlines() if ln.strip()]
    stray = [ln for ln in lines if not ln.lstrip().startswith("{")]
    if stray:  # not the loader's: say so rather than fail on it
        print(f"bench: the {kind} load printed lines that are not its results: "
              f"{stray[:3]!r}", file=sys.stderr)
    return load, [json.loads(ln) for ln in lines if ln.lstrip().startswith("{")]


def _phase(step: Step, name: str) -> float | None:
    """Wall seconds of one phase of a load (`timing marts: 2.31s wall, …` on its stderr)."""
    found = re.findall(rf"^timing {re.escape(name)}: ([0-9.]+)s wall", step.stderr, re.MULTILINE)
    return float(found[-1]) if found else None


def _fresh_copy(base: Path, db: Path) -> None:
    """`db` becomes a copy of the base warehouse (not timed: no user pays for it)."""
    for stale in (db, db.with_name(db.name + ".wal")):
        stale.unlink(missing_ok=True)
    shutil.copyfile(base, db)


def _one(step: Step) -> dict:
    return {"seconds": _r(step.seconds), "cpu_seconds": _r(step.cpu_seconds),
            "peak_rss_mb": _r(step.peak_rss_mb, 1)}


def _summary(steps: list[Step]) -> dict:
    """Median wall and CPU seconds over the runs, the highest peak memory, and every run."""
    return {"seconds": _r(statistics.median([x.seconds for x in steps])),
            "cpu_seconds": _r(statistics.median([x.cpu_seconds for x in steps])),
            "peak_rss_mb": _r(max(x.peak_rss_mb for x in steps), 1),
            "runs_seconds": [_r(x.seconds) for x in steps]}


def _loaded(results: list[dict]) -> dict:
    """The load's own counts over its files: statuses, rows inserted and quarantined."""
    statuses = sorted({r["status"] for r in results})
    return {"status": statuses[0] if len(statuses) == 1 else ",".join(statuses),
            "inserted": sum(r["inserted"] for r in results),
            "quarantined": sum(r["quarantined"] for r in results)}


def _base(py: str, files: dict[str, list[Path]], db: Path, work: Path, bar, task) -> dict:
    """Each of the five other kinds loaded once into `db`, beside its floor."""
    floor_db = work / "floor.duckdb"
    out = {}
    for kind in BASE_KINDS:
        bar.update(task, advance=1, description=f"base: {kind} (floor, then twinimpact load)")
        floor = _floor_step(py, files[kind], floor_db, work)
        load, results = _load_step(py, kind, files[kind], db, work)
        out[kind] = {"files": [p.name for p in files[kind]],
                     "floor": {**_one(floor), "rows": floor.last_json()["rows"]},
                     "load": {**_one(load), **_loaded(results)},
                     "ratio": _r(load.seconds / floor.seconds) if floor.seconds else None}
    rows = _counts(py, db, work)
    for kind in BASE_KINDS:
        out[kind]["load"]["rows"] = rows[RAW_TABLES[kind]]
    return out


def _run_in(work: Path, events: int, show_progress: bool, repeat: int) -> dict:
    scale = world_scale(events)
    csv = _checked_target(work / "twin-usage.csv")
    floor_db, load_db, base_db = (work / "floor.duckdb", work / "warehouse.duckdb",
                                  work / "base.duckdb")
    py = sys.executable
    result: dict = {"events": events, "repeat": repeat, "workdir": str(work),
                    "cpus": os.cpu_count(),
                    "memory_limit": config.DUCKDB_MEMORY_LIMIT,
                    # other work on the machine stretches wall times: say how busy it was
                    "load_average_1min": _r(os.getloadavg()[0], 2)}
    with progress.bar(show_progress) as bar:
        task = bar.add_task(f"simulating the {scale} world",
                            total=2 + len(BASE_KINDS) + 2 * repeat + 2)

        step, built = _child(py, "simulating the world", _WORLD,
                             [str(SEED), scale, str(work / "files")], work)
        files = {kind: [Path(p) for p in paths] for kind, paths in built.items()}
        result["world"] = {"scale": scale, "seed": SEED, "simulated": True,
                           "seconds": _r(step.seconds),
                           "csv_mb": _r(sum(p.stat().st_size for ps in files.values()
                                            for p in ps) / 2**20, 1),
                           "files": {k: [p.name for p in ps] for k, ps in files.items()}}
        bar.update(task, advance=1, description=f"twin-usage CSV: {events:,} rows")

        step, simulated = _child(py, "writing the twin-usage CSV", _RESAMPLE,
                                 [str(files["twin-usage"][0]), str(csv), str(events)], work)
        result["generate"] = {"seconds": _r(step.seconds), "csv_mb": _mb(csv),
                              "peak_rss_mb": _r(step.peak_rss_mb, 1),
                              "simulated_rows": simulated}

        result["base"] = _base(py, files, load_db, work, bar, task)
        shutil.copyfile(load_db, base_db)  # every usage load starts from this (not timed)
        result["world"]["rows"] = {kind: simulated if kind == "twin-usage"
                                   else result["base"][kind]["floor"]["rows"] for kind in files}
        result["world"]["base_warehouse_mb"] = _mb(base_db)

        # Floor and load alternate, so that a slow spell of a shared machine stretches both;
        # the ratio reported is the median of each pair's ratio.
        floors: list[Step] = []
        loads: list[Step] = []
        for i in range(repeat):
            bar.update(task, advance=1, description=f"floor {i + 1}/{repeat}: DuckDB read_csv")
            floors.append(_floor_step(py, [csv], floor_db, work))
            bar.update(task, advance=1,
                       description=f"load {i + 1}/{repeat}: twinimpact load twin-usage")
            _fresh_copy(base_db, load_db)
            step, results = _load_step(py, "twin-usage", [csv], load_db, work)
            loads.append(step)
        result["floor"] = {**_summary(floors), "rows": floors[-1].last_json()["rows"]}
        rows = _counts(py, load_db, work)
        in_load = [x for x in (_phase(ld, "marts") for ld in loads) if x is not None]
        release_s = [x for x in (_phase(ld, "release (in marts)") for ld in loads)
                     if x is not None]
        result["load"] = {**_summary(loads), "rows": rows["raw.twin_usage"], **_loaded(results),
                          # the load's own marts phase: only the tables the usage feeds
                          "marts_seconds": _r(statistics.median(in_load)) if in_load else None,
                          # of which the public release and its audit (etl/release.py)
                          "release_seconds": _r(statistics.median(release_s))
                          if release_s else None,
                          # its phases in the last load (etl/release.py PHASES)
                          "release_phases": {name: float(s) for name, s in re.findall(
                              r"^timing release/(.+): ([0-9.]+)s wall", loads[-1].stderr,
                              re.MULTILINE)} if loads else {}}
        result["warehouse"] = {"rows": rows, "mb": _mb(load_db)}
        base_db.unlink()
        bar.update(task, advance=1, description="marts rebuild")

        marts = run_step([py, "-c", _MARTS, str(load_db), ESTIMATOR], work)
        result["marts"] = {"seconds": None, "estimator_seconds": None,
                           "step_seconds": _r(marts.seconds),
                           "peak_rss_mb": _r(marts.peak_rss_mb, 1), "error": None}
        if marts.returncode == 0:
            out = marts.last_json()
            result["marts"]["seconds"] = _r(out["rebuild_seconds"])
            result["marts"]["estimator_seconds"] = _r(out["estimator_seconds"])
            result["marts"]["release_seconds"] = _r(out.get("release_seconds") or 0.0)
        else:
            result["marts"]["error"] = marts.error_line()
        bar.update(task, advance=1, description="dashboard")

        result["dashboard"] = _dashboard_step(py, load_db, work)
        bar.update(task, completed=2 + len(BASE_KINDS) + 2 * repeat + 2, description="done")
    result["bench_peak_rss_mb"] = _r(_own_peak_mb(), 1)

    pairs = [(ld.seconds / fl.seconds, ld.cpu_seconds / fl.cpu_seconds)
             for fl, ld in zip(floors, loads, strict=True) if fl.seconds and fl.cpu_seconds]
    load_s = result["load"]["seconds"]
    marts_s = result["marts"]["seconds"]
    result["ratios"] = {
        "load_vs_floor": _r(statistics.median([w for w, _ in pairs])) if pairs else None,
        "load_vs_floor_cpu": _r(statistics.median([c for _, c in pairs])) if pairs else None,
        "load_vs_floor_runs": [_r(w) for w, _ in pairs],
        "marts_vs_load": _r(marts_s / load_s) if marts_s is not None and load_s else None,
        "marts_in_load_vs_load": _r(result["load"]["marts_seconds"] / load_s)
        if result["load"]["marts_seconds"] is not None and load_s else None,
        # the release on top of everything else the load did, each load's own (median)
        "release_vs_rest": _r(statistics.median(rel)) if (rel := [
            r / (ld.seconds - r) for ld in loads
            if (r := _phase(ld, "release (in marts)")) is not None and ld.seconds > r])
        else None,
    }
    ratio, share = result["ratios"]["load_vs_floor"], result["ratios"]["marts_in_load_vs_load"]
    result["targets"] = {
        "load_vs_floor_max": LOAD_VS_FLOOR_MAX, "peak_rss_mb_max": PEAK_RSS_MB_MAX,
        "met": ratio is not None and ratio <= LOAD_VS_FLOOR_MAX
        and result["load"]["peak_rss_mb"] <= PEAK_RSS_MB_MAX,
        "marts_vs_load_max": MARTS_VS_LOAD_MAX,
        "marts_vs_load_met": share is not None and share <= MARTS_VS_LOAD_MAX,
        "release_vs_rest_max": RELEASE_VS_REST_MAX,
        "release_vs_rest_met": result["ratios"]["release_vs_rest"] is not None
        and result["ratios"]["release_vs_rest"] <= RELEASE_VS_REST_MAX,
    }
    return result


def _cell(x: object, fmt: str = "{:,.2f}") -> str:
    return "—" if x is None else fmt.format(x)


def _world_lines(r: dict) -> list[str]:
    """The world in two lines: what was simulated, then how each kind's files loaded."""
    w, rows = r["world"], r["world"]["rows"]
    kinds = ", ".join(
        f"{kind} {rows[kind]:,}" + (f" ({len(w['files'][kind])} files)"
                                     if len(w["files"][kind]) > 1 else "")
        for kind in ("twins", "licenses", "twin-usage", *BASE_KINDS[2:]))
    return [f"world: SIMULATED industry (etl.simulate, scale {w['scale']}, seed {w['seed']}; "
            f"{w['csv_mb']:,.0f} MB of CSV built in {w['seconds']:.1f} s)",
            f"  rows: {kinds}",
            f"  the bench's twin-usage: {r['events']:,} rows, row i = simulated row i mod "
            f"{r['generate']['simulated_rows']:,} (repeats get new usage_ids)"]


def render(r: dict) -> str:
    """The result as small tables for a terminal."""
    cell = _cell
    fl, ld, mt = r["floor"], r["load"], r["marts"]
    lines = [f"bench: {r['events']:,} twin-usage rows ({r['generate']['csv_mb']:,.1f} MB CSV) "
             "into a warehouse holding the other five kinds",
             f"  {r['cpus']} CPUs, DuckDB memory_limit {r['memory_limit']}; peak memory is each "
             f"step's own process (the bench process: {r['bench_peak_rss_mb']:,.0f} MB)",
             *_world_lines(r), "",
             f"base warehouse: each kind loaded once (`twinimpact load KIND FILE...`) beside "
             f"its floor ({r['world']['base_warehouse_mb']:,.0f} MB)",
             f"{'kind':<18}{'files':>6}{'rows':>12}{'floor s':>10}{'load s':>10}"
             f"{'load/floor':>12}{'load peak RSS MB':>18}"]
    for kind, b in r["base"].items():
        lines.append(f"{kind:<18}{len(b['files']):>6}{b['load']['rows']:>12,}"
                     f"{cell(b['floor']['seconds']):>10}{cell(b['load']['seconds']):>10}"
                     f"{cell(b['ratio'], '{:,.2f}×'):>12}"
                     f"{cell(b['load']['peak_rss_mb'], '{:,.0f}'):>18}")
    lines += ["", f"twin-usage: floor and load alternate {r['repeat']}× (medians; peak memory: "
              "the highest run);", "  each load starts from a copy of the base warehouse",
              f"{'step':<38}{'seconds':>10}{'CPU s':>10}{'peak RSS MB':>14}{'rows':>14}"]
    rows = [
        ("generate: usage CSV (DuckDB COPY)", r["generate"]["seconds"], None,
         r["generate"]["peak_rss_mb"], None),
        ("floor: DuckDB read_csv → table", fl["seconds"], fl["cpu_seconds"], fl["peak_rss_mb"],
         fl["rows"]),
        ("load: twinimpact load (incl. marts)", ld["seconds"], ld["cpu_seconds"],
         ld["peak_rss_mb"], ld["rows"]),
        ("  of which its marts (what changed)", ld.get("marts_seconds"), None, None, None),
        ("    of which the public release", ld.get("release_seconds"), None, None, None),
        ("marts rebuild alone (every table)", mt["seconds"], None, mt["peak_rss_mb"], None),
        ("  of which the estimator", mt["estimator_seconds"], None, None, None),
        ("  of which the public release", mt.get("release_seconds"), None, None, None),
    ]
    for name, s, cpu, mb, n in rows:
        lines.append(f"{name:<38}{cell(s):>10}{cell(cpu):>10}{cell(mb, '{:,.0f}'):>14}"
                     f"{cell(n, '{:,}'):>14}")
    if mt.get("error"):
        lines.append(f"  marts step failed: {mt['error']}")
    dash = r["dashboard"]
    if "error" in dash and len(dash) == 1:
        lines.append(f"{'dashboard':<38}failed: {dash['error']}")
    elif "skipped" in dash:
        lines.append(f"{'dashboard':<38}(skipped: {dash['skipped']})")
    else:
        lines.append(f"{'dashboard (whole step)':<38}{cell(dash.get('step_seconds')):>10}"
                     f"{'':>10}{cell(dash.get('peak_rss_mb'), '{:,.0f}'):>14}")
        lines += [f"  {key}: {value}" for key, value in dash.items()
                  if key not in {"step_seconds", "peak_rss_mb"}]
    ratios, targets = r["ratios"], r["targets"]
    lines += ["",
              f"load / floor: {cell(ratios['load_vs_floor'])}× wall, "
              f"{cell(ratios['load_vs_floor_cpu'])}× CPU (target ≤ "
              f"{targets['load_vs_floor_max']:g}× wall); load peak memory "
              f"{ld['peak_rss_mb']:,.0f} MB (target ≤ {targets['peak_rss_mb_max']:,.0f})"
              f" — {'met' if targets['met'] else 'NOT met'}",
              "each pair's load / floor: " + ", ".join(
                  f"{x:.2f}×" for x in ratios["load_vs_floor_runs"]),
              f"the load's marts phase (the tables the usage feeds, estimator included) / "
              f"load: {cell(ratios['marts_in_load_vs_load'], '{:.1%}')} (target ≤ "
              f"{targets['marts_vs_load_max']:.0%}) — "
              f"{'met' if targets['marts_vs_load_met'] else 'NOT met'}",
              f"the public release and its audit on top of the rest of the load: "
              f"{cell(ratios.get('release_vs_rest'), '+{:.1%}')} (target ≤ "
              f"+{targets['release_vs_rest_max']:.0%}) — "
              f"{'met' if targets['release_vs_rest_met'] else 'NOT met'}",
              f"a rebuild of every table / load: {cell(ratios['marts_vs_load'], '{:.1%}')} "
              "(what a first load or a new version's SQL pays once)"]
    waits = {page: ms for mode in dash.get("query_ms_by_mode", {}).values()
             for page, ms in mode.items()}
    if waits:
        slowest = max(waits, key=waits.get)
        lines.append(f"slowest page wait (cold, either mode): {waits[slowest]:.1f} ms "
                     f"({slowest}; target < {dash['limits_ms']['query']} ms) — "
                     f"{'met' if dash.get('query_ok') else 'NOT met'}")
    if r["load_average_1min"] > r["cpus"]:
        lines.append(f"note: the machine was busy (load average {r['load_average_1min']:.1f} "
                     f"on {r['cpus']} CPUs); wall times are stretched, CPU seconds less so")
    return "\n".join(lines)


def cmd_bench(args) -> int:
    """`twinimpact bench [--events N] [--repeat N] [--json]`, or `--estimators`,
    `--large-demo` (etl.bench_estimators), `--soak` (etl.soak)."""
    if getattr(args, "soak", False):
        from etl import soak
        return soak.cmd_soak(args)
    if getattr(args, "estimators", False) or getattr(args, "large_demo", False):
        from etl import bench_estimators
        return bench_estimators.cmd(args)
    if args.events < 1:
        raise UsageError(f"--events {args.events}: give a positive number of rows, "
                         "e.g. --events 1000000")
    if args.repeat < 1:
        raise UsageError(f"--repeat {args.repeat}: give how many times floor and load "
                         "alternate, e.g. --repeat 3")
    result = run(args.events, show_progress=progress.wanted(args.json), repeat=args.repeat,
                 db=config.db_path(args.db))
    print(json.dumps(result) if args.json else render(result))
    return 0

"""`twinimpact bench`: the project's load beside bare DuckDB, with time and peak memory.

TWINIMPACT_BENCH_DASHBOARD=0 leaves the dashboard step out (the tests do: it takes a minute).

Floor and load alternate --repeat times (default 3): wall times on a shared 2-core machine
swing by ±20% within minutes, and pairing each load with the floor run just before it, then
taking the median pair, keeps that swing out of the ratio.

Each step runs in a fresh subprocess so that its peak resident memory is its own: `os.wait4`
returns the rusage of exactly that child (RUSAGE_CHILDREN would give the maximum over every
child so far).
"""

from __future__ import annotations

import json
import os
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
CSV_BYTES_PER_ROW = 80  # what generate_usage_csv writes, for the disk-space check

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

# Each step's program. argv[1] is the CSV, argv[2] the warehouse; prints one JSON object.
_FLOOR = """
import json, sys, time, duckdb
t = time.perf_counter()
con = duckdb.connect(sys.argv[2])
con.execute("set enable_progress_bar = false")
con.execute("create table t as select * from read_csv(?)", [sys.argv[1]])
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
with writer(Path(sys.argv[2])) as con:
    t = time.perf_counter()
    marts.rebuild(con)
    seconds = time.perf_counter() - t
print(json.dumps({"rebuild_seconds": seconds}))
"""
_DASHBOARD = """
import json, sys
from pathlib import Path
from dashboard import perf
print(json.dumps(perf.measure(Path(sys.argv[2])), default=str))
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
    """Write `events` contract-valid twin-usage rows to `path` as CSV (DuckDB COPY).

    Row i (from `start`) has usage_id U + i in ten digits, so files from disjoint ranges never
    share a key.
    """
    path = Path(path)
    if "'" in str(path):
        raise UserError(f"cannot generate into {path}: the path contains a quote; "
                        "run the bench from a folder without one")
    con = duckdb.connect()
    try:
        con.execute("set enable_progress_bar = false")
        # COPY's target cannot be a parameter; the path is ours (checked above).
        con.execute(_GENERATE_SQL.format(path=path), [start, start + events])
    finally:
        con.close()


def run_step(argv: list[str], workdir: Path) -> Step:
    """Run one step as a child process; wall time and the child's own peak RSS."""
    out_path, err_path = workdir / "step.out", workdir / "step.err"
    with open(out_path, "w") as out, open(err_path, "w") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                cwd=config.ROOT)
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


def _count(db: Path, table: str) -> int:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(f"select count(*) from {table}").fetchone()[0]  # noqa: S608
    finally:
        con.close()


def _dashboard_step(py: str, csv: Path, db: Path, work: Path) -> dict:
    """`dashboard.perf.measure(db)` in its own process."""
    if os.environ.get("TWINIMPACT_BENCH_DASHBOARD", "1").strip() == "0":
        return {"skipped": "TWINIMPACT_BENCH_DASHBOARD=0"}
    dash = run_step([py, "-c", _DASHBOARD, str(csv), str(db)], work)
    if dash.returncode != 0:
        return {"error": dash.error_line()}
    return {**dash.last_json(), "step_seconds": _r(dash.seconds), "peak_rss_mb": _r(dash.peak_rss_mb, 1)}


def _r(x: float, nd: int = 3) -> float:
    return round(x, nd)


def run(events: int, show_progress: bool = False, repeat: int = 3,
        db: Path | None = None) -> dict:
    """Generate, then floor and load `repeat` times interleaved, then marts and dashboard.

    Its files go in a private folder beside `db` (see _workdir), removed at the end."""
    work = _workdir(config.db_path(db))
    try:
        free = shutil.disk_usage(work).free
        need = events * CSV_BYTES_PER_ROW * 3  # the CSV and two warehouses, roughly
        if free < need:
            raise UserError(f"bench --events {events:,} needs about {need / 1e9:.1f} GB free "
                            f"in {work.parent}, which has {free / 1e9:.1f} GB; "
                            "free some space or use fewer --events")
        return _run_in(work, events, show_progress, repeat)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _floor_step(py: str, csv: Path, db: Path, work: Path) -> Step:
    floor = run_step([py, "-c", _FLOOR, str(csv), str(db)], work)
    if floor.returncode != 0:
        raise UserError(f"bench: the floor step failed ({floor.error_line()}); "
                        "rerun with fewer --events or check free memory and disk")
    db.unlink(missing_ok=True)  # free the disk before the load
    return floor


def _load_step(py: str, csv: Path, db: Path, work: Path) -> Step:
    for stale in (db, db.with_name(db.name + ".wal")):
        stale.unlink(missing_ok=True)  # every load starts from nothing, as the floor does
    load = run_step([py, "-m", "etl", "load", "twin-usage", str(csv), "--db", str(db),
                     "--json"], work)
    if load.returncode != 0:
        raise UserError(f"bench: the load step failed ({load.error_line()}); "
                        "rerun `twinimpact load` on a small file to see why")
    return load


def _summary(steps: list[Step]) -> dict:
    """Median wall and CPU seconds over the runs, the highest peak memory, and every run."""
    return {"seconds": _r(statistics.median([x.seconds for x in steps])),
            "cpu_seconds": _r(statistics.median([x.cpu_seconds for x in steps])),
            "peak_rss_mb": _r(max(x.peak_rss_mb for x in steps), 1),
            "runs_seconds": [_r(x.seconds) for x in steps]}


def _run_in(work: Path, events: int, show_progress: bool, repeat: int) -> dict:
    csv = work / "twin-usage.csv"
    floor_db, load_db = work / "floor.duckdb", work / "warehouse.duckdb"
    py = sys.executable
    result: dict = {"events": events, "repeat": repeat, "workdir": str(work),
                    "cpus": os.cpu_count(),
                    "memory_limit": config.DUCKDB_MEMORY_LIMIT,
                    # other work on the machine stretches wall times: say how busy it was
                    "load_average_1min": _r(os.getloadavg()[0], 2)}
    with progress.bar(show_progress) as bar:
        task = bar.add_task("generate CSV", total=3 + 2 * repeat)

        t = time.perf_counter()
        generate_usage_csv(csv, events)
        result["generate"] = {"seconds": _r(time.perf_counter() - t),
                              "csv_mb": _r(csv.stat().st_size / 2**20, 1)}

        # Floor and load alternate, so that a slow spell of a shared machine stretches both;
        # the ratio reported is the median of each pair's ratio.
        floors: list[Step] = []
        loads: list[Step] = []
        for i in range(repeat):
            bar.update(task, advance=1, description=f"floor {i + 1}/{repeat}: DuckDB read_csv")
            floors.append(_floor_step(py, csv, floor_db, work))
            bar.update(task, advance=1, description=f"load {i + 1}/{repeat}: twinimpact load")
            loads.append(_load_step(py, csv, load_db, work))
        result["floor"] = {**_summary(floors), "rows": floors[-1].last_json()["rows"]}
        summary = loads[-1].last_json() or {}
        result["load"] = {**_summary(loads), "rows": _count(load_db, "raw.twin_usage"),
                          "status": summary.get("status"),
                          "inserted": summary.get("inserted"),
                          "quarantined": summary.get("quarantined")}
        bar.update(task, advance=1, description="marts rebuild")

        marts = run_step([py, "-c", _MARTS, str(csv), str(load_db)], work)
        result["marts"] = {"seconds": None, "step_seconds": _r(marts.seconds),
                           "peak_rss_mb": _r(marts.peak_rss_mb, 1), "error": None}
        if marts.returncode == 0:
            result["marts"]["seconds"] = _r(marts.last_json()["rebuild_seconds"])
        else:
            result["marts"]["error"] = marts.error_line()
        bar.update(task, advance=1, description="dashboard")

        result["dashboard"] = _dashboard_step(py, csv, load_db, work)
        bar.update(task, advance=1, description="done")

    pairs = [(ld.seconds / fl.seconds, ld.cpu_seconds / fl.cpu_seconds)
             for fl, ld in zip(floors, loads, strict=True) if fl.seconds and fl.cpu_seconds]
    load_s = result["load"]["seconds"]
    marts_s = result["marts"]["seconds"]
    result["ratios"] = {
        "load_vs_floor": _r(statistics.median([w for w, _ in pairs])) if pairs else None,
        "load_vs_floor_cpu": _r(statistics.median([c for _, c in pairs])) if pairs else None,
        "load_vs_floor_runs": [_r(w) for w, _ in pairs],
        "marts_vs_load": _r(marts_s / load_s) if marts_s is not None and load_s else None,
    }
    ratio = result["ratios"]["load_vs_floor"]
    result["targets"] = {
        "load_vs_floor_max": LOAD_VS_FLOOR_MAX, "peak_rss_mb_max": PEAK_RSS_MB_MAX,
        "met": ratio is not None and ratio <= LOAD_VS_FLOOR_MAX
        and result["load"]["peak_rss_mb"] <= PEAK_RSS_MB_MAX,
    }
    return result


def render(r: dict) -> str:
    """The result as a small table for a terminal."""
    def cell(x: object, fmt: str = "{:,.2f}") -> str:
        return "—" if x is None else fmt.format(x)

    fl, ld, mt = r["floor"], r["load"], r["marts"]
    rows = [
        ("generate CSV (DuckDB COPY)", r["generate"]["seconds"], None, None, None),
        ("floor: DuckDB read_csv → table", fl["seconds"], fl["cpu_seconds"], fl["peak_rss_mb"],
         fl["rows"]),
        ("load: twinimpact load (incl. marts)", ld["seconds"], ld["cpu_seconds"],
         ld["peak_rss_mb"], ld["rows"]),
        ("marts rebuild alone", mt["seconds"], None, mt["peak_rss_mb"], None),
    ]
    lines = [f"bench: {r['events']:,} twin-usage rows ({r['generate']['csv_mb']:,.0f} MB CSV), "
             f"{r['cpus']} CPUs, DuckDB memory_limit {r['memory_limit']}; floor and load "
             f"alternate {r['repeat']}× (medians; peak memory: the highest run)", "",
             f"{'step':<38}{'seconds':>10}{'CPU s':>10}{'peak RSS MB':>14}{'rows':>14}"]
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
              f"marts rebuild / load: {cell(ratios['marts_vs_load'])}"]
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

"""`twinimpact bench` at a small N: the shape of its report and that its steps agree.

A benchmark, not a timed test: no assertion here depends on how fast the machine is. The
bench's world is the simulator's (seed 7, small at this N); `world` builds the same files
again here, so the expected counts come from the files, not from the bench.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb
import pytest
from conftest import run_cli

from etl import bench
from etl.errors import UserError
from etl.simulate import build_files

N = 2000
BASE_KINDS = ["twins", "licenses", "bookings", "booking-crew", "crew-employment"]


@pytest.fixture(scope="module")
def where(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("bench") / "sub" / "w.duckdb"


@pytest.fixture(scope="module")
def result(where: Path) -> dict:
    proc = run_cli("bench", "--events", N, "--repeat", 2, "--json", "--db", where,
                   env={"TWINIMPACT_BENCH_DASHBOARD": "0"})
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""  # quiet in --json mode
    (line,) = proc.stdout.splitlines()  # one JSON object
    return json.loads(line)


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> dict[str, list[Path]]:
    """The bench's world built again: kind → its files."""
    built = build_files(seed=7, scale="small", out=tmp_path_factory.mktemp("world"))
    files: dict[str, list[Path]] = {}
    for kind, path in built.files:
        files.setdefault(kind, []).append(path)
    return files


def _rows(paths: list[Path]) -> list[dict]:
    """Every data row of the CSV files, read with Python's csv module (not DuckDB)."""
    out = []
    for p in paths:
        with open(p, newline="") as f:
            out += list(csv.DictReader(f))
    return out


def test_bench_works_beside_db_and_never_opens_it(result: dict, where: Path) -> None:
    work = Path(result["workdir"])
    assert work.parent == where.parent / "bench" and work.name.startswith("run-")
    assert not work.exists()  # removed at the end
    assert list(where.parent.iterdir()) == [where.parent / "bench"]  # no w.duckdb


def test_report_shape_and_positive_numbers(result: dict) -> None:
    assert set(result) == {"events", "repeat", "workdir", "cpus", "memory_limit",
                           "load_average_1min", "world", "generate", "base", "floor", "load",
                           "warehouse", "marts", "dashboard", "ratios", "targets",
                           "bench_peak_rss_mb"}
    assert (result["events"], result["repeat"]) == (N, 2)
    # two interleaved pairs: each step's runs, each pair's ratio, and the median of the pairs
    assert len(result["floor"]["runs_seconds"]) == len(result["load"]["runs_seconds"]) == 2
    runs = result["ratios"]["load_vs_floor_runs"]
    assert len(runs) == 2
    assert result["ratios"]["load_vs_floor"] == pytest.approx(sum(runs) / 2, abs=0.002)
    assert result["floor"]["seconds"] == pytest.approx(
        sum(result["floor"]["runs_seconds"]) / 2, abs=0.002)
    assert result["load"]["seconds"] == pytest.approx(
        sum(result["load"]["runs_seconds"]) / 2, abs=0.002)
    assert result["ratios"]["marts_vs_load"] == pytest.approx(
        result["marts"]["seconds"] / result["load"]["seconds"], abs=0.001)
    # the load's marts phase, read from its own timing lines: only what the usage feeds, so
    # less than a rebuild of every table, and a part of the load
    assert 0 < result["load"]["marts_seconds"] < result["load"]["seconds"]
    assert result["ratios"]["marts_in_load_vs_load"] == pytest.approx(
        result["load"]["marts_seconds"] / result["load"]["seconds"], abs=0.001)
    assert result["dashboard"] == {"skipped": "TWINIMPACT_BENCH_DASHBOARD=0"}
    # A child's peak starts at its parent's peak (Linux, at exec): the bench process stays
    # below every step, or each figure would be the bench's own.
    peaks = [result[step]["peak_rss_mb"] for step in ("generate", "floor", "load", "marts")]
    peaks += [b[s]["peak_rss_mb"] for b in result["base"].values() for s in ("floor", "load")]
    assert 0 < result["bench_peak_rss_mb"] < min(peaks)
    for value in (result["generate"]["seconds"], result["generate"]["csv_mb"],
                  result["floor"]["seconds"], result["load"]["seconds"],
                  result["marts"]["seconds"], result["marts"]["step_seconds"],
                  result["marts"]["estimator_seconds"],
                  result["floor"]["cpu_seconds"], result["load"]["cpu_seconds"],
                  result["ratios"]["load_vs_floor"], result["ratios"]["load_vs_floor_cpu"],
                  result["ratios"]["marts_vs_load"], result["world"]["seconds"],
                  result["world"]["base_warehouse_mb"], result["warehouse"]["mb"]):
        assert isinstance(value, float) and value > 0
    # the estimator is one part of the rebuild
    assert result["marts"]["estimator_seconds"] < result["marts"]["seconds"]
    assert result["marts"]["error"] is None
    targets = result["targets"]
    assert (targets["load_vs_floor_max"], targets["peak_rss_mb_max"],
            targets["marts_vs_load_max"]) == (2.0, 1536.0, 0.25)
    assert targets["met"] is (result["ratios"]["load_vs_floor"] <= 2.0
                              and result["load"]["peak_rss_mb"] <= 1536.0)
    assert targets["marts_vs_load_met"] is (result["ratios"]["marts_in_load_vs_load"] <= 0.25)
    # the release against the rest of each load (its own timing line), median over the loads
    release = result["ratios"]["release_vs_rest"]
    assert 0 < result["load"]["release_seconds"] < result["load"]["marts_seconds"]
    assert release > 0 and targets["release_vs_rest_max"] == 0.15
    assert targets["release_vs_rest_met"] is (release <= 0.15)


def test_the_world_is_the_small_simulated_one(result: dict, world: dict) -> None:
    w = result["world"]
    assert (w["scale"], w["seed"], w["simulated"]) == ("small", 7, True)
    assert w["files"] == {k: [p.name for p in ps] for k, ps in world.items()}
    assert len(w["files"]["bookings"]) > 1  # bookings.csv and the per-brand files
    assert w["rows"] == {k: len(_rows(ps)) for k, ps in world.items()}
    assert result["generate"]["simulated_rows"] == w["rows"]["twin-usage"] > N


def test_each_base_kind_loaded_beside_its_floor(result: dict, world: dict) -> None:
    assert list(result["base"]) == BASE_KINDS
    for kind in BASE_KINDS:
        b, rows = result["base"][kind], len(_rows(world[kind]))
        assert b["files"] == [p.name for p in world[kind]], kind
        assert b["floor"]["rows"] == b["load"]["rows"] == b["load"]["inserted"] == rows, kind
        assert (b["load"]["status"], b["load"]["quarantined"]) == ("loaded", 0), kind
        # the ratio of the unrounded seconds: within 1% of the rounded ones' (≥ 0.1 s each)
        assert b["ratio"] == pytest.approx(b["load"]["seconds"] / b["floor"]["seconds"],
                                           rel=0.01), kind
        assert b["load"]["peak_rss_mb"] > 0 and b["floor"]["peak_rss_mb"] > 0, kind


def test_floor_and_load_read_the_same_rows(result: dict) -> None:
    assert result["floor"]["rows"] == result["load"]["rows"] == N
    # Every resampled row is contract-valid: nothing quarantined.
    assert {k: result["load"][k] for k in ("status", "inserted", "quarantined")} == {
        "status": "loaded", "inserted": N, "quarantined": 0}


def test_the_loaded_warehouse_held_all_six_kinds(result: dict, world: dict) -> None:
    table = {"twins": "raw.twins", "licenses": "raw.licenses", "bookings": "raw.bookings",
             "booking-crew": "raw.booking_crew", "crew-employment": "raw.crew_employment"}
    expected = {table[k]: len(_rows(world[k])) for k in BASE_KINDS}
    assert result["warehouse"]["rows"] == {**expected, "raw.twin_usage": N}


def test_render_shows_each_step_beside_the_others(result: dict) -> None:
    text = bench.render(result)
    lines = text.splitlines()
    assert lines[0].startswith(f"bench: {N:,} twin-usage rows")
    assert f"the bench process: {result['bench_peak_rss_mb']:,.0f} MB" in lines[1]
    assert "scale small, seed 7" in lines[2] and "SIMULATED" in lines[2]
    assert "bookings 7,422 (3 files)" in lines[3]
    firsts = [ln.split()[0] for ln in lines if ln.strip()]
    base_at = firsts.index("kind")
    assert firsts[base_at + 1:base_at + 6] == BASE_KINDS
    step_at = firsts.index("step")
    # "of which": the load's marts, their public release; the rebuild's estimator, release
    assert firsts[step_at + 1:step_at + 10] == ["generate:", "floor:", "load:", "of", "of",
                                                "marts", "of", "of", "dashboard"]
    assert "load / floor: " in text and "(target ≤ 2× wall)" in text
    share = result["ratios"]["marts_in_load_vs_load"]
    met = "met" if share <= 0.25 else "NOT met"
    assert (f"the load's marts phase (the tables the usage feeds, estimator included) / load: "
            f"{share:.1%} (target ≤ 25%) — {met}") in lines
    every = result["ratios"]["marts_vs_load"]
    assert (f"a rebuild of every table / load: {every:.1%} (what a first load or a new "
            "version's SQL pays once)") in lines


def test_world_scale_follows_the_events() -> None:
    assert [bench.world_scale(n) for n in (1, 50_000, 50_001, 1_000_000, 1_000_001,
                                           10_000_000)] == [
        "small", "small", "medium", "medium", "large", "large"]


def test_resampled_usage_joins_the_world(world: dict, tmp_path: Path) -> None:
    out = tmp_path / "usage.csv"
    assert bench.resample_usage_csv(world["twin-usage"][0], out, N) == len(
        _rows(world["twin-usage"]))
    rows = _rows([out])
    assert len(rows) == N and len({r["usage_id"] for r in rows}) == N
    twins = {r["twin_id"] for r in _rows(world["twins"])}
    licences = _rows(world["licenses"])
    brands = {r["brand_id"] for r in _rows(world["bookings"])} | {
        r["brand_id"] for r in licences}
    assert {r["twin_id"] for r in rows} <= twins
    assert {r["brand_id"] for r in rows} <= brands
    assert {r["license_id"] for r in rows} - {""} <= {r["license_id"] for r in licences}
    # N < M: every row is a simulated row as written, none repeated
    simulated = {r["usage_id"]: r for r in _rows(world["twin-usage"])}
    assert all(simulated[r["usage_id"]] == r for r in rows)


def test_resampling_repeats_the_simulated_rows_in_hash_order(tmp_path: Path) -> None:
    src, out = tmp_path / "sim.csv", tmp_path / "out.csv"
    header = ("usage_id,used_on,twin_id,brand_id,license_id,channel,region,assets,fee_paid,"
              "currency,watermarked,disclosed")
    sim = [f"US{i},2024-0{i}-01,TW{i},BR0{i},{'' if i == 2 else f'LI{i}'},social,GB,{i},"
           f"{i}.50,EUR,true,false" for i in range(1, 6)]
    src.write_text("\n".join([header, *sim]) + "\n")
    assert bench.resample_usage_csv(src, out, 12) == 5
    order = [r[0] for r in duckdb.connect().execute(
        "select usage_id from read_csv(?) order by hash(usage_id), usage_id",
        [str(src)]).fetchall()]
    assert sorted(order) == [f"US{i}" for i in range(1, 6)]
    by_id = {line.split(",")[0]: line for line in sim}
    expected = [by_id[order[i % 5]] for i in range(12)]
    expected = [line if i < 5 else line.replace(order[i % 5], f"{order[i % 5]}-r{i // 5}", 1)
                for i, line in enumerate(expected)]
    assert out.read_text().splitlines() == [header, *expected]


def test_resampling_refuses_a_path_with_a_quote(tmp_path: Path) -> None:
    bad = tmp_path / "it's" / "usage.csv"
    with pytest.raises(UserError, match="contains a quote"):
        bench.resample_usage_csv(tmp_path / "sim.csv", bad, 10)


def test_generated_rows_are_deterministic_and_cover_the_vocabularies(tmp_path: Path) -> None:
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    bench.generate_usage_csv(a, 5000)
    bench.generate_usage_csv(b, 5000)
    assert a.read_bytes() == b.read_bytes()
    con = duckdb.connect()
    row = con.execute(
        "select count(*), count(distinct usage_id), count(distinct channel), "
        "count(distinct currency), min(assets) >= 1, min(used_on) >= date '2022-01-01', "
        "max(used_on) <= date '2026-12-31', count(*) filter (where license_id is null) > 0 "
        "from read_csv(?)", [str(a)]).fetchone()
    assert row == (5000, 5000, 6, 4, True, True, True, True)
    assert a.read_text().splitlines()[0] == (
        "usage_id,used_on,twin_id,brand_id,license_id,channel,region,assets,fee_paid,"
        "currency,watermarked,disclosed")

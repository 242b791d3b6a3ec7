"""`twinimpact bench` at a small N: the shape of its report and that its steps agree.

A benchmark, not a timed test: no assertion here depends on how fast the machine is.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from conftest import run_cli

from etl import bench

N = 2000


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


def test_bench_works_beside_db_and_never_opens_it(result: dict, where: Path) -> None:
    work = Path(result["workdir"])
    assert work.parent == where.parent / "bench" and work.name.startswith("run-")
    assert not work.exists()  # removed at the end
    assert list(where.parent.iterdir()) == [where.parent / "bench"]  # no w.duckdb


def test_report_shape_and_positive_numbers(result: dict) -> None:
    assert set(result) == {"events", "repeat", "workdir", "cpus", "memory_limit", "load_average_1min",
                           "generate", "floor", "load", "marts", "dashboard", "ratios",
                           "targets"}
    assert (result["events"], result["repeat"]) == (N, 2)
    # two interleaved pairs: each step's runs, each pair's ratio, and the median of the pairs
    assert len(result["floor"]["runs_seconds"]) == len(result["load"]["runs_seconds"]) == 2
    runs = result["ratios"]["load_vs_floor_runs"]
    assert len(runs) == 2
    assert result["ratios"]["load_vs_floor"] == pytest.approx(sum(runs) / 2, abs=0.002)
    assert result["floor"]["seconds"] == pytest.approx(
        sum(result["floor"]["runs_seconds"]) / 2, abs=0.002)
    assert result["dashboard"] == {"skipped": "TWINIMPACT_BENCH_DASHBOARD=0"}
    for step in ("floor", "load", "marts"):
        assert result[step]["peak_rss_mb"] > 0, step
    for value in (result["generate"]["seconds"], result["generate"]["csv_mb"],
                  result["floor"]["seconds"], result["load"]["seconds"],
                  result["marts"]["seconds"], result["marts"]["step_seconds"],
                  result["floor"]["cpu_seconds"], result["load"]["cpu_seconds"],
                  result["ratios"]["load_vs_floor"], result["ratios"]["load_vs_floor_cpu"],
                  result["ratios"]["marts_vs_load"]):
        assert isinstance(value, float) and value > 0
    assert result["marts"]["error"] is None
    assert result["targets"]["load_vs_floor_max"] == 2.0
    assert result["targets"]["peak_rss_mb_max"] == 1536.0
    assert isinstance(result["targets"]["met"], bool)


def test_floor_and_load_read_the_same_rows(result: dict) -> None:
    assert result["floor"]["rows"] == result["load"]["rows"] == N
    # Every generated row is contract-valid: nothing quarantined.
    assert {k: result["load"][k] for k in ("status", "inserted", "quarantined")} == {
        "status": "loaded", "inserted": N, "quarantined": 0}


def test_render_shows_each_step_beside_the_others(result: dict) -> None:
    text = bench.render(result)
    steps = [ln.split()[0] for ln in text.splitlines()[3:8]]
    assert steps == ["generate", "floor:", "load:", "marts", "dashboard"]
    assert f"{N:,} twin-usage rows" in text.splitlines()[0]
    assert "load / floor: " in text and "(target ≤ 2× wall)" in text


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

"""The simulated industry: deterministic files, a clean load, and a world the estimators can read."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import duckdb
import numpy as np
import pytest
from conftest import run_cli

from etl.sim.build import FILES
from etl.sim.common import split_total
from etl.simulate import build_files


def _digests(folder: Path) -> dict[str, str]:
    return {name: hashlib.sha256((folder / name).read_bytes()).hexdigest()
            for name in FILES.values()}


@pytest.fixture(scope="module")
def con(demo_db: Path):
    c = duckdb.connect(str(demo_db), read_only=True)
    yield c
    c.close()


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path) -> None:
    build_files(3, "small", tmp_path / "a")
    build_files(3, "small", tmp_path / "b")
    build_files(4, "small", tmp_path / "c")
    a, b, c = (_digests(tmp_path / x) for x in "abc")
    assert a == b
    assert all(a[name] != c[name] for name in a)


@pytest.mark.parametrize(("totals", "parts"), [
    ([5, 1, 10], [2, 1, 10]),      # every part ≥ 1; parts == total gives all ones
    ([100, 7], [3, 7]),
])
def test_split_total_is_exact(totals, parts) -> None:
    gid, values = split_total(np.random.default_rng(0), np.array(totals), np.array(parts))
    assert np.bincount(gid, weights=values).tolist() == totals
    assert np.bincount(gid).tolist() == parts
    assert values.min() >= 1


def test_clean_demo_loads_every_row(con) -> None:
    loads = con.execute("select kind, status, rows_in, inserted, quarantined, simulated "
                        "from meta.loads where simulated order by load_id").fetchall()
    assert [r[0] for r in loads] == list(FILES)
    assert all(r[1] == "loaded" and r[2] == r[3] and r[4] == 0 for r in loads)
    assert con.execute("select count(*) from meta.quarantine").fetchone()[0] == 0
    assert con.execute("select count(*) from meta.loads where status = 'rejected'"
                       ).fetchone()[0] == 0


def test_control_brands_never_adopt_and_shoot_every_channel(con) -> None:
    rows = con.execute("""
        select brand_id, count(distinct channel) from raw.bookings
        where brand_id not in (select brand_id from raw.twin_usage) group by all
    """).fetchall()
    assert len(rows) == 4  # [scale.small] never_adopt = 4
    assert all(n == 5 for _, n in rows)


def test_adoption_is_staggered_from_2023(con) -> None:
    firsts = [r[0] for r in con.execute("""
        select min(date_trunc('month', used_on)) from raw.twin_usage group by brand_id
    """).fetchall()]
    assert len(firsts) == 8
    assert len(set(firsts)) >= 3
    assert min(firsts).isoformat() >= "2023-01-01"


def test_top_tenth_of_twin_models_take_most_twin_income(con) -> None:
    share = con.execute("""
        with income as (
            select t.model_id, sum(u.fee_paid_rep) as income
            from raw.twin_usage u join raw.twins t using (twin_id) group by all
        ), ranked as (
            select income, row_number() over (order by income desc) as rk,
                   count(*) over () as n from income
        )
        select sum(income) filter (where rk <= ceil(n / 10.0)) / sum(income) from ranked
    """).fetchone()[0]
    assert share > 0.40


def test_truth_matches_the_loaded_bookings(con) -> None:
    mismatches = con.execute("""
        with booked as (
            select date_trunc('month', shoot_date) as month, brand_id, channel,
                   sum(days) as days
            from raw.bookings where status <> 'cancelled' group by all
        )
        select count(*) from sim.truth_monthly t
        full join booked b using (month, brand_id, channel)
        where coalesce(t.actual_shoot_days, -1) <> coalesce(b.days, 0)
    """).fetchone()[0]
    assert mismatches == 0
    # no displacement before adoption, and never more shoot days than the counterfactual
    assert con.execute("""
        select count(*) from sim.truth_monthly t
        left join (select brand_id, min(date_trunc('month', used_on)) as adopted
                   from raw.twin_usage group by all) a using (brand_id)
        where t.actual_shoot_days > t.counterfactual_shoot_days
           or (t.actual_shoot_days <> t.counterfactual_shoot_days
               and (a.adopted is null or t.month < a.adopted))
    """).fetchone()[0] == 0


def test_did_recovers_the_truth_within_15_percent(con) -> None:
    """The brief's estimator over the raw tables, per adopting brand, post-adoption."""
    rows = con.execute("""
        with days as (
            select date_trunc('month', shoot_date) as m, brand_id, channel, sum(days) as d
            from raw.bookings where status <> 'cancelled' group by all
        ), grid as (
            select t.month as m, t.brand_id, t.channel, coalesce(d.d, 0) as d
            from sim.truth_monthly t left join days d
              on d.m = t.month and d.brand_id = t.brand_id and d.channel = t.channel
        ), adopt as (
            select brand_id, min(date_trunc('month', used_on)) as a from raw.twin_usage group by 1
        ), ctrl as (
            select m, channel, sum(d) as c from grid
            where brand_id not in (select brand_id from adopt) group by all
        ), pre as (
            select g.brand_id, g.channel, a.a, avg(g.d) as lvl, avg(c.c) as cpre
            from grid g join adopt a using (brand_id) join ctrl c using (m, channel)
            where g.m >= a.a - interval 12 month and g.m < a.a group by all
        ), est as (
            select g.brand_id, sum(p.lvl * c.c / p.cpre - g.d) as did
            from grid g join pre p using (brand_id, channel) join ctrl c using (m, channel)
            where g.m >= p.a group by all
        )
        select e.brand_id, e.did / sum(t.counterfactual_shoot_days - t.actual_shoot_days)
        from est e join sim.truth_monthly t using (brand_id) group by e.brand_id, e.did
    """).fetchall()
    assert len(rows) == 8
    assert all(0.85 <= float(r) <= 1.15 for _, r in rows), rows


def test_upper_bound_is_at_least_the_truth(con) -> None:
    below = con.execute("""
        with adopt as (
            select brand_id, min(date_trunc('month', used_on)) as a from raw.twin_usage group by 1
        ), apd as (
            select b.brand_id, b.channel, sum(b.assets) / sum(b.days) as per_day
            from raw.bookings b join adopt a using (brand_id)
            where b.status <> 'cancelled' and b.shoot_date >= a.a - interval 12 month
              and b.shoot_date < a.a group by all
        ), upper_ as (
            select u.brand_id, sum(u.assets / p.per_day) as upper_days
            from raw.twin_usage u join apd p using (brand_id, channel) group by all
        )
        select count(*) from upper_ u
        join (select brand_id, sum(counterfactual_shoot_days - actual_shoot_days) as truth
              from sim.truth_monthly group by 1) t using (brand_id)
        where u.upper_days < t.truth
    """).fetchone()[0]
    assert below == 0


@pytest.mark.parametrize(("channel", "low", "high"), [
    ("ecommerce", 6, 8), ("campaign", 11, 15), ("editorial", 6, 7), ("lookbook", 6, 8),
    ("social", 3, 5),
])
def test_crew_size_by_channel(con, channel: str, low: int, high: int) -> None:
    lo, hi = con.execute("""
        select min(n), max(n) from (
            select b.booking_id, count(*) as n from raw.bookings b
            join raw.booking_crew c using (booking_id)
            where b.channel = ? group by all)
    """, [channel]).fetchone()
    assert (lo, hi) == (low, high)


def test_survey_says_it_is_simulated(con) -> None:
    sources = con.execute("select distinct source from raw.crew_employment r "
                          "join meta.loads l on l.load_id = r._load_id where l.simulated"
                          ).fetchall()
    assert sources == [("Twin Impact demo survey (simulated)",)]


def test_dirty_demo_quarantines_exactly_the_injected_rows(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    proc = run_cli("demo", "--seed", "7", "--dirty", "--json", "--out", tmp_path / "files",
                   "--db", db)
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(x) for x in proc.stdout.splitlines()]
    injected = lines[-1]["demo"]["dirty_rows"]
    assert len(injected) == 15
    with duckdb.connect(str(db), read_only=True) as c:
        got = c.execute("select kind, file, line from meta.quarantine order by all").fetchall()
    assert got == sorted((r["kind"], r["file"], r["line"]) for r in injected)


def test_demo_refuses_a_warehouse_holding_real_loads(demo_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    shutil.copyfile(demo_db, db)
    files = tmp_path / "files"
    assert run_cli("demo", "--out", files, "--db", db).returncode == 0  # a demo may replace a demo
    real = tmp_path / "real-twins.csv"
    real.write_text("twin_id,model_id,created_on\nT1,M1,2024-01-02\n")
    assert run_cli("load", "twins", real, "--db", db).returncode == 0
    proc = run_cli("demo", "--out", files, "--db", db)
    assert proc.returncode == 1
    assert proc.stderr.startswith("error:") and "--db" in proc.stderr
    assert proc.stderr.count("\n") == 1
    with duckdb.connect(str(db), read_only=True) as c:  # untouched
        assert c.execute("select count(*) from raw.twins where twin_id = 'T1'").fetchone()[0] == 1


@pytest.mark.parametrize(("args", "code", "message"), [
    (["--seed", "-1"], 2, "error: --seed must be 0 or more, got -1\n"),
    (["--out", "{file}"], 1, "error: --out {file} is a file; give a folder for the six demo files\n"),
])
def test_demo_bad_arguments_are_one_line(tmp_path: Path, args, code, message) -> None:
    a_file = tmp_path / "not-a-folder"
    a_file.write_text("x")
    args = [x.format(file=a_file) for x in args]
    proc = run_cli("demo", *args, "--db", tmp_path / "w.duckdb")
    assert (proc.returncode, proc.stderr) == (code, message.format(file=a_file))
    assert not (tmp_path / "w.duckdb").exists()

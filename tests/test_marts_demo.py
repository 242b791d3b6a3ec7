"""The estimators against the simulator's ground truth, over several seeds of the demo."""

from __future__ import annotations

from pathlib import Path

import marts_fixture as mf
import pytest
from conftest import run_cli

EXTRA_SEEDS = (1, 2)


@pytest.fixture(scope="module", params=("demo_db", *EXTRA_SEEDS))
def seeded_db(request, tmp_path_factory) -> Path:
    if request.param == "demo_db":
        return request.getfixturevalue("demo_db")  # seed 7, shared by the whole run
    out = tmp_path_factory.mktemp(f"demo-seed{request.param}")
    db = out / "warehouse.duckdb"
    proc = run_cli("demo", "--seed", str(request.param), "--scale", "small",
                   "--out", str(out / "files"), "--db", str(db))
    assert proc.returncode == 0, proc.stderr
    return db


@pytest.fixture(scope="module", params=(7, *EXTRA_SEEDS))
def smooth_db(request, tmp_path_factory) -> Path:
    """The smooth world (`demo --noise low`): common trends, 1.5% noise, one bookings file."""
    out = tmp_path_factory.mktemp(f"smooth-seed{request.param}")
    db = out / "warehouse.duckdb"
    proc = run_cli("demo", "--seed", str(request.param), "--scale", "small", "--noise", "low",
                   "--out", str(out / "files"), "--db", str(db))
    assert proc.returncode == 0, proc.stderr
    return db


def per_brand(db: Path) -> list[tuple]:
    return mf.rows(db, """
        with est as (
            select brand_id, bool_or(is_adopter) as adopter,
                   sum(displaced_shoot_days_did) as did,
                   sum(displaced_shoot_days_upper) as upper
            from marts.displacement_monthly group by all
        ),
        truth as (
            select brand_id,
                   sum(counterfactual_shoot_days - actual_shoot_days)::double as truth
            from sim.truth_monthly group by all
        )
        select brand_id, adopter, did, upper, coalesce(truth, 0)
        from est left join truth using (brand_id) order by brand_id""")


def test_did_recovers_the_truth_within_15_percent(smooth_db):
    """A point estimate this close holds in the smooth world only: the default world's months
    swing by a third and some brands' bookings are partly unobserved (CONTRACT §5)."""
    brands = per_brand(smooth_db)
    adopters = [b for b in brands if b[1]]
    assert adopters and len(adopters) < len(brands)  # some adopt, some never do
    for brand_id, adopter, did, upper, truth in brands:
        if adopter:
            assert truth > 0, brand_id
            assert abs(did / truth - 1) <= 0.15, (brand_id, did, truth)
            assert upper >= truth, (brand_id, upper, truth)
        else:
            assert did == 0 and upper == 0 and abs(truth) < 1e-9, brand_id


def test_mart_invariants_on_the_demo(seeded_db):
    bad = mf.rows(seeded_db, """
        select count(*) from marts.consent_monthly
        where licensed_assets + unlicensed_assets <> twin_assets
           or list_sum(map_values(unlicensed_reason_counts)) <> unlicensed_assets
           or watermarked_share not between 0 and 1 or disclosed_share not between 0 and 1""")
    assert bad == [(0,)]
    assert mf.rows(seeded_db, """
        select count(*) from marts.displacement_monthly
        where twin_share not between 0 and 1
           or (not post_adoption and (displaced_shoot_days_did <> 0
                                      or displaced_shoot_days_upper <> 0))""") == [(0,)]
    # every model of a year is in exactly one of the two cohorts
    assert mf.rows(seeded_db, """
        select count(*) from (
            select year, sum(models) filter (where cohort = 'all') as a,
                   sum(models) filter (where cohort <> 'all') as b
            from marts.income_distribution_yearly group by year) where a <> b""") == [(0,)]
    # the marts' grains are unique
    for table, key in (("displacement_monthly", "month, brand_id, channel"),
                       ("crew_impact_monthly", "month, brand_id, role"),
                       ("model_income_monthly", "month, model_id"),
                       ("consent_monthly", "month, brand_id"),
                       ("income_distribution_yearly", "year, cohort"),
                       ("employment", "period, area, role, source")):
        assert mf.rows(seeded_db, f"select count(*) - count(distinct ({key})) "
                                  f"from marts.{table}") == [(0,)], table


def test_demo_employment_holds_the_real_bls_figures(demo_db):
    assert mf.rows(demo_db, """
        select period, role, employed, median_earnings::double, currency, simulated
        from marts.employment where source = 'BLS OEWS' and role in ('model', 'photographer')
        order by period""") == [("2021", "photographer", 38420, 38950.0, "USD", False),
                                ("2023", "model", 3090, 47430.0, "USD", False)]

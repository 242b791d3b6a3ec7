"""The simulated industry: deterministic files, a clean load, a world as rough as real exports
(CONTRACT §5) that the estimators can still read, and licences that exercise every right."""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pytest
from conftest import run_cli

from etl.sim.build import FILES
from etl.sim.common import load_params, split_total
from etl.simulate import build_files

# seed 7, small, default noise: two adopters' bookings arrive in their own files
PARTIAL = [{"file": "bookings-BR05.csv", "brand_id": "BR05", "from": "2022-01", "to": "2025-11"},
           {"file": "bookings-BR06.csv", "brand_id": "BR06", "from": "2022-09", "to": "2026-06"}]

# The months each brand is observed in: each bookings file covers its first to last shoot
# month (CONTRACT §2), for every brand it holds.
OBSERVED = """
    with files as (
        select _load_id, min(date_trunc('month', shoot_date)) as lo,
               max(date_trunc('month', shoot_date)) as hi
        from raw.bookings group by all
    ), held as (select distinct _load_id, brand_id from raw.bookings)
    select distinct h.brand_id,
           unnest(generate_series(f.lo, f.hi, interval 1 month))::date as month
    from held h join files f using (_load_id)
"""


def _digests(folder: Path) -> dict[str, str]:
    # images-map.csv is the demo's load step's (its sample of uses is read from the
    # warehouse); tests/test_images.py checks it is deterministic too
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in folder.glob("*.csv")
            if p.name not in ("bls-crew-employment.csv", "images-map.csv")}


@pytest.fixture(scope="module")
def con(demo_db: Path):
    c = duckdb.connect(str(demo_db), read_only=True)
    yield c
    c.close()


@pytest.fixture(scope="module")
def built(demo_db: Path, tmp_path_factory):
    """The demo's world again (seed 7, small), with the expected levels behind its shocks."""
    b = build_files(7, "small", tmp_path_factory.mktemp("seed7"))
    assert _digests(b.paths["twins"].parent) == _digests(demo_db.parent / "files")
    return b


@pytest.fixture(scope="module")
def low_db(tmp_path_factory) -> Path:
    """The old smooth world: `demo --noise low`, seed 7."""
    out = tmp_path_factory.mktemp("low")
    proc = run_cli("demo", "--seed", "7", "--noise", "low", "--out", out / "files",
                   "--db", out / "w.duckdb")
    assert proc.returncode == 0, proc.stderr
    assert "noise low" in proc.stdout and "arrive in" not in proc.stdout
    return out / "w.duckdb"


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path) -> None:
    build_files(3, "small", tmp_path / "a")
    build_files(3, "small", tmp_path / "b")
    build_files(4, "small", tmp_path / "c")
    build_files(3, "small", tmp_path / "d", noise="low")
    build_files(3, "small", tmp_path / "e", noise="low")
    a, b, c, d, e = (_digests(tmp_path / x) for x in "abcde")
    assert a == b and d == e
    assert len(a) == 8 and len(d) == 6  # two brands' bookings in their own files; low: none
    assert all(a[name] != c[name] for name in FILES.values())
    assert all(a[name] != d[name] for name in ("bookings.csv", "booking-crew.csv"))


def test_a_rebuild_removes_another_seeds_partial_files(tmp_path: Path) -> None:
    first = build_files(7, "small", tmp_path)
    again = build_files(1, "small", tmp_path)
    names = sorted(p.name for p in tmp_path.glob("bookings*.csv"))
    assert names == sorted(["bookings.csv", *(p.name for p in again.extra)])
    assert {p.name for p in first.extra} != {p.name for p in again.extra}


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
    loads = con.execute("select kind, status, rows_in, inserted, quarantined, simulated, "
                        "regexp_extract(file, '[^/]+$') from meta.loads where simulated "
                        "order by load_id").fetchall()
    assert [(r[0], r[6]) for r in loads] == [
        ("twins", "twins.csv"), ("licenses", "licenses.csv"), ("twin-usage", "twin-usage.csv"),
        ("bookings", "bookings.csv"), ("bookings", "bookings-BR05.csv"),
        ("bookings", "bookings-BR06.csv"), ("booking-crew", "booking-crew.csv"),
        ("crew-employment", "crew-employment.csv"),
        ("image-checks", "images")]  # the sample images, scanned (etl/sim/images.py)
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


def test_truth_is_complete_and_matches_the_exported_bookings(con) -> None:
    # every brand × channel it shoots (54) × every month of the window (54), observed or not
    assert con.execute("""
        select count(*), count(distinct (brand_id, channel)), count(distinct month),
               min(month), max(month) from sim.truth_monthly""").fetchone() == (
        54 * 54, 54, 54, date(2022, 1, 1), date(2026, 6, 1))
    mismatches = con.execute(f"""
        with observed as ({OBSERVED}), booked as (
            select date_trunc('month', shoot_date)::date as month, brand_id, channel,
                   sum(days) as days
            from raw.bookings where status <> 'cancelled' group by all
        ), truth as (
            select * from sim.truth_monthly join observed using (brand_id, month)
        )
        select count(*) from truth t
        full join booked b using (month, brand_id, channel)
        where coalesce(t.actual_shoot_days, -1) <> coalesce(b.days, 0)
    """).fetchone()[0]
    assert mismatches == 0
    # the months outside the two partial files are in the truth, and nowhere in the files
    assert con.execute(f"""
        select brand_id, count(distinct month), sum(actual_shoot_days) > 0
        from sim.truth_monthly
        where (brand_id, month) not in (select (brand_id, month) from ({OBSERVED}))
        group by all order by all""").fetchall() == [("BR05", 7, True), ("BR06", 8, True)]
    # no displacement before adoption, and never more shoot days than the counterfactual
    assert con.execute("""
        select count(*) from sim.truth_monthly t
        left join (select brand_id, min(date_trunc('month', used_on)) as adopted
                   from raw.twin_usage group by all) a using (brand_id)
        where t.actual_shoot_days > t.counterfactual_shoot_days
           or (t.actual_shoot_days <> t.counterfactual_shoot_days
               and (a.adopted is null or t.month < a.adopted))
    """).fetchone()[0] == 0


def test_partial_exports_start_late_or_stop_early_as_the_parameters_say(built, con) -> None:
    assert built.summary["partial_exports"] == PARTIAL
    assert [x.name for x in built.extra] == ["bookings-BR05.csv", "bookings-BR06.csv"]
    assert con.execute("""
        select regexp_extract(l.file, '[^/]+$'), string_agg(distinct b.brand_id order by b.brand_id),
               strftime(min(b.shoot_date), '%Y-%m'), strftime(max(b.shoot_date), '%Y-%m')
        from raw.bookings b join meta.loads l on l.load_id = b._load_id
        group by all order by 1""").fetchall() == [
        ("bookings-BR05.csv", "BR05", "2022-01", "2025-11"),
        ("bookings-BR06.csv", "BR06", "2022-09", "2026-06"),
        ("bookings.csv", "BR01,BR02,BR03,BR04,BR07,BR08,BR09,BR10,BR11,BR12", "2022-01",
         "2026-06")]
    # [exports]: BR06's file starts 8 months in (late_start_months); BR05 adopts 2024-12, so its
    # file, drawn to stop 3–15 months early, keeps min_observed_post_months = 12 from adoption:
    # it stops at 2025-11, 7 months before the window's end
    ex = load_params(7, "small")["exports"]
    assert ex["late_start_months"][0] <= 8 <= ex["late_start_months"][1]
    assert ex["early_stop_months"][0] <= 7 <= ex["early_stop_months"][1]
    assert ex["min_observed_post_months"] == 12
    assert con.execute("""
        select brand_id, strftime(min(used_on), '%Y-%m'), strftime(max(used_on), '%Y-%m')
        from raw.twin_usage where brand_id in ('BR05', 'BR06') group by all order by all
    """).fetchall() == [("BR05", "2024-12", "2026-06"), ("BR06", "2024-05", "2026-06")]
    # twin use stays complete; crew rows come only with exported bookings, all of them
    assert con.execute("""
        select count(*) filter (where b.booking_id is null),
               count(distinct c.booking_id) = (select count(*) from raw.bookings
                                               where status <> 'cancelled')
        from raw.booking_crew c left join raw.bookings b using (booking_id)""").fetchone() == (
        0, True)


@pytest.mark.parametrize("seed", range(1, 7))
def test_partial_files_follow_the_rules_at_any_seed(tmp_path: Path, seed: int) -> None:
    """[exports] at small scale: one late and one early file, the months the draw says, and
    enough observed months left for the estimators."""
    built = build_files(seed, "small", tmp_path)
    ex = load_params(seed, "small")["exports"]
    sql = duckdb.connect().execute
    adopters = {r[0]: r[1] for r in sql(f"""
        select brand_id, strftime(min(used_on::date), '%Y-%m')
        from read_csv('{tmp_path}/twin-usage.csv', all_varchar = true) group by all""").fetchall()}
    late = early = 0
    for x in built.summary["partial_exports"]:
        lo, hi, brands = sql(f"""
            select strftime(min(shoot_date::date), '%Y-%m'),
                   strftime(max(shoot_date::date), '%Y-%m'), list(distinct brand_id)
            from read_csv('{tmp_path}/{x["file"]}', all_varchar = true)""").fetchone()
        assert (lo, hi, brands) == (x["from"], x["to"], [x["brand_id"]])
        start, stop = _months_from(x["from"]), 53 - _months_from(x["to"])
        if start:  # starts late
            late += 1
            assert ex["late_start_months"][0] <= start <= ex["late_start_months"][1], x
        else:  # stops early (0 when an adopter's 12 months from adoption pushed it to the end)
            early += 1
            assert stop <= ex["early_stop_months"][1], x
        if x["brand_id"] in adopters:
            adopted = _months_from(adopters[x["brand_id"]])
            assert adopted - start >= 6 and (53 - stop) - adopted + 1 >= 12, x
    assert (late, early) == (1, 1)
    assert any(x["to"] != "2026-06" and x["brand_id"] in adopters
               for x in built.summary["partial_exports"])
    assert sum(x["brand_id"] not in adopters for x in built.summary["partial_exports"]) <= 1
    # no brand is in two files
    assert sql(f"""
        select count(*) from (select brand_id from read_csv('{tmp_path}/bookings*.csv',
            all_varchar = true, filename = true) group by all having count(distinct filename) > 1)
    """).fetchone()[0] == 0


def _months_from(ym: str) -> int:
    """Months from 2022-01 (the window's first) to 'YYYY-MM'."""
    y, m = map(int, ym.split("-"))
    return (y - 2022) * 12 + m - 1


def _cv_by_brand(built) -> dict[str, tuple[int, float]]:
    """Per non-adopter: (months, CV of its monthly shoot days around its own linear trend).

    CONTRACT §5's measure: residual standard deviation of a straight line fitted to the
    brand's monthly shoot days (non-cancelled, its exported months) ÷ their mean. Seasons and
    shocks both vary around the trend.
    """
    folder = built.paths["bookings"].parent
    with duckdb.connect() as c:
        rows = c.execute(f"""
            with bk as (
                select * from read_csv('{folder}/bookings*.csv', all_varchar = true)
            ), actual as (
                select date_trunc('month', shoot_date::date)::date as month, brand_id,
                       sum(days::decimal(8, 2)) filter (where status <> 'cancelled') as days
                from bk group by all
            )
            select brand_id, list(coalesce(days, 0)::double order by month) from actual
            where brand_id not in (select brand_id from read_csv(
                '{folder}/twin-usage.csv', all_varchar = true))
            group by all order by all""").fetchall()
    out = {}
    for brand, days in rows:
        y = np.array(days)
        t = np.arange(len(y))
        resid = y - np.polyval(np.polyfit(t, y, 1), t)
        out[brand] = (len(y), float(resid.std(ddof=2) / y.mean()))
    return out


def test_non_adopters_vary_like_real_exports(built) -> None:
    """CONTRACT §5: a non-adopter's monthly shoot days vary with CV ≥ 0.2 around its trend."""
    cv = _cv_by_brand(built)
    assert {b: n for b, (n, _) in cv.items()} == {"BR01": 54, "BR08": 54, "BR09": 54,
                                                   "BR10": 54}
    assert all(x >= 0.2 for _, x in cv.values()), cv


def test_low_noise_keeps_the_old_smooth_world(tmp_path: Path) -> None:
    low = build_files(7, "small", tmp_path, noise="low")
    assert low.extra == [] and low.summary["partial_exports"] == []
    cv = _cv_by_brand(low)
    assert sorted(cv) == ["BR01", "BR08", "BR09", "BR10"]
    # the shared seasons alone (1.5% shocks): about half the default world's variation
    assert all(x < 0.15 for _, x in cv.values()), cv


def test_did_recovers_the_truth_within_15_percent_in_the_smooth_world(low_db) -> None:
    """The brief's estimator over the raw tables, per adopting brand, post-adoption.

    World changed: this holds in the smooth world (`--noise low`) only. In the default world
    a brand's months swing by a third, so a point estimate needs its interval (the marts').
    """
    with duckdb.connect(str(low_db), read_only=True) as con:
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


# The licence rights of CONTRACT §4 per twin image (asset) used in 2025, judged from the files on
# the licence each use names; a use naming no licence meets none of the terms; an empty
# exclusive/training_allowed is unknown (null), never met.
RIGHTS_2025 = """
    with lic as (
        select * from read_csv('{folder}/licenses.csv', all_varchar = true)
    ), uses as (
        select u.assets::int as assets, u.used_on::date as used_on,
               l.license_id is not null as named, l.valid_from::date as vf,
               l.valid_to::date as vt, coalesce(l.channels, '*') as ch,
               coalesce(l.regions, '*') as rg, l.exclusive::bool as ex,
               l.training_allowed::bool as tr, l.revoked_on::date as rv
        from read_csv('{folder}/twin-usage.csv', all_varchar = true) u
        left join lic l using (license_id)
        where year(u.used_on::date) = 2025
    ), judged as (
        select assets,
               named and vt is not null and vt <= vf + interval 3 year as time_limited,
               named and ch <> '*' and rg <> '*' as purpose_limited,
               case when named then not ex else false end as non_exclusive,
               case when named then not tr else false end as no_training,
               not (named and rv is not null and used_on >= rv) as revocation_honoured
        from uses
    )
    select r, sum(assets) filter (where v) / sum(assets),
           coalesce(sum(assets) filter (where v is null), 0) / sum(assets)
    from judged unpivot include nulls (v for r in (time_limited, purpose_limited,
                                                   non_exclusive, no_training,
                                                   revocation_honoured))
    group by r order by r
"""


def test_twin_images_of_2025_meet_and_miss_every_licence_right(demo_db: Path) -> None:
    """Issue 11: each right's share of 2025 twin images lies strictly within (5%, 99.5%)."""
    with duckdb.connect() as c:
        shares = c.execute(RIGHTS_2025.format(folder=demo_db.parent / "files")).fetchall()
    assert [r for r, _, _ in shares] == ["no_training", "non_exclusive", "purpose_limited",
                                         "revocation_honoured", "time_limited"]
    assert all(0.05 < met < 0.995 for _, met, _ in shares), shares
    unknown = {r: u for r, _, u in shares}
    assert unknown["non_exclusive"] > 0 and unknown["no_training"] > 0
    assert unknown["time_limited"] == unknown["purpose_limited"] == 0


def test_licences_state_every_kind_of_term(demo_db: Path) -> None:
    folder = demo_db.parent / "files"
    with duckdb.connect() as c:
        row = c.execute(f"""
            select count(*) filter (where valid_to is null),
                   count(*) filter (where valid_to::date > valid_from::date + interval 3 year),
                   count(*) filter (where channels = '*' and regions = '*'),
                   count(*) filter (where channels <> '*' and regions <> '*'),
                   count(*) filter (where exclusive = 'true'),
                   count(*) filter (where exclusive = 'false'),
                   count(*) filter (where training_allowed = 'true'),
                   count(*) filter (where training_allowed = 'false'),
                   count(*) filter (where exclusive is null and training_allowed is null),
                   count(distinct brand_id) filter (where exclusive is null
                                                    or training_allowed is null),
                   count(distinct brand_id)
            from read_csv('{folder}/licenses.csv', all_varchar = true)""").fetchone()
        # a revoked licence used on and after its revocation, by at least one brand
        revoked_then_used = c.execute(f"""
            select count(distinct l.brand_id)
            from read_csv('{folder}/licenses.csv', all_varchar = true) l
            join read_csv('{folder}/twin-usage.csv', all_varchar = true) u using (license_id)
            where u.used_on::date >= l.revoked_on::date""").fetchone()[0]
    assert all(n > 0 for n in row[:9]), row
    assert row[9] == row[10] == 8  # every adopter has some licence with an unstated term
    assert revoked_then_used > 0


def test_twin_fees_per_image_fall_above_and_below_the_models_shoot_income(con) -> None:
    """fair_pay (CONTRACT §4): fee per asset vs the model's shoot income per asset delivered in
    the 12 months before the twin's creation, both in the reporting currency."""
    met, unknown = con.execute("""
        with shoots as (
            select c.person_id as model_id, c.shoot_date, c.fee_total_rep as fee, b.assets
            from staging.stg_booking_crew c join raw.bookings b using (booking_id)
            where c.role = 'model' and not c.is_cancelled
        ), own as (
            select t.twin_id, sum(s.fee) / nullif(sum(s.assets), 0) as per_asset
            from raw.twins t left join shoots s on s.model_id = t.model_id
             and s.shoot_date >= t.created_on - interval 12 month and s.shoot_date < t.created_on
            group by all
        )
        select sum(u.assets) filter (where u.fee_paid_rep / u.assets >= o.per_asset)
                   / sum(u.assets),
               coalesce(sum(u.assets) filter (where o.per_asset is null), 0) / sum(u.assets)
        from raw.twin_usage u join own o using (twin_id)
        where u.license_id is not null and year(u.used_on) = 2025""").fetchone()
    assert 0.05 < met < 0.995 and unknown < 0.05, (met, unknown)


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
    (["--out", "{file}"], 1, "error: --out {file} is a file; give a folder for the demo files\n"),
])
def test_demo_bad_arguments_are_one_line(tmp_path: Path, args, code, message) -> None:
    a_file = tmp_path / "not-a-folder"
    a_file.write_text("x")
    args = [x.format(file=a_file) for x in args]
    proc = run_cli("demo", *args, "--db", tmp_path / "w.duckdb")
    assert (proc.returncode, proc.stderr) == (code, message.format(file=a_file))
    assert not (tmp_path / "w.duckdb").exists()

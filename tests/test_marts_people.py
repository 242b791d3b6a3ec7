"""People behind a brand's twin use (consent_monthly.twin_models) and twin income by model.

staging.int_usage_brand_people counts the distinct people behind a brand's month from the usage
cube; this industry has 1,053 people in one month × brand (more than one block of 1,024, which
an earlier bitmap version had to add up across). Models
M0000..M0049 own two twins each (T0000+T0001, T0002+T0003, ...); every other twin is its
model's only one.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import marts_fixture as mf
import pytest

MAY, JUN = date(2023, 5, 1), date(2023, 6, 1)


def model_of(i: int) -> str:
    return f"M{i // 2:04d}" if i < 100 else f"M{i:04d}"


TWINS = [(f"T{i:04d}", model_of(i), "2023-01-01") for i in range(1100)]


def use(n: int, day: str, twin: str, brand: str, channel: str, assets: int, fee: int) -> tuple:
    return (f"U{n:05d}", day, twin, brand, "", channel, "GB", str(assets), str(fee), "EUR",
            "false", "false")


USAGE = [
    # brand A, May: every loaded twin once (1,050 models), T0005 a second time in another
    # channel (still model M0002), and three twins nobody loaded (one person each)
    *(use(i, "2023-05-10", f"T{i:04d}", "A", "ecommerce", 1, 1) for i in range(1100)),
    use(1100, "2023-05-11", "T0005", "A", "campaign", 2, 3),
    *(use(1101 + i, "2023-05-12", f"TX{i}", "A", "ecommerce", 1, 1) for i in range(1, 4)),
    # brand B, May: both twins of M0000, and T1099 (M1099)
    use(1200, "2023-05-20", "T0000", "B", "ecommerce", 1, 10),
    use(1201, "2023-05-21", "T0001", "B", "ecommerce", 1, 20),
    use(1202, "2023-05-22", "T1099", "B", "ecommerce", 1, 5),
    # brand A, June: one twin
    use(1300, "2023-06-01", "T0000", "A", "ecommerce", 4, 7),
]


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("people") / "warehouse.duckdb"
    mf.build(path, {"twins": TWINS, "twin-usage": USAGE})
    return path


def test_twin_models_counts_each_person_once_across_blocks(db):
    # A, May: 1,050 models + 3 unknown twins = 1,053 (T0005's second use adds nobody).
    # B, May: T0000 and T0001 are one person (M0000), plus M1099 → 2. A, June: M0000 → 1.
    assert mf.rows(db, "select month, brand_id, twin_models from marts.consent_monthly "
                       "order by month, brand_id") == [(MAY, "A", 1053), (MAY, "B", 2),
                                                       (JUN, "A", 1)]


def test_twin_income_sums_a_models_twins_over_brands(db):
    # M0000, May: A uses T0000 (1) and T0001 (1), B uses T0000 (10) and T0001 (20) → 32,
    # 4 assets; June: 7, 4 assets. M0002, May: T0004 1 + T0005 1 + 3 → 5, 1 + 1 + 2 = 4 assets.
    got = mf.rows(db, """
        select model_id, month, twin_income, twin_assets, has_twin
        from marts.model_income_monthly where model_id in ('M0000', 'M0002', 'M1099')
        order by model_id, month""")
    assert got == [
        ("M0000", MAY, Decimal("32"), 4, True),
        ("M0000", JUN, Decimal("7"), 4, True),
        ("M0002", MAY, Decimal("5"), 4, True),
        ("M1099", MAY, Decimal("6"), 2, True),
    ]
    assert mf.rows(db, "select count(*), sum(twin_income) from marts.model_income_monthly") == [
        (1051, Decimal("1100") + 3 + 10 + 20 + 5 + 7)]


def test_unknown_twins_in_data_quality(db):
    assert mf.rows(db, "select rows, assets, examples from marts.data_quality "
                       "where check_name = 'usage_unknown_twin'") == [(3, 3, ["TX1", "TX2", "TX3"])]


def test_lorenz_and_distribution_share_one_cohort_per_year(tmp_path):
    """A model whose twin comes after their last paid month of the year is a twin holder
    that year in the distribution figures and the Lorenz curve alike (CONTRACT §4)."""
    from dashboard import queries

    db = tmp_path / "warehouse.duckdb"
    mf.build(db, {
        "bookings": [("K1", "A", "2024-03-05", "ecommerce", "GB", "1", "10", "completed", ""),
                     ("K2", "A", "2024-11-10", "ecommerce", "GB", "1", "10", "completed", "")],
        "booking-crew": [("K1", "M1", "model", "1", "1000", "", "EUR"),
                         ("K1", "M2", "model", "1", "600", "", "EUR"),
                         ("K2", "M3", "model", "1", "200", "", "EUR")],
        # M1: twin in September, income only in March; M2: twin the next year; M3: in June
        "twins": [("T1", "M1", "2024-09-15"), ("T2", "M2", "2025-02-01"),
                  ("T3", "M3", "2024-06-01")]})
    assert mf.rows(db, "select model_id, has_twin, income from marts.model_income_yearly "
                       "where year = 2024 order by model_id") == [
        ("M1", True, 1000.0), ("M2", False, 600.0), ("M3", True, 200.0)]
    assert mf.rows(db, "select cohort, models, median_income from "
                       "marts.income_distribution_yearly where year = 2024 order by cohort") == [
        ("all", 3, Decimal("600.0000")), ("no_twin", 1, Decimal("600.0000")),
        ("twin_holders", 2, Decimal("600.0000"))]
    curve = queries.lorenz(db, 2024)
    got = [(r.cohort, r.models, round(r.pop_share, 4), round(r.income_share, 4))
           for r in curve.itertuples()]
    assert got == [
        ("all", 3, 0.0, 0.0), ("all", 3, 0.3333, 0.1111), ("all", 3, 0.6667, 0.4444),
        ("all", 3, 1.0, 1.0),
        ("no_twin", 1, 0.0, 0.0), ("no_twin", 1, 1.0, 1.0),
        ("twin_holders", 2, 0.0, 0.0), ("twin_holders", 2, 0.5, 0.1667),
        ("twin_holders", 2, 1.0, 1.0)]


# ---- bitmaps of more than one block of 4,096 people ---------------------------------------
# 9,000 crew members on brand A's bookings: persons C00000..C08999 are numbered 1..9,000 (by
# id), so the bitmaps span three blocks (0..4095, 4096..8191, 8192..). In January everyone
# works; in February only the even ones; in March C08999 alone, as a stylist.
def _crew_world(tmp_path_factory):
    bookings = [("k1", "A", "2023-01-10", "ecommerce", "GB", "1", "1", "completed", ""),
                ("k2", "A", "2023-02-10", "ecommerce", "GB", "1", "1", "completed", ""),
                ("k3", "A", "2023-03-10", "ecommerce", "GB", "1", "1", "completed", "")]
    crew = [("k1", f"C{i:05d}", "photographer", "1", "100", "", "EUR") for i in range(9000)]
    crew += [("k2", f"C{i:05d}", "photographer", "1", "100", "", "EUR")
             for i in range(0, 9000, 2)]
    crew += [("k3", "C08999", "stylist", "1", "100", "", "EUR")]
    # and 9,000 models' twins used by brand A: all in January, the even ones in February
    twins = [(f"T{i:05d}", f"M{i:05d}", "2022-12-01") for i in range(9000)]
    usage = [use(i, "2023-01-05", f"T{i:05d}", "A", "ecommerce", 1, 1) for i in range(9000)]
    usage += [use(10000 + i, "2023-02-05", f"T{i:05d}", "A", "ecommerce", 1, 1)
              for i in range(0, 9000, 2)]
    path = tmp_path_factory.mktemp("bits") / "warehouse.duckdb"
    mf.build(path, {"bookings": bookings, "booking-crew": crew, "twins": twins,
                    "twin-usage": usage})
    return path


@pytest.fixture(scope="module")
def crew_db(tmp_path_factory):
    return _crew_world(tmp_path_factory)


def test_crew_bitmaps_count_people_across_blocks(crew_db):
    # a row per month × role × block with anyone in it: Jan and Feb photographers in all
    # three blocks, March's stylist (person 9,000) in block 2 only
    from dashboard import queries
    from dashboard.filters import Filters

    assert mf.rows(crew_db, "select block, count(*) from staging.int_crew_people_bits "
                            "group by block order by block") == [(0, 2), (1, 2), (2, 3)]
    # Feb–Mar against Dec–Jan: 4,500 even ones + C08999 (odd) = 4,501; January's 9,000
    got = queries.crew_totals(crew_db, Filters("2023-02", "2023-03"))
    assert list(got["people"]) == [4501, 9000]
    got = queries.crew_by_role(crew_db, Filters("2023-01", "2023-03"))
    assert dict(zip(got["role"], got["people"], strict=True)) == {"photographer": 9000,
                                                                  "stylist": 1}
    # the same through the per-person rows (a brand filter): the two paths agree
    got = queries.crew_totals(crew_db, Filters("2023-02", "2023-03", brand=("A",)))
    assert list(got["people"]) == [4501, 9000]
    # the models behind the twin use, from the twin bitmaps: February 4,500, January 9,000
    got = queries.displacement_totals(crew_db, Filters("2023-02", "2023-02"))
    assert list(got["models"]) == [4500, 9000]
    got = queries.consent_totals(crew_db, Filters("2023-02", "2023-02"))
    assert list(got["people"]) == list(got["unlicensed_people"]) == [4500, 9000]

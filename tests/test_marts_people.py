"""People behind a brand's twin use (consent_monthly.twin_models) and twin income by model.

staging.int_usage_brand_people counts people with bitmaps in blocks of 1024 person numbers;
this industry has 1,053 people in one month × brand, so the count spans two blocks. Models
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

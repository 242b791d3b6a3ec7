"""Models' income and its distribution (marts.model_income_*, marts.income_distribution_yearly),
and each brand's part in it (industry_contributions, for the disclosure layer)."""

from __future__ import annotations

import pandas as pd

from dashboard.filters import Filters
from dashboard.queries.base import PERIOD, People, Source, bound, run, sql, two_periods

# marts.model_income_monthly is month × model: no brand, channel, region or role. These
# figures follow the period only, and the pages say so on each of them.

def model_income_over_time(db: Source, f: Filters) -> pd.DataFrame:
    """month, shoot_income, twin_income, models_shoot (models with shoot income),
    models_twin (models with twin income) — all models, summed per month."""
    return run(db, f"""
        select month,
               sum(shoot_income)::double as shoot_income,
               sum(twin_income)::double as twin_income,
               -- one row per month × model: counting rows counts distinct models
               count(*) filter (where shoot_income > 0) as models_shoot,
               count(*) filter (where twin_income > 0) as models_twin
        from marts.model_income_monthly
        where {PERIOD}
        group by month
        order by month
    """, bound(f, "start", "end"))  # noqa: S608


def model_income_totals(db: Source, f: Filters) -> pd.DataFrame:
    """Two rows (current period, then the previous one of the same length): shoot_income,
    twin_income, models_shoot, models_twin (distinct models earning each), cells."""
    return two_periods(db, f, "model_income_monthly", "", (), """
               coalesce(sum(shoot_income), 0)::double as shoot_income,
               coalesce(sum(twin_income), 0)::double as twin_income""",
                        people=(_MODEL_EARNERS, {"models_shoot": "shoots",
                                                 "models_twin": "twins"}))


# the models earning from shoots and from twins, per month (marts.model_income_monthly)
_MODEL_EARNERS = People("""
    select month, model_id as person, shoot_income > 0 as shoots, twin_income > 0 as twins
    from marts.model_income_monthly
""", False)


def income_distribution(db: Source, f: Filters) -> pd.DataFrame:
    """year, cohort, models, median_income, p90_income, top10_share, gini, top_group (the
    models in the top tenth, behind p90 and the top-10% share) — the years the period touches."""
    return run(db, sql("income_distribution"), bound(f, "start", "end"))


def lorenz(db: Source, year: int) -> pd.DataFrame:
    """cohort, models, pop_share, income_share: the Lorenz curve of models' yearly income
    (shoots + twins) in `year`, at most 101 points per cohort, (0, 0) included."""
    return run(db, sql("lorenz"), {"year": int(year)})



def industry_contributions(db: Source) -> pd.DataFrame:
    """month, brand_id, shoot_income, twin_income: what each brand paid into the models'
    income (marts.model_income_monthly) each month — shoot fees of crew rows with role `model`
    on its known, non-cancelled bookings, and fees for uses of known twins. Only the
    disclosure layer reads it: it decides which industry figures a brand may see."""
    return run(db, sql("industry_contributions"))

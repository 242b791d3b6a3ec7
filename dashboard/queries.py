"""The dashboard's only data access: one function per chart, each returning a small DataFrame.

Every function opens a short-lived read-only connection (so a load can publish meanwhile),
reads the published marts (and meta.loads / meta.quarantine), and binds every value. Filter
lists are bound as arrays: an empty list means "all". No Streamlit here: the report and the
benchmark call these directly; `dashboard.data` adds the cache.

Row shapes are given in each docstring as `columns`.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from dashboard.filters import Filters, Known, previous_period
from etl import config
from etl.warehouse import reader

# Shared filter predicate pieces, bound by name. `len(list) = 0` means no filter.
_BRAND = "(len($brand::varchar[]) = 0 or brand_id in (select unnest($brand::varchar[])))"
_CHANNEL = "(len($channel::varchar[]) = 0 or channel in (select unnest($channel::varchar[])))"
_ROLE = "(len($role::varchar[]) = 0 or role in (select unnest($role::varchar[])))"
_PERIOD = "month between $start::date and $end::date"
# Brand-level marts carry the brand's home region (marts.brands); employment has areas.
_HOME_REGION = "(len($region::varchar[]) = 0 or region in (select unnest($region::varchar[])))"


Source = Path | duckdb.DuckDBPyConnection  # a warehouse path, or an open reader to reuse


def _run(src: Source, sql: str, params: dict | None = None) -> pd.DataFrame:
    if isinstance(src, duckdb.DuckDBPyConnection):
        return src.execute(sql, params or {}).df()
    with reader(src) as con:
        return con.execute(sql, params or {}).df()


def _params(f: Filters, *names: str, start: date | None = None,
            end: date | None = None) -> dict:
    """Bound parameters for the named filters (only those the SQL uses)."""
    values = {
        "start": start or f.start(), "end": end or f.end(),
        "brand": list(f.brand), "channel": list(f.channel), "role": list(f.role),
        "region": list(f.region),
    }
    return {n: values[n] for n in names}


def _pstart(f: Filters) -> date | None:
    """The first month of the period just before f's, of the same length."""
    if not (f.start() and f.end()):
        return None
    return previous_period(f.start(), f.end())[0]


def known_values(db: Path) -> Known:
    """Months, brands and regions present in the marts (URL values are checked against these)."""
    with reader(db) as con:
        months = [r[0] for r in con.execute(
            "select distinct strftime(month, '%Y-%m') as m from marts.displacement_monthly "
            "union select distinct strftime(month, '%Y-%m') from marts.model_income_monthly "
            "order by 1").fetchall()]
        brands = [r[0] for r in con.execute(
            "select distinct brand_id from marts.displacement_monthly "
            "union select distinct brand_id from marts.consent_monthly order by 1").fetchall()]
        regions = [r[0] for r in con.execute(
            "select distinct home_region from marts.brands where home_region is not null union "
            "select distinct left(area, 2) from marts.employment "
            "where regexp_full_match(left(area, 2), '[A-Z]{2}') order by 1").fetchall()]
    return Known(months=tuple(months), brands=tuple(brands), regions=tuple(regions))


def warehouse_ready(db: Path) -> bool:
    """True when the warehouse exists and publishes the marts the pages read."""
    if not Path(db).exists():
        return False
    try:
        with reader(db) as con:
            n = con.execute(
                "select count(*) from information_schema.tables where table_schema = 'marts' "
                "and table_catalog = current_database() and table_name in ('displacement_monthly', 'crew_impact_monthly', "
                "'model_income_monthly', 'income_distribution_yearly', 'consent_monthly', "
                "'employment')").fetchone()[0]
        return n == 6
    except Exception:  # noqa: BLE001 — a half-written or foreign file is "not ready"
        return False


def provenance(db: Source) -> pd.DataFrame:
    """One row: as_of (last successful load), simulated (any simulated load), loads, files."""
    return _run(db, """
        select max(coalesce(finished_at, started_at)) filter (where status in ('loaded', 'skipped'))
                   as as_of,
               coalesce(bool_or(simulated) filter (where status = 'loaded'), false) as simulated,
               count(*) as loads,
               count(distinct file) filter (where status = 'loaded') as files
        from meta.loads
    """)


def events() -> pd.DataFrame:
    """Dated industry events shipped with the project: date, event, kind, source_url."""
    path = config.INDUSTRY_EVENTS_CSV
    if not path.exists():
        return pd.DataFrame(columns=["date", "event", "kind", "source_url", "confidence"])
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    df = pd.DataFrame(rows, columns=["date", "event", "kind", "source_url", "confidence"])
    df["date"] = pd.to_datetime(df["date"])
    return df


def _two_periods(db: Source, f: Filters, mart: str, where: str, filters_used: tuple[str, ...],
                 measures: str) -> pd.DataFrame:
    """Two rows — the current period, then the previous one of the same length — of
    `measures` over `marts.<mart>`: the headline numbers and what they are compared with.
    `mart`, `where` and `measures` are fragments of our own code; every value is bound."""
    return _run(db, f"""
        with cells as (
            select case when month >= $start::date then 'current' else 'previous' end
                       as period, *
            from marts.{mart}
            where month between $pstart::date and $end::date {where}
        ),
        periods as (select * from (values ('current', 0), ('previous', 1)) p(period, ord))
        select p.period, {measures}, count(c.month) as cells
        from periods p left join cells c using (period)
        group by p.period, p.ord
        order by p.ord
    """, {**_params(f, "start", "end", *filters_used), "pstart": _pstart(f)})  # noqa: S608


# ---- displacement -------------------------------------------------------------------------

def displacement_totals(db: Source, f: Filters) -> pd.DataFrame:
    """Two rows (current period, then the previous one of the same length) of totals:
    shoot_days, shoot_assets, twin_assets, twin_share,
    cancelled_for_twin_days, displaced_did, displaced_upper."""
    return _two_periods(db, f, "displacement_monthly",
                        f"and {_BRAND} and {_CHANNEL} and {_HOME_REGION}",
                        ("brand", "channel", "region"), """
               coalesce(sum(shoot_days), 0)::double as shoot_days,
               coalesce(sum(shoot_assets), 0)::bigint as shoot_assets,
               coalesce(sum(twin_assets), 0)::bigint as twin_assets,
               sum(twin_assets) / nullif(sum(twin_assets) + sum(shoot_assets), 0) as twin_share,
               coalesce(sum(cancelled_for_twin_days), 0)::double as cancelled_for_twin_days,
               coalesce(sum(displaced_shoot_days_did), 0)::double as displaced_did,
               coalesce(sum(displaced_shoot_days_upper), 0)::double as displaced_upper""")


def twin_share_by_channel(db: Source, f: Filters) -> pd.DataFrame:
    """month, channel, shoot_assets, twin_assets, twin_share."""
    return _run(db, f"""
        select month, channel,
               sum(shoot_assets)::bigint as shoot_assets,
               sum(twin_assets)::bigint as twin_assets,
               sum(twin_assets) / nullif(sum(twin_assets) + sum(shoot_assets), 0) as twin_share
        from marts.displacement_monthly
        where {_PERIOD} and {_BRAND} and {_CHANNEL} and {_HOME_REGION}
        group by month, channel
        order by month, channel
    """, _params(f, "start", "end", "brand", "channel", "region"))  # noqa: S608


def shoot_days_vs_expected(db: Source, f: Filters) -> pd.DataFrame:
    """month, actual_shoot_days, expected_did (actual + DiD shortfall),
    expected_upper (actual + substitution bound), cancelled_for_twin_days."""
    return _run(db, f"""
        select month,
               sum(shoot_days)::double as actual_shoot_days,
               (sum(shoot_days) + sum(displaced_shoot_days_did))::double as expected_did,
               (sum(shoot_days) + sum(displaced_shoot_days_upper))::double as expected_upper,
               sum(cancelled_for_twin_days)::double as cancelled_for_twin_days
        from marts.displacement_monthly
        where {_PERIOD} and {_BRAND} and {_CHANNEL} and {_HOME_REGION}
        group by month
        order by month
    """, _params(f, "start", "end", "brand", "channel", "region"))  # noqa: S608


def brands_ranked(db: Source, f: Filters) -> pd.DataFrame:
    """brand_id, adoption_month (first twin use, whole history), twin_assets, shoot_assets,
    twin_share, displaced_did, displaced_upper, cancelled_for_twin_days — most displaced first."""
    return _run(db, f"""
        with adoption as (
            select brand_id, adoption_month from marts.brands
        ),
        period as (
            select brand_id,
                   sum(twin_assets)::bigint as twin_assets,
                   sum(shoot_assets)::bigint as shoot_assets,
                   sum(twin_assets) / nullif(sum(twin_assets) + sum(shoot_assets), 0)
                       as twin_share,
                   sum(displaced_shoot_days_did)::double as displaced_did,
                   sum(displaced_shoot_days_upper)::double as displaced_upper,
                   sum(cancelled_for_twin_days)::double as cancelled_for_twin_days
            from marts.displacement_monthly
            where {_PERIOD} and {_BRAND} and {_CHANNEL} and {_HOME_REGION}
            group by brand_id
        )
        select p.brand_id, strftime(a.adoption_month, '%Y-%m') as adoption_month,
               p.twin_assets, p.shoot_assets, p.twin_share, p.displaced_did,
               p.displaced_upper, p.cancelled_for_twin_days
        from period p join adoption a using (brand_id)
        order by p.displaced_did desc, p.twin_assets desc, p.brand_id
    """, _params(f, "start", "end", "brand", "channel", "region"))  # noqa: S608


# ---- crew ---------------------------------------------------------------------------------

def crew_totals(db: Source, f: Filters) -> pd.DataFrame:
    """Two rows (current period, then the previous one of the same length): crew_days,
    crew_income, displaced_crew_days, displaced_crew_income,
    people (largest distinct-people count of any cell summed: a lower bound, see privacy)."""
    return _two_periods(db, f, "crew_impact_monthly",
                        f"and {_BRAND} and {_ROLE} and {_HOME_REGION}",
                        ("brand", "role", "region"), """
               coalesce(sum(crew_days), 0)::double as crew_days,
               coalesce(sum(crew_income), 0)::double as crew_income,
               coalesce(sum(displaced_crew_days), 0)::double as displaced_crew_days,
               coalesce(sum(displaced_crew_income), 0)::double as displaced_crew_income,
               coalesce(max(people), 0)::bigint as people""")


def crew_by_role(db: Source, f: Filters) -> pd.DataFrame:
    """role, crew_days, crew_income, displaced_crew_days, displaced_crew_income, people —
    people is the largest distinct-people count of any month × brand cell summed (a lower
    bound on the distinct people behind the row)."""
    return _run(db, f"""
        select role,
               sum(crew_days)::double as crew_days,
               sum(crew_income)::double as crew_income,
               sum(displaced_crew_days)::double as displaced_crew_days,
               sum(displaced_crew_income)::double as displaced_crew_income,
               max(people)::bigint as people
        from marts.crew_impact_monthly
        where {_PERIOD} and {_BRAND} and {_ROLE} and {_HOME_REGION}
        group by role
        order by displaced_crew_days desc, role
    """, _params(f, "start", "end", "brand", "role", "region"))  # noqa: S608


def crew_income_by_year_role(db: Source, f: Filters) -> pd.DataFrame:
    """year, months (of that year in the period's data), role, crew_days, crew_income,
    displaced_crew_income, people (as crew_by_role)."""
    return _run(db, f"""
        with cells as (
            select * from marts.crew_impact_monthly
            where {_PERIOD} and {_BRAND} and {_ROLE} and {_HOME_REGION}
        ),
        months as (
            select year(month) as year, count(distinct month) as months from cells group by all
        )
        select year(c.month) as year, m.months, c.role,
               sum(c.crew_days)::double as crew_days,
               sum(c.crew_income)::double as crew_income,
               sum(c.displaced_crew_income)::double as displaced_crew_income,
               max(c.people)::bigint as people
        from cells c join months m on m.year = year(c.month)
        group by all
        order by year, role
    """, _params(f, "start", "end", "brand", "role", "region"))  # noqa: S608


# ---- models' income -----------------------------------------------------------------------

def model_income_over_time(db: Source, f: Filters) -> pd.DataFrame:
    """month, shoot_income, twin_income, models_shoot (models with shoot income),
    models_twin (models with twin income) — all models, summed per month."""
    return _run(db, f"""
        select month,
               sum(shoot_income)::double as shoot_income,
               sum(twin_income)::double as twin_income,
               -- one row per month × model: counting rows counts distinct models
               count(*) filter (where shoot_income > 0) as models_shoot,
               count(*) filter (where twin_income > 0) as models_twin
        from marts.model_income_monthly
        where {_PERIOD}
        group by month
        order by month
    """, _params(f, "start", "end"))  # noqa: S608


def model_income_totals(db: Source, f: Filters) -> pd.DataFrame:
    """Two rows (current period, then the previous one of the same length): shoot_income,
    twin_income, cells (month × model rows)."""
    return _two_periods(db, f, "model_income_monthly", "", (), """
               coalesce(sum(shoot_income), 0)::double as shoot_income,
               coalesce(sum(twin_income), 0)::double as twin_income""")


def income_distribution(db: Source, f: Filters) -> pd.DataFrame:
    """year, cohort, models, median_income, p90_income, top10_share, gini — the years the
    period touches."""
    return _run(db, """
        select year, cohort, models, median_income::double as median_income,
               p90_income::double as p90_income, top10_share::double as top10_share,
               gini::double as gini
        from marts.income_distribution_yearly
        where year between year($start::date) and year($end::date)
        order by year, cohort
    """, _params(f, "start", "end"))


def lorenz(db: Source, year: int) -> pd.DataFrame:
    """cohort, models, pop_share, income_share: the Lorenz curve of models' yearly income
    (shoots + twins) in `year`, at most 101 points per cohort, (0, 0) included."""
    return _run(db, """
        with yearly as (
            select model_id, bool_or(has_twin) as has_twin,
                   sum(shoot_income + twin_income)::double as income
            from marts.model_income_monthly
            where year(month) = $year
            group by model_id
        ),
        cohorts as (
            select 'all' as cohort, income from yearly
            union all
            select case when has_twin then 'twin_holders' else 'no_twin' end, income from yearly
        ),
        ranked as (
            select cohort, income,
                   row_number() over (partition by cohort order by income) as rn,
                   count(*) over (partition by cohort) as n,
                   sum(income) over (partition by cohort order by income
                                     rows between unbounded preceding and current row) as cum,
                   sum(income) over (partition by cohort) as total
            from cohorts
        ),
        points as (
            select cohort, n as models, rn / n as pop_share, cum / nullif(total, 0) as income_share
            from ranked
            -- one point per percentile keeps the curve small at any number of models
            where rn = n or floor(100 * rn / n) > floor(100 * (rn - 1) / n)
        ),
        origin as (select distinct cohort, models, 0.0 as pop_share, 0.0 as income_share
                   from points)
        select * from origin
        union all
        select * from points
        order by cohort, pop_share
    """, {"year": int(year)})


# ---- consent ------------------------------------------------------------------------------

def consent_over_time(db: Source, f: Filters) -> pd.DataFrame:
    """month, twin_assets, licensed_assets, unlicensed_assets, people (the largest number of
    models behind any one brand's twin use that month: a lower bound, see privacy)."""
    return _run(db, f"""
        select month,
               sum(twin_assets)::bigint as twin_assets,
               sum(licensed_assets)::bigint as licensed_assets,
               sum(unlicensed_assets)::bigint as unlicensed_assets,
               max(twin_models)::bigint as people
        from marts.consent_monthly
        where {_PERIOD} and {_BRAND} and {_HOME_REGION}
        group by month
        order by month
    """, _params(f, "start", "end", "brand", "region"))  # noqa: S608


def unlicensed_reasons(db: Source, f: Filters) -> pd.DataFrame:
    """reason, assets: unlicensed twin assets by why no valid licence covered them."""
    return _run(db, f"""
        with cells as (
            select unnest(map_keys(unlicensed_reason_counts)) as reason,
                   unnest(map_values(unlicensed_reason_counts)) as assets
            from marts.consent_monthly
            where {_PERIOD} and {_BRAND} and {_HOME_REGION}
        )
        select reason, sum(assets)::bigint as assets
        from cells
        group by reason
        having sum(assets) > 0
        order by assets desc, reason
    """, _params(f, "start", "end", "brand", "region"))  # noqa: S608


def compliance_by_brand(db: Source, f: Filters) -> pd.DataFrame:
    """brand_id, twin_assets, licensed_share, watermarked_share, disclosed_share
    (asset-weighted), people (largest monthly count of models behind the brand's twin use: a
    lower bound) — least licensed first."""
    return _run(db, f"""
        with cells as (
            select brand_id, twin_assets as assets, licensed_assets,
                   watermarked_share, disclosed_share, twin_models
            from marts.consent_monthly
            where {_PERIOD} and {_BRAND} and {_HOME_REGION}
        )
        select brand_id,
               sum(assets)::bigint as twin_assets,
               sum(licensed_assets) / nullif(sum(assets), 0) as licensed_share,
               sum(watermarked_share * assets) / nullif(sum(assets), 0) as watermarked_share,
               sum(disclosed_share * assets) / nullif(sum(assets), 0) as disclosed_share,
               max(twin_models)::bigint as people
        from cells
        group by brand_id
        having sum(assets) > 0
        order by licensed_share, brand_id
    """, _params(f, "start", "end", "brand", "region"))  # noqa: S608


def consent_totals(db: Source, f: Filters) -> pd.DataFrame:
    """Two rows (current period, then the previous one of the same length): twin_assets,
    licensed_assets, unlicensed_assets, watermarked_share, disclosed_share, cells, people
    (largest monthly count of models behind one brand's use: a lower bound)."""
    return _two_periods(db, f, "consent_monthly", f"and {_BRAND} and {_HOME_REGION}",
                        ("brand", "region"), """
               coalesce(sum(twin_assets), 0)::bigint as twin_assets,
               coalesce(sum(licensed_assets), 0)::bigint as licensed_assets,
               coalesce(sum(unlicensed_assets), 0)::bigint as unlicensed_assets,
               sum(watermarked_share * twin_assets) / nullif(sum(twin_assets), 0)
                   as watermarked_share,
               sum(disclosed_share * twin_assets) / nullif(sum(twin_assets), 0)
                   as disclosed_share,
               coalesce(max(twin_models), 0)::bigint as people""")


# ---- employment ---------------------------------------------------------------------------

_REGION = ("(len($region::varchar[]) = 0 "
           "or left(area, 2) in (select unnest($region::varchar[])))")


def employment_survey(db: Source, f: Filters) -> pd.DataFrame:
    """period, area, role, source, employed, median_earnings, mean_earnings, earnings_basis,
    currency — every non-BLS source (the union survey), filtered by role and region."""
    return _run(db, f"""
        select period, area, role, source, employed::bigint as employed,
               median_earnings::double as median_earnings,
               mean_earnings::double as mean_earnings, earnings_basis, currency
        from marts.employment
        where source not ilike '%BLS%' and {_ROLE} and {_REGION}
        order by period, area, role, source
    """, _params(f, "role", "region"))  # noqa: S608


def employment_bls(db: Source, f: Filters) -> pd.DataFrame:
    """period, area, role, source, employed, median_earnings, mean_earnings, earnings_basis,
    currency — the BLS OEWS figures, filtered by role."""
    return _run(db, f"""
        select period, area, role, source, employed::bigint as employed,
               median_earnings::double as median_earnings,
               mean_earnings::double as mean_earnings, earnings_basis, currency
        from marts.employment
        where source ilike '%BLS%' and {_ROLE}
        order by role, period
    """, _params(f, "role"))  # noqa: S608


# ---- provenance ---------------------------------------------------------------------------

def loads(db: Source) -> pd.DataFrame:
    """load_id, kind, file, status, finished_at, rows_in, inserted, updated, unchanged,
    quarantined, simulated, error — every load attempt, newest first."""
    return _run(db, """
        -- the file's name, not the loader's folder (no local paths in a published table)
        select load_id, kind, regexp_extract(file, '[^/\\\\]+$') as file, status,
               coalesce(finished_at, started_at) as finished_at,
               rows_in, inserted, updated, unchanged, quarantined, simulated, error
        from meta.loads
        order by load_id desc
    """)


def data_quality(db: Source) -> pd.DataFrame:
    """check_name, kind, rows, assets, description: references that do not join (no ids)."""
    return _run(db, """
        select check_name, kind, rows, assets, description
        from marts.data_quality
        order by rows desc, check_name
    """)


def quarantine_summary(db: Source) -> pd.DataFrame:
    """kind, file, reason, rows: quarantined rows counted by why (no row values)."""
    return _run(db, """
        select kind, file, reason, count(*) as rows
        from meta.quarantine
        group by all
        order by rows desc, kind, file, reason
    """)


def quarantine_of(db: Source, files: tuple[str, ...]) -> pd.DataFrame:
    """kind, file, line, reason, raw: the quarantined rows of the named files (one upload)."""
    return _run(db, """
        select kind, file, line, reason, raw::varchar as raw
        from meta.quarantine
        where list_contains($files, file)
        order by kind, file, line
    """, {"files": list(files)})


def quarantine_rows(db: Source) -> pd.DataFrame:
    """kind, file, line, reason, raw: every quarantined row with its values (person-level)."""
    return _run(db, """
        select kind, file, line, reason, raw::varchar as raw
        from meta.quarantine
        order by kind, file, line
    """)

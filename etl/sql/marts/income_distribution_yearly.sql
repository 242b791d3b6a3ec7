-- grain: one row per year × cohort (all, twin_holders, no_twin)
-- A model belongs to a year when marts.model_income_yearly has a row for them in it (its
-- income and has_twin: a twin created on or before 31 December of the year; the dashboard's
-- Lorenz curve reads the same rows). median and p90: linear interpolation between order
-- statistics (quantile_cont, numpy's default). top10_share: income of the ceil(n / 10) highest earners
-- ÷ the cohort's income. gini: sum_i sum_j |x_i - x_j| / (2 n^2 mean), computed as
-- 2 sum_i i x_(i) / (n sum x) - (n + 1) / n over ascending x; all equal → 0, one person
-- with everything → (n - 1) / n; empty or zero-income cohorts → null.
with yearly as (
    select * from marts.model_income_yearly
),

members as (
    select
        yearly.*,
        unnest(case when has_twin then ['all', 'twin_holders'] else ['all', 'no_twin'] end)
            as cohort
    from yearly
),

ranked as (
    select
        members.*,
        row_number() over (partition by year, cohort order by income, model_id) as rank_asc,
        row_number() over (partition by year, cohort order by income desc, model_id)
            as rank_desc,
        count(*) over (partition by year, cohort) as n
    from members
),

stats as (
    select
        year,
        cohort,
        count(*) as models,
        sum(income) as total_income,
        sum(shoot_income) as shoot_income,
        sum(twin_income) as twin_income,
        quantile_cont(income, 0.5) as median_income,
        quantile_cont(income, 0.9) as p90_income,
        sum(income) filter (where rank_desc <= ceil(n / 10.0)) as top10_income,
        sum(rank_asc * income) as weighted_sum
    from ranked
    group by all
),

grid as (
    select years.year, cohorts.cohort
    from (select distinct year from yearly) as years
    cross join (values ('all'), ('twin_holders'), ('no_twin')) as cohorts(cohort)
),

final as (
    select
        grid.year,
        grid.cohort,
        coalesce(stats.models, 0) as models,
        round(stats.median_income, 4) as median_income,
        round(stats.p90_income, 4) as p90_income,
        case when stats.total_income > 0
            then round(stats.top10_income / stats.total_income, 6) end as top10_share,
        case when stats.total_income > 0
            then round(2 * stats.weighted_sum / (stats.models * stats.total_income)
                       - (stats.models + 1) / stats.models, 6) end as gini,
        round(stats.total_income / stats.models, 4) as mean_income,
        round(coalesce(stats.total_income, 0), 4) as total_income,
        round(coalesce(stats.shoot_income, 0), 4) as shoot_income,
        round(coalesce(stats.twin_income, 0), 4) as twin_income
    from grid
    left join stats using (year, cohort)
)

select * from final

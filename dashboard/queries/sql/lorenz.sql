-- grain: one row per cohort × point of the curve (at most 101 per cohort)
-- the same model-years and cohorts as marts.income_distribution_yearly
with yearly as (
    select model_id, has_twin, income
    from marts.model_income_yearly
    where year = $year
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

-- grain: one row per year × model_id (years in which the model earned or worked)
-- The one definition of a model's year, read by income_distribution_yearly and the
-- dashboard's Lorenz curve: income = shoot + twin income of the year (reporting currency);
-- has_twin: the model has a twin created on or before 31 December of the year (CONTRACT §4),
-- whether or not they earned anything after it was created.
with monthly as not materialized (
    select * from marts.model_income_monthly
),

twins as (
    select model_id, min(created_on) as first_twin_on
    from staging.stg_twins
    group by all
),

yearly as (
    select
        year(month) as year,
        model_id,
        sum(total_income)::double as income,
        sum(shoot_income)::double as shoot_income,
        sum(twin_income)::double as twin_income
    from monthly
    group by all
),

final as (
    select
        yearly.year,
        yearly.model_id,
        coalesce(twins.first_twin_on <= make_date(yearly.year, 12, 31), false) as has_twin,
        yearly.income,
        yearly.shoot_income,
        yearly.twin_income
    from yearly
    left join twins using (model_id)
)

select * from final

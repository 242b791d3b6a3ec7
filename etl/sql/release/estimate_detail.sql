-- grain: one row per scope (ALL, or a brand) × year
-- marts.displacement_estimates as public output may show it: the shoot-day estimates are
-- about brands, not people, and are kept whole; the crew estimates and their intervals only
-- where release.cells shows the est_crew_days / est_crew_income cell (written just before
-- this table, by etl/release.py); the substitution bound never (it is about the models
-- behind the twin images: public figures of it are the displaced_days_upper cells).
with estimates as (
    select * from marts.displacement_estimates
),

crew as (
    select measure, period::integer as year,
        case when dim = 'all' then 'ALL' else member end as scope, status
    from release.cells
    where measure in ('est_crew_days', 'est_crew_income')
),

final as (
    select
        e.scope, e.year, e.months_observed, e.did, e.did_low, e.did_high, e.control_brands,
        e.estimable, e.note, e.brands,
        case when d.status = 'shown' then e.crew_days end as crew_days,
        case when d.status = 'shown' then e.crew_days_low end as crew_days_low,
        case when d.status = 'shown' then e.crew_days_high end as crew_days_high,
        case when i.status = 'shown' then e.crew_income end as crew_income,
        case when i.status = 'shown' then e.crew_income_low end as crew_income_low,
        case when i.status = 'shown' then e.crew_income_high end as crew_income_high,
        -- about the brand's shoot days, like did: the serial correlation, the pre-trend
        -- test and the relative-magnitudes breakdown of its interval
        e.rho, e.pretrend_p, e.breakdown_m
    from estimates as e
    left join crew as d on d.measure = 'est_crew_days' and d.scope = e.scope and d.year = e.year
    left join crew as i
        on i.measure = 'est_crew_income' and i.scope = e.scope and i.year = e.year
)

select * from final

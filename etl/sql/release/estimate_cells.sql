-- grain: one row per measure (est_crew_days, est_crew_income) × year × scope (ALL, or a brand)
-- The crew estimates of marts.displacement_estimates as release cells. A brand's people are
-- the crew members it booked that year; ALL's people are the people of the brands it sums
-- (those with an estimate other than zero), not of every brand in the warehouse. top_share:
-- the largest crew member's part of those brands' observed crew days (or crew income) that
-- year: an estimate is days × the brands' own crew and day rates, so one dominant person
-- dominates it too.
with estimates as (
    select scope, year, crew_days as est_crew_days, crew_income as est_crew_income
    from marts.displacement_estimates
),

long as (
    select scope, year, measure, value
    from estimates
    unpivot (value for measure in (est_crew_days, est_crew_income))
    where value is not null
),

brand_rows as (
    select * from long where scope <> 'ALL'
),

-- each crew member's days and income per year and brand (the crew's contributions,
-- contributions.sql, summed by staging.int_crew_people_yearly)
observed as (
    select year, brand_id, person, measure, value
    from staging.int_crew_people_yearly
),

behind as (
    -- each estimate's brands: the brand itself, or for ALL every brand with an estimate
    select brand_rows.measure, brand_rows.year, brand_rows.scope, brand_rows.scope as brand_id
    from brand_rows
    where brand_rows.value <> 0
    union all
    select brand_rows.measure, brand_rows.year, 'ALL', brand_rows.scope
    from brand_rows
    where brand_rows.value <> 0
),

per_person as (
    select behind.measure, behind.year, behind.scope, observed.person, sum(observed.value) as part
    from behind
    inner join observed
        on observed.year = behind.year
        and observed.brand_id = behind.brand_id
        and observed.measure = replace(behind.measure, 'est_', '')
    group by all
),

people as (
    select measure, year, scope, count(*) filter (where part > 0) as people,
        max(part) / nullif(sum(part), 0) as top_share
    from per_person
    group by all
),

final as (
    select
        long.measure,
        'year' as grain,
        long.year::varchar as period,
        case when long.scope = 'ALL' then 'all' else 'brand' end as dim,
        case when long.scope = 'ALL' then '' else long.scope end as member,
        long.value,
        coalesce(people.people, 0) as people,
        people.top_share
    from long
    left join people using (measure, year, scope)
)

select * from final

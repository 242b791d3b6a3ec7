-- grain: one row per measure (est_crew_days, est_crew_income) × year × scope (ALL, or a brand)
-- The crew estimates of marts.displacement_estimates as release cells. A brand's people are
-- its pre-period crew (staging.int_crew_pre_people): an estimate is the DiD × the brand's
-- pre-period crew days per shoot day, priced at its pre-period day rates, so it is made of
-- their work, not of whoever the brand booked that year; ALL's people are the people of the
-- brands it sums (those with an estimate other than zero), not of every brand in the
-- warehouse. top_share: the largest crew member's part of those brands' pre-period crew
-- days (or crew income): one dominant person dominates the estimate too.
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

-- the brands' estimates other than zero (ALL sums these brands), each with the crew measure
-- it is made of
brand_rows as (
    select measure, year, scope, replace(measure, 'est_', '') as crew_measure
    from long
    where scope <> 'ALL' and value <> 0
),

-- each pre-period crew member's days and income per brand (staging.int_crew_pre_people's
-- roles summed)
observed as (
    select brand_id, person, measure, sum(value) as value
    from staging.int_crew_pre_people
    unpivot (value for measure in (crew_days, crew_income))
    where value <> 0
    group by all
),

-- each brand estimate's crew members and their parts: the brand's own pre-period crew
-- (joined once; ALL's parts are summed from these)
brand_parts as materialized (
    select brand_rows.measure, brand_rows.year, brand_rows.scope, observed.person,
        observed.value as part
    from brand_rows
    inner join observed
        on observed.brand_id = brand_rows.scope
        and observed.measure = brand_rows.crew_measure
),

-- each estimate's crew members and their parts: a brand's are its own; ALL's each person's
-- parts summed over the brands it sums
per_person as (
    select measure, year, scope, person, part
    from brand_parts
    union all
    select measure, year, 'ALL', person, sum(part)
    from brand_parts
    group by measure, year, person
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

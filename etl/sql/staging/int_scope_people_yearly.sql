-- grain: one row per scope (a brand_id, or ALL) × year
-- materialized: table
-- The distinct people behind marts.displacement_estimates' rows: crew members booked
-- (crew_people) and models behind the twin images (models), per brand and for every brand
-- together, so public mode reads them at page time without counting every row.
with twins as not materialized (
    select brand_id, year(month) as year, person from staging.int_twin_people
),

-- made from the crew alone: a twin-usage load keeps it
crew_people as (
    select scope, year, crew_people from staging.int_scope_crew_people_yearly
),

models as (
    select brand_id as scope, year, count(distinct person) as models
    from twins group by all
    union all
    select 'ALL', year, count(distinct person) from twins group by all
),

final as (
    select
        coalesce(crew_people.scope, models.scope) as scope,
        coalesce(crew_people.year, models.year) as year,
        coalesce(crew_people.crew_people, 0) as crew_people,
        coalesce(models.models, 0) as models
    from crew_people
    full outer join models using (scope, year)
)

select * from final

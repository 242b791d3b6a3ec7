-- grain: one row per scope (a brand_id, or ALL) × year
-- materialized: table
-- The distinct crew members booked per brand and for every brand together
-- (staging.int_crew_people), the crew side of staging.int_scope_people_yearly. Made from the
-- crew alone, so a twin-usage load keeps it.
with crew as not materialized (
    select brand_id, year(month) as year, person from staging.int_crew_people
),

final as (
    select brand_id as scope, year, count(distinct person) as crew_people
    from crew group by all
    union all
    select 'ALL', year, count(distinct person) from crew group by all
)

select * from final

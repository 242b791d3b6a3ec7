-- grain: one row per month × role × person
-- materialized: table
-- staging.int_crew_people without the brand: what the pages count every brand's crew members
-- from when no brand or region filter is active (about a quarter of the rows).
with people as not materialized (
    select * from staging.int_crew_people
),

final as (
    select distinct month, role, person
    from people
    order by month
)

select * from final

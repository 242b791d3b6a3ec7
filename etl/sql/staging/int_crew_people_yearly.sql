-- grain: one row per year × brand_id × person × measure (crew_days, crew_income)
-- materialized: table
-- Each crew member's crew days and crew income per year and brand (staging.int_crew_people's
-- months and roles summed; rows of zero left out): the people behind the public release's
-- crew estimates (etl/sql/release/estimate_cells.sql). It reads the crew alone, so a
-- twin-usage load keeps it as it was.
with monthly as (
    select month, brand_id, person, crew_days::double as crew_days,
        crew_income::double as crew_income
    from staging.int_crew_people
),

long as (
    select year(month) as year, brand_id, person, measure, value
    from monthly
    unpivot (value for measure in (crew_days, crew_income))
    where value <> 0
),

final as (
    select year, brand_id, person, measure, sum(value) as value
    from long
    group by all
)

select * from final

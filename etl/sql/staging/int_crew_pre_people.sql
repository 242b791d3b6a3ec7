-- grain: one row per brand_id × role × person
-- materialized: table
-- Each crew member's crew days and income on their brand's bookings in its pre-adoption
-- months (staging.int_pre_period), by role (rows of zero days left out). The crew figures
-- displaced are made of these people's work: marts.crew_impact_monthly multiplies the DiD by
-- the brand's pre-period crew days per shoot day and prices them at its pre-period median
-- day rate. The public release counts them as the people behind its crew estimates, and
-- shares the displaced figures out by them where they are fewer than k or one dominates
-- (etl/sql/release/estimate_cells.sql, contributions.sql).
-- Shared by who worked in the month after adoption, a brand whose pre-period had one
-- photographer published that person's day rate (displaced crew income ÷ displaced crew
-- days) and pre-period days (÷ the DiD × the shown shoot days). Adoption moves with the
-- twin usage, so a usage load builds this table again (a group-by over the pre-period
-- months of int_crew_people).
with crew as not materialized (
    select month, brand_id, role, person, crew_days::double as crew_days,
        crew_income::double as crew_income
    from staging.int_crew_people
),

pre as (
    select brand_id, month from staging.int_pre_period
),

final as (
    select crew.brand_id, crew.role, crew.person, sum(crew.crew_days) as crew_days,
        sum(crew.crew_income) as crew_income
    from crew
    semi join pre using (brand_id, month)
    group by all
    having sum(crew.crew_days) <> 0
)

select * from final

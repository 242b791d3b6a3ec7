-- grain: one row per brand_id × role × person
-- materialized: table
-- Each crew member's crew days and income on their brand's bookings in its pre-adoption
-- months (staging.int_pre_period), by role (rows of zero days left out). The crew figures
-- displaced are made of these people's work: marts.crew_impact_monthly multiplies the DiD by
-- the brand's pre-period crew days per shoot day and prices them at its pre-period median
-- day rate, so the public release shares those figures out by them and counts them as the
-- people behind its crew estimates (etl/sql/release/contributions.sql, estimate_cells.sql).
-- Who happened to work in a month after adoption is no part of the figure: sharing by them
-- let a brand whose pre-period had one photographer publish that person's day rate
-- (displaced crew income ÷ displaced crew days) and pre-period days (÷ the DiD × the shown
-- shoot days). Adoption moves with the twin usage, so a usage load builds this table again
-- (a group-by over the pre-period months of int_crew_people).
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

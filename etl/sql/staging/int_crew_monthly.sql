-- grain: one row per month × brand_id × role
-- materialized: table
-- The crew mart's actual figures (marts.crew_impact_monthly): crew days, income and people of
-- the crew on known, non-cancelled bookings. Made from the crew alone, so a twin-usage load
-- keeps it and the mart never reads the crew rows again. people: counted from
-- staging.int_crew_people (one row per person and month × brand × role, people as
-- numbers): a tenth of the time of count(distinct person_id); a month × brand × role whose
-- crew has no person has no row.
with crew as not materialized (
    select * from staging.stg_booking_crew
    where booking_known and not is_cancelled
),

people as (
    select month, brand_id, role, count(*) as people
    from staging.int_crew_people
    group by all
),

final as (
    select
        crew.month, crew.brand_id, crew.role,
        sum(crew.days)::double as crew_days,
        sum(crew.fee_total_rep)::decimal(18, 4) as crew_income,
        any_value(people.people) as people
    from crew
    inner join people using (month, brand_id, role)
    group by all
)

select * from final

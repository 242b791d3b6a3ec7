-- grain: one row per month × brand_id × role × person
-- materialized: table
-- Each crew member's share of the crew days of their month × brand × role (null where that
-- month's crew days add up to nothing): the public release shares the crew figures
-- displaced of a month × brand × role out by it (etl/sql/release/contributions.sql). It reads
-- the crew alone, so a twin-usage load keeps it as it was and the release only joins it to
-- marts.crew_impact_monthly's displaced figures.
with crew as not materialized (
    select month, brand_id, role, person, crew_days::double as crew_days
    from staging.int_crew_people
),

final as (
    select month, brand_id, role, person,
        crew_days / nullif(sum(crew_days) over (partition by month, brand_id, role), 0)
            as share
    from crew
)

select * from final

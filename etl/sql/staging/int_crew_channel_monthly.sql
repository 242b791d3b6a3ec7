-- grain: one row per month × brand_id × channel × role
-- materialized: table
-- Crew days of the crew on known, non-cancelled bookings by the booking's channel: the crew
-- mix per shoot day of marts.crew_impact_monthly. Made from the crew alone, so a twin-usage
-- load keeps it.
with crew as not materialized (
    select * from staging.stg_booking_crew
    where booking_known and not is_cancelled
),

final as (
    select month, brand_id, channel, role, sum(days)::double as crew_days
    from crew
    group by all
)

select * from final

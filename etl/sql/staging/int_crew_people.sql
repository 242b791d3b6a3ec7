-- grain: one row per month × brand_id × channel × role × person
-- materialized: table
-- The crew members of the bookings the crew mart counts (known, not cancelled), once per
-- month, brand, channel and role: public mode counts the distinct people behind each crew
-- figure from it (dashboard/queries.py, CONTRACT §6).
with crew as not materialized (
    select * from staging.stg_booking_crew
),

final as (
    select distinct month, brand_id, channel, role, person_id as person
    from crew
    where booking_known and not is_cancelled
)

select * from final

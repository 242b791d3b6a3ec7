-- grain: one row per month × model_id (months in which the model worked on a shoot)
-- materialized: table
-- The shoot side of marts.model_income_monthly: fees of booking-crew rows with role `model`
-- on known, non-cancelled bookings, by the booking's shoot month (person_id is the model_id),
-- in the reporting currency. Made from the crew alone, so a twin-usage load keeps it.
with crew as not materialized (
    select * from staging.stg_booking_crew
    where booking_known and not is_cancelled and role = 'model'
),

final as (
    select month, person_id as model_id,
        sum(fee_total_rep)::decimal(18, 4) as shoot_income,
        sum(days)::double as shoot_days,
        count(distinct booking_id) as bookings
    from crew
    group by all
)

select * from final

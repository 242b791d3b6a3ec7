-- grain: one row per twin_id
-- The fair-pay benchmark of each twin: its model's own shoot income per asset delivered in
-- the 12 months before the twin's creation (created_on − 12 months ≤ shoot_date < created_on).
-- A booking's assets are shared equally among the models on it (a shoot image usually shows
-- one of them), so a model's assets on a booking = the booking's assets ÷ its models. Only
-- non-cancelled bookings that delivered assets count; income is the model's fee in the
-- reporting currency. income_per_asset is empty when the model had no such shoots.
-- materialized: table
-- (made from the twins and the crew only: a twin-usage load keeps it, where a view would
-- read every crew row again for staging.int_usage_rights)
with twins as (
    select twin_id, model_id, created_on from staging.stg_twins
),

crew as (
    select booking_id, person_id, shoot_date, fee_total_rep
    from staging.stg_booking_crew
    where booking_known and not is_cancelled and role = 'model'
),

bookings as (
    select booking_id, assets from staging.stg_bookings
    where not is_cancelled and assets > 0
),

models_on_booking as (
    select booking_id, count(distinct person_id) as models from crew group by all
),

model_shoots as (
    select
        crew.person_id as model_id,
        crew.shoot_date,
        crew.fee_total_rep,
        bookings.assets / models_on_booking.models as assets_share
    from crew
    inner join bookings using (booking_id)
    inner join models_on_booking using (booking_id)
),

final as (
    select
        twins.twin_id,
        twins.model_id,
        twins.created_on,
        count(model_shoots.model_id) as shoots,
        sum(model_shoots.fee_total_rep)::decimal(18, 4) as shoot_income,
        sum(model_shoots.assets_share)::double as shoot_assets,
        (sum(model_shoots.fee_total_rep) / nullif(sum(model_shoots.assets_share), 0))::double
            as income_per_asset
    from twins
    left join model_shoots
        on model_shoots.model_id = twins.model_id
        and model_shoots.shoot_date >= twins.created_on - interval 12 month
        and model_shoots.shoot_date < twins.created_on
    group by all
)

select * from final

-- grain: one row per month × model_id (months in which the model earned or worked)
-- shoot_income: fees of booking-crew rows with role `model` on non-cancelled bookings, by
-- the booking's shoot month (person_id is the model_id); twin_income: fees paid for uses of
-- the model's twins, by month of use. Both in the reporting currency.
with usage as not materialized (
    select * from staging.int_usage_twin_monthly
    where twin_known
),

twins as (
    select model_id, min(created_month) as first_twin_month, count(*) as twins
    from staging.stg_twins
    group by all
),

-- made from the crew alone (staging.int_model_shoot_monthly): a twin-usage load keeps it
shoot as (
    select * from staging.int_model_shoot_monthly
),

twin as (
    select month, model_id,
        sum(fee_paid_rep)::decimal(18, 4) as twin_income,
        sum(assets)::bigint as twin_assets
    from usage
    group by all
),

final as (
    select
        month,
        model_id,
        coalesce(twins.first_twin_month <= month, false) as has_twin,
        coalesce(shoot.shoot_income, 0)::decimal(18, 4) as shoot_income,
        coalesce(twin.twin_income, 0)::decimal(18, 4) as twin_income,
        (coalesce(shoot.shoot_income, 0) + coalesce(twin.twin_income, 0))::decimal(18, 4)
            as total_income,
        coalesce(shoot.shoot_days, 0) as shoot_days,
        coalesce(shoot.bookings, 0) as bookings,
        coalesce(twin.twin_assets, 0) as twin_assets
    from shoot
    full outer join twin using (month, model_id)
    left join twins using (model_id)
)

select * from final

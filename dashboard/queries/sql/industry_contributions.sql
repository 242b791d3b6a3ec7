-- grain: one row per month × brand: what it paid into the models' income
with shoot as (
    select month, brand_id, sum(fee_total_rep)::double as shoot_income
    from staging.stg_booking_crew
    where booking_known and not is_cancelled and role = 'model'
    group by all
),
twin as (
    select u.month, u.brand_id, sum(u.fee_paid_rep)::double as twin_income
    from staging.int_usage_cube u
    join staging.stg_twins t using (twin_id)
    group by all
)
select month, brand_id, coalesce(shoot.shoot_income, 0) as shoot_income,
       coalesce(twin.twin_income, 0) as twin_income
from shoot full outer join twin using (month, brand_id)
order by month, brand_id

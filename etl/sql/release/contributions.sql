-- grain: one row per measure × month × brand_id × channel × role × person (person null for measures about no people)
-- What every cell of the public release is made of: each person's part of each additive
-- measure, by month and by the breakdowns the release publishes (brand, channel, role, the
-- brand's home region). people: 'models' (the twin's model: twin images, unlicensed twin
-- images, twin fees = the models' twin income), 'crew' (crew members on known, non-cancelled
-- bookings: crew days and crew income, models' own shoot work included as role `model`), or
-- null (shoot days and shoot images are brands' figures, not people's: CONTRACT §6). Built as
-- a temporary table by etl/release.py: it holds person numbers and never enters the release.
with cube as not materialized (
    select * from staging.int_usage_cube
),

numbers as (
    select twin_id, person_no from staging.int_model_numbers
),

crew as not materialized (
    select * from staging.stg_booking_crew
    where booking_known and not is_cancelled
),

crew_numbers as (
    select person_id, person_no from staging.int_crew_numbers
),

shoots as (
    select * from marts.displacement_monthly
),

homes as (
    select brand_id, coalesce(nullif(home_region, ''), 'unknown') as region
    from marts.brands
),

twin as (
    select cube.month, cube.brand_id, cube.channel, numbers.person_no as person,
        sum(cube.assets)::double as twin_images,
        coalesce(sum(cube.assets) filter (where cube.consent_code > 0), 0)::double
            as unlicensed_images,
        coalesce(sum(cube.fee_paid_rep), 0)::double as twin_fees
    from cube
    inner join numbers using (twin_id)
    group by all
),

twin_long as (
    select month, brand_id, channel, null::varchar as role, person, 'models' as people,
        measure, value
    from twin
    unpivot (value for measure in (twin_images, unlicensed_images, twin_fees))
),

crew_person as (
    select crew.month, crew.brand_id, crew.role, crew_numbers.person_no as person,
        coalesce(sum(crew.days), 0)::double as crew_days,
        coalesce(sum(crew.fee_total_rep), 0)::double as crew_income
    from crew
    inner join crew_numbers using (person_id)
    group by all
),

crew_long as (
    select month, brand_id, null::varchar as channel, role, person, 'crew' as people,
        measure, value
    from crew_person
    unpivot (value for measure in (crew_days, crew_income))
),

shoot_long as (
    select month, brand_id, channel, null::varchar as role, null::integer as person,
        null::varchar as people, measure, value
    from (
        select month, brand_id, channel, sum(shoot_days)::double as shoot_days,
            sum(shoot_assets)::double as shoot_images
        from shoots
        group by all
    )
    unpivot (value for measure in (shoot_days, shoot_images))
),

unioned as (
    select * from twin_long
    union all
    select * from crew_long
    union all
    select * from shoot_long
),

final as (
    select unioned.*, coalesce(homes.region, 'unknown') as region
    from unioned
    left join homes using (brand_id)
    where unioned.value <> 0
)

select * from final

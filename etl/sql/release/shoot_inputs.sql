-- grain: one row per measure made from marts.displacement_monthly
-- What each of those measures' cells are made from in that mart: a hash of its rows whose
-- column is not zero (month, brand, channel and the value; a zero adds nothing to any cell;
-- the DiD shortfall's rows all, zeros included: each is a part of a cell),
-- so a measure whose column holds what it held is not computed again (etl/release.py,
-- measure_inputs). A twin-usage load rebuilds the mart, but the bookings' columns (shoot
-- days and images, days cancelled for a twin) come out as they were.
with shoots as (
    select month, brand_id, channel, shoot_days, shoot_assets::double as shoot_images,
        cancelled_for_twin_days as cancelled_days,
        displaced_shoot_days_did as displaced_days_did,
        displaced_shoot_days_upper as displaced_days_upper
    from marts.displacement_monthly
),

states as (
    select
        bit_xor(hash(month, brand_id, channel, shoot_days)) filter (where shoot_days <> 0)
            as shoot_days,
        bit_xor(hash(month, brand_id, channel, shoot_images)) filter (where shoot_images <> 0)
            as shoot_images,
        bit_xor(hash(month, brand_id, channel, cancelled_days))
            filter (where cancelled_days <> 0) as cancelled_days,
        -- (the DiD shortfall's zeros are cells too: contributions.sql)
        bit_xor(hash(month, brand_id, channel, displaced_days_did)) as displaced_days_did,
        bit_xor(hash(month, brand_id, channel, displaced_days_upper))
            filter (where displaced_days_upper <> 0) as displaced_days_upper
    from shoots
),

final as (
    select measure, coalesce(state::varchar, 'none') as state
    from states
    unpivot include nulls (state for measure in (shoot_days, shoot_images, cancelled_days,
        displaced_days_did, displaced_days_upper))
)

select * from final

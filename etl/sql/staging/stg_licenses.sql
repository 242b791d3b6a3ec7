-- grain: one row per license_id
with source as (
    select * from raw.licenses
),

final as (
    select
        license_id,
        twin_id,
        brand_id,
        granted_on,
        valid_from,
        valid_to,           -- inclusive; null = open-ended
        channels,           -- ['*'] = every channel
        regions,            -- ['*'] = every country
        fee_model,
        fee_amount,
        currency,
        fee_amount_rep,
        revoked_on,         -- the licence stops covering uses on this day
        exclusive,          -- null = not stated
        training_allowed    -- null = not stated
    from source
)

select * from final

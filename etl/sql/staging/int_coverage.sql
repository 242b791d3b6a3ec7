-- grain: one row per bookings file × brand_id
-- What each loaded bookings file covers (CONTRACT §2): meta.coverage, written by the loader.
-- Bookings loaded before coverage was recorded fall back to their load's own span of
-- shoot dates (the file-wide earliest to latest month), which is what the loader records.
with recorded as (
    select file, brand_id, first_month, last_month
    from meta.coverage
),

legacy_loads as (
    select bookings._load_id, loads.file,
        min(date_trunc('month', bookings.shoot_date)) over (partition by bookings._load_id)
            as first_month,
        max(date_trunc('month', bookings.shoot_date)) over (partition by bookings._load_id)
            as last_month,
        bookings.brand_id
    from raw.bookings as bookings
    inner join meta.loads as loads on loads.load_id = bookings._load_id
    where loads.file not in (select file from recorded)
),

final as (
    select file, brand_id, first_month, last_month from recorded
    union
    select file, brand_id, first_month::date, last_month::date from legacy_loads
)

select * from final

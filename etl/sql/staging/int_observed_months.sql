-- grain: one row per brand_id × month
-- materialized: table
-- The observed brand-months: inside the coverage of a loaded bookings file that holds the
-- brand (CONTRACT §2). Outside them there are no shoot days, no zeros and no displacement.
with coverage as not materialized (
    select * from staging.int_coverage
),

final as (
    select distinct
        brand_id,
        unnest(generate_series(first_month, last_month, interval 1 month))::date as month
    from coverage
)

select * from final

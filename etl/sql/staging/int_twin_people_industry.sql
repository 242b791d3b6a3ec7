-- grain: one row per month × channel × person × consent_code × watermarked × disclosed
-- materialized: table
-- staging.int_twin_people without the brand: what the pages count the models behind every
-- brand's twin use from when no brand or region filter is active (a fraction of the rows).
with people as not materialized (
    select * from staging.int_twin_people
),

final as (
    select month, channel, person, consent_code, watermarked, disclosed,
        sum(assets)::bigint as assets
    from people
    group by all
    order by month
)

select * from final

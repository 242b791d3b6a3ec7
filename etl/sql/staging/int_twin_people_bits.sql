-- grain: one row per month × channel × consent_code × watermarked × disclosed × block (of 4,096 person numbers)
-- materialized: table
-- staging.int_twin_people_industry as bitmaps (see staging.int_crew_people_bits): the models
-- behind every brand's twin use of a month and channel, split as the consent figures need
-- (licensed or why not, watermarked, disclosed). Used without a brand or region filter.
with people as not materialized (
    select * from staging.int_twin_people_industry
),

final as (
    select
        month,
        channel,
        consent_code,
        watermarked,
        disclosed,
        person // 4096 as block,
        bitstring_agg((person % 4096)::integer, 0, 4095) as seen
    from people
    group by all
    order by month
)

select * from final

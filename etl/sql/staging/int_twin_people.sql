-- grain: one row per month × brand_id × channel × person × consent_code × watermarked × disclosed
-- materialized: table
-- Twin use grouped to the people behind it (the twin's model as a number,
-- staging.int_model_numbers), with its assets. Public mode counts the distinct models behind
-- each figure exactly from it (dashboard/queries/base.py, CONTRACT §6). Sorted by brand and month:
-- a brand-filtered count reads only that brand's blocks. Without a brand or region filter the
-- pages read staging.int_twin_people_industry, which has no brand.
with usage as not materialized (
    select * from staging.int_usage_cube
),

numbers as (
    select twin_id, person_no from staging.int_model_numbers
),

final as (
    select
        usage.month,
        usage.brand_id,
        usage.channel,
        numbers.person_no as person,
        usage.consent_code,
        usage.watermarked,
        usage.disclosed,
        sum(usage.assets)::bigint as assets
    from usage
    inner join numbers using (twin_id)
    group by all
    order by usage.brand_id, usage.month
)

select * from final

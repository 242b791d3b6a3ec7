-- grain: one row per month × brand_id × channel × person × consent_code × watermarked × disclosed
-- materialized: table
-- Twin use grouped to the people behind it (a twin's model; a twin the warehouse does not know
-- counts as a person of its own), with its assets. Public mode counts the distinct models
-- behind each figure exactly (dashboard/queries.py, CONTRACT §6); computed once per load so
-- those counts read thousands of rows, not every use.
with usage as not materialized (
    select * from staging.int_usage_cube
),

twins as (
    select twin_id, model_id from staging.stg_twins
),

final as (
    select
        usage.month,
        usage.brand_id,
        usage.channel,
        coalesce(twins.model_id, 'twin:' || usage.twin_id) as person,
        usage.consent_code,
        usage.watermarked,
        usage.disclosed,
        sum(usage.assets)::bigint as assets
    from usage
    left join twins using (twin_id)
    group by all
)

select * from final

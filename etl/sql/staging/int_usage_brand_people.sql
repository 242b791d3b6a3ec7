-- grain: one row per month × brand_id (months in which the brand used twins)
-- twin_models: the distinct people (models) whose twins the brand used that month, for
-- public-mode suppression of consent figures; an unknown twin counts as one person of its own.
-- Read from the usage cube (staging.int_usage_cube), not from every use.
with usage as (
    select month, brand_id, twin_id from staging.int_usage_cube
),

twins as (
    select twin_id, model_id from staging.stg_twins
),

final as (
    select
        usage.month,
        usage.brand_id,
        count(distinct coalesce(twins.model_id, 'twin:' || usage.twin_id))::bigint
            as twin_models
    from usage
    left join twins using (twin_id)
    group by all
)

select * from final

-- grain: one row per twin_id
with source as (
    select * from raw.twins
),

final as (
    select
        twin_id,
        model_id,
        created_on,
        date_trunc('month', created_on)::date as created_month,
        platform,
        status
    from source
)

select * from final

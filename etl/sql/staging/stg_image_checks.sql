-- grain: one row per image (sha256) checked by `twinimpact scan-images`
-- materialized: table
-- Each image's content credentials (raw.image_checks) with its links resolved: a use the map
-- names gives the image its brand, twin and month; otherwise the map's (or --brand's) brand
-- and twin, and the month of the signature's trusted timestamp, else the month it was
-- checked (METHODOLOGY.md, "Images as evidence"). Months are UTC. A table: the join with every
-- twin use is made once a load, not on every read of the Consent page (and of the two models
-- that read it at load: staging.int_usage_image_status, marts.image_checks_monthly).
with checks as (
    select * from raw.image_checks
),

usage as (
    select usage_id, brand_id, twin_id, month, disclosed from staging.stg_twin_usage
),

final as (
    select
        checks.sha256,
        checks.manifest,
        checks.validation,
        checks.validation = 'valid' as valid,
        coalesce(checks.trusted, false) as trusted,
        checks.source_type,
        checks.xmp_source_type,
        checks.ai_declared,
        checks.training,
        checks.usage_id,
        usage.usage_id is not null as usage_known,
        usage.disclosed as usage_disclosed,  -- what the brand's export claims for the use
        coalesce(usage.brand_id, nullif(checks.brand_id, '')) as brand_id,
        coalesce(usage.twin_id, nullif(checks.twin_id, '')) as twin_id,
        coalesce(
            usage.month,
            date_trunc('month', try_cast(checks.signed_at as timestamptz) at time zone 'UTC'),
            date_trunc('month', checks.checked_at at time zone 'UTC')
        )::date as month
    from checks
    left join usage on usage.usage_id = checks.usage_id
)

select * from final

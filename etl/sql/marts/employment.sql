-- grain: one row per period × area × role × source
-- As published: each source's own figures, currency and earnings basis, never converted.
-- simulated = the row came from `twinimpact demo` (a simulated survey), not a real source.
with source as not materialized (
    select * from staging.stg_crew_employment
),

final as (
    select
        period,
        area,
        role,
        source,
        employed,
        median_earnings,
        mean_earnings,
        earnings_basis,
        currency,
        hours_worked,
        source_url,
        note,
        simulated,
        period_start,
        period_end,
        loaded_from
    from source
)

select * from final

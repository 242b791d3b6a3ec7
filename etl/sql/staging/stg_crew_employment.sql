-- grain: one row per period × area × role × source
with source as (
    select * from raw.crew_employment
),

loads as (
    select load_id, file, simulated from meta.loads
),

final as (
    select
        source.period,
        source.period_start,
        source.period_end,
        source.area,
        source.role,
        source.source,
        source.employed,
        source.hours_worked,
        source.median_earnings,
        source.mean_earnings,
        source.earnings_basis,
        source.currency,
        source.source_url,
        source.note,
        coalesce(loads.simulated, false) as simulated,
        loads.file as loaded_from
    from source
    left join loads on loads.load_id = source._load_id
)

select * from final

-- grain: one row per used_on × twin_id × brand_id × license_id × channel × region
-- materialized: table
-- Usage is aggregated once here (millions of events → far fewer groups) and every usage
-- mart reads this table. Each group is checked against the licences that could cover it:
-- the licence named by license_id (it must be for the same twin and brand), or, when the
-- usage names none, any licence of that twin to that brand. A licence covers a use on day d
-- when valid_from <= d <= valid_to (inclusive; empty = open), it is not revoked on or before
-- d, and the channel and region are in its scope ('*' = all). When no licence covers the
-- use, the reason is that of the candidate licence closest to covering it:
-- out_of_scope < expired < not_yet_valid < revoked; no candidate at all gives no_licence
-- (or unknown_licence when the usage names a licence id the warehouse does not hold).
with usage as (
    select * from staging.stg_twin_usage
),

licenses as (
    select * from staging.stg_licenses
),

twins as (
    select twin_id, model_id from staging.stg_twins
),

grouped as (
    select
        used_on,
        twin_id,
        brand_id,
        license_id,
        channel,
        region,
        count(*) as uses,
        sum(assets)::bigint as assets,
        coalesce(sum(assets) filter (where watermarked), 0)::bigint as watermarked_assets,
        coalesce(sum(assets) filter (where disclosed), 0)::bigint as disclosed_assets,
        sum(fee_paid_rep)::decimal(18, 4) as fee_paid_rep
    from usage
    group by all
),

candidates as (
    -- why each candidate licence does or does not cover the group (0 = it covers it)
    select
        grouped.used_on,
        grouped.twin_id,
        grouped.brand_id,
        grouped.license_id,
        grouped.channel,
        grouped.region,
        min(case
            when licenses.revoked_on <= grouped.used_on then 4
            when grouped.used_on < licenses.valid_from then 3
            when grouped.used_on > licenses.valid_to then 2
            when not (list_contains(licenses.channels, '*')
                      or list_contains(licenses.channels, grouped.channel)) then 1
            when not (list_contains(licenses.regions, '*')
                      or list_contains(licenses.regions, grouped.region)) then 1
            else 0
        end) as best_rank
    from grouped
    inner join licenses
        on licenses.twin_id = grouped.twin_id
        and licenses.brand_id = grouped.brand_id
        and (grouped.license_id is null or licenses.license_id = grouped.license_id)
    group by all
),

known_license_ids as (
    select distinct license_id from licenses
),

final as (
    select
        grouped.used_on,
        date_trunc('month', grouped.used_on)::date as month,
        grouped.twin_id,
        twins.model_id,
        twins.twin_id is not null as twin_known,
        grouped.brand_id,
        grouped.license_id,
        grouped.license_id is null or known_license_ids.license_id is not null
            as license_known,
        grouped.channel,
        grouped.region,
        grouped.uses,
        grouped.assets,
        grouped.watermarked_assets,
        grouped.disclosed_assets,
        grouped.fee_paid_rep,
        case
            when candidates.best_rank = 0 then 'licensed'
            when candidates.best_rank = 1 then 'out_of_scope'
            when candidates.best_rank = 2 then 'expired'
            when candidates.best_rank = 3 then 'not_yet_valid'
            when candidates.best_rank = 4 then 'revoked'
            when known_license_ids.license_id is null and grouped.license_id is not null
                then 'unknown_licence'
            else 'no_licence'
        end as consent_status
    from grouped
    left join candidates
        on candidates.used_on = grouped.used_on
        and candidates.twin_id = grouped.twin_id
        and candidates.brand_id = grouped.brand_id
        and candidates.license_id is not distinct from grouped.license_id
        and candidates.channel = grouped.channel
        and candidates.region = grouped.region
    left join known_license_ids on known_license_ids.license_id = grouped.license_id
    left join twins on twins.twin_id = grouped.twin_id
)

select * from final

-- grain: one row per usage_id, with its consent status
-- A use is covered by a licence for its twin and brand that is valid on the day of use
-- (valid_from <= used_on <= valid_to, valid_to inclusive, empty = open-ended), not revoked on
-- or before that day (revoked_on <= used_on means revoked), and whose channels and regions
-- include the use's ('*' = all). Which licences are candidates: the one named by license_id
-- (it must be for the same twin and brand, else licence_mismatch), or, when the usage names
-- none, every licence of that twin to that brand. A failing licence's reason, checked in this
-- order: revoked, not_yet_valid, expired, out_of_scope. Among several candidates the closest
-- to covering wins: licensed < out_of_scope < expired < not_yet_valid < revoked. No
-- candidate: no_licence, or unknown_licence when the named license_id was never loaded.
-- consent_code (a small integer: strings cost at 10 million rows): 0 licensed, 1 out_of_scope,
-- 2 expired, 3 not_yet_valid, 4 revoked, 5 no_licence, 6 licence_mismatch, 7 unknown_licence;
-- staging.int_usage_monthly turns it into consent_status. A view, read once, row by row.
with usage as not materialized (
    select * from staging.stg_twin_usage
),

licenses as not materialized (
    select
        license_id,
        twin_id,
        brand_id,
        valid_from,
        coalesce(valid_to, date '9999-12-31') as valid_to,
        coalesce(revoked_on, date '9999-12-31') as revoked_on,
        list_contains(channels, '*') as all_channels,
        channels,
        list_contains(regions, '*') as all_regions,
        regions
    from staging.stg_licenses
),

-- the candidates of usage that names no licence: one row per twin × brand
pairs as (
    select
        twin_id,
        brand_id,
        count(*) as candidates,
        arg_min(struct_pack(valid_from, valid_to, revoked_on, all_channels, channels,
                            all_regions, regions), license_id) as only,
        list(struct_pack(valid_from, valid_to, revoked_on, all_channels, channels,
                         all_regions, regions)) as every
    from licenses
    group by all
),

named as (
    select
        usage.*,
        case
            when licenses.license_id is null then 7
            when licenses.twin_id <> usage.twin_id or licenses.brand_id <> usage.brand_id
                then 6
            when usage.used_on >= licenses.revoked_on then 4
            when usage.used_on < licenses.valid_from then 3
            when usage.used_on > licenses.valid_to then 2
            when not (licenses.all_channels or list_contains(licenses.channels, usage.channel))
                then 1
            when not (licenses.all_regions or list_contains(licenses.regions, usage.region))
                then 1
            else 0
        end::utinyint as consent_code
    from usage
    left join licenses on licenses.license_id = usage.license_id
    where usage.license_id is not null
),

unnamed_ranked as (
    select
        usage.*,
        case
            when pairs.candidates is null then 5
            when pairs.candidates = 1 then
                case
                    when usage.used_on >= pairs.only.revoked_on then 4
                    when usage.used_on < pairs.only.valid_from then 3
                    when usage.used_on > pairs.only.valid_to then 2
                    when not (pairs.only.all_channels
                              or list_contains(pairs.only.channels, usage.channel)) then 1
                    when not (pairs.only.all_regions
                              or list_contains(pairs.only.regions, usage.region)) then 1
                    else 0
                end
            else list_min(list_transform(pairs.every, lambda l:
                case
                    when usage.used_on >= l.revoked_on then 4
                    when usage.used_on < l.valid_from then 3
                    when usage.used_on > l.valid_to then 2
                    when not (l.all_channels or list_contains(l.channels, usage.channel)) then 1
                    when not (l.all_regions or list_contains(l.regions, usage.region)) then 1
                    else 0
                end))
        end as best_rank
    from usage
    left join pairs on pairs.twin_id = usage.twin_id and pairs.brand_id = usage.brand_id
    where usage.license_id is null
),

unnamed as (
    select * exclude (best_rank), best_rank::utinyint as consent_code from unnamed_ranked
),

final as (
    select * from named
    union all by name
    select * from unnamed
)

select * from final

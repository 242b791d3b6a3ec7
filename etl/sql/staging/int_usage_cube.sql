-- grain: one row per month × brand_id × channel × region × twin_id × license_id × consent_code × watermarked × disclosed
-- materialized: table
-- The one pass over the (possibly many million) usage rows, judging each use's consent on
-- the way: every usage model below reads this cube (about 40 times fewer rows on the large
-- demo) instead of judging each use again. Nothing downstream needs the day of use: the rights
-- scorecard's "revocation honoured" is the consent code (4 = used on or after the licence's
-- revoked_on). Grouping on an integer month key and turning it into a date afterwards is
-- several times faster than date_trunc on every row.
--
-- Consent: a use is covered by a licence for its twin and brand that is valid on the day of
-- use (valid_from <= used_on <= valid_to, valid_to inclusive, empty = open-ended), not revoked
-- on or before that day (revoked_on <= used_on means revoked), and whose channels and regions
-- include the use's ('*' = all). Which licences are candidates: the one named by license_id
-- (it must be for the same twin and brand, else licence_mismatch), or, when the usage names
-- none, every licence of that twin to that brand. A failing licence's reason, checked in this
-- order: revoked, not_yet_valid, expired, out_of_scope. Among several candidates the closest
-- to covering wins: licensed < out_of_scope < expired < not_yet_valid < revoked. No
-- candidate: no_licence, or unknown_licence when the named license_id was never loaded.
-- consent_code (a small integer: strings cost at 10 million rows): 0 licensed, 1 out_of_scope,
-- 2 expired, 3 not_yet_valid, 4 revoked, 5 no_licence, 6 licence_mismatch, 7 unknown_licence;
-- staging.int_usage_monthly turns it into consent_status.
with usage as not materialized (
    select * from staging.stg_twin_usage
),

checked as (
    select usage_id, images_ai, images_not_ai from staging.int_usage_image_status
),

-- images checked for a use (scan-images): a use's assets split into checked and declaring AI,
-- checked and not declaring it (at most its assets), and the rest (not checked)
judged as not materialized (
    select
        usage.*,
        year(usage.used_on) * 12 + month(usage.used_on) - 1 as month_key,
        least(coalesce(checked.images_not_ai, 0), usage.assets) as checked_not_ai_assets,
        least(coalesce(checked.images_ai, 0),
              usage.assets - least(coalesce(checked.images_not_ai, 0), usage.assets))
            as checked_ai_assets
    from usage
    left join checked using (usage_id)
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

-- a use naming a licence: the licence's three tests of the day of use, per use; the rest of
-- its consent code (the licence's twin, brand, channels and regions) is the same for every
-- use of a group below, so it is judged once per group: tens of times fewer rows
named_days as (
    select
        judged.*,
        judged.used_on >= licenses.revoked_on as revoked,
        judged.used_on < licenses.valid_from as not_yet_valid,
        judged.used_on > licenses.valid_to as expired
    from judged
    left join licenses on licenses.license_id = judged.license_id
    where judged.license_id is not null
),

named_grouped as (
    select
        month_key, brand_id, channel, region, twin_id, license_id, watermarked, disclosed,
        revoked, not_yet_valid, expired,
        count(*) as uses,
        sum(assets) as assets,
        sum(fee_paid_rep) as fee_paid_rep,
        sum(checked_ai_assets) as checked_ai_assets,
        sum(checked_not_ai_assets) as checked_not_ai_assets
    from named_days
    group by all
),

named as (
    select
        named_grouped.* exclude (revoked, not_yet_valid, expired),
        case
            when licenses.license_id is null then 7
            when licenses.twin_id <> named_grouped.twin_id
                or licenses.brand_id <> named_grouped.brand_id then 6
            when named_grouped.revoked then 4
            when named_grouped.not_yet_valid then 3
            when named_grouped.expired then 2
            when not (licenses.all_channels
                      or list_contains(licenses.channels, named_grouped.channel)) then 1
            when not (licenses.all_regions
                      or list_contains(licenses.regions, named_grouped.region)) then 1
            else 0
        end::utinyint as consent_code
    from named_grouped
    left join licenses on licenses.license_id = named_grouped.license_id
),

-- a use naming no licence: judged per use against each candidate, the closest to covering wins
unnamed_ranked as (
    select
        judged.*,
        case
            when pairs.candidates is null then 5
            when pairs.candidates = 1 then
                case
                    when judged.used_on >= pairs.only.revoked_on then 4
                    when judged.used_on < pairs.only.valid_from then 3
                    when judged.used_on > pairs.only.valid_to then 2
                    when not (pairs.only.all_channels
                              or list_contains(pairs.only.channels, judged.channel)) then 1
                    when not (pairs.only.all_regions
                              or list_contains(pairs.only.regions, judged.region)) then 1
                    else 0
                end
            else list_min(list_transform(pairs.every, lambda l:
                case
                    when judged.used_on >= l.revoked_on then 4
                    when judged.used_on < l.valid_from then 3
                    when judged.used_on > l.valid_to then 2
                    when not (l.all_channels or list_contains(l.channels, judged.channel)) then 1
                    when not (l.all_regions or list_contains(l.regions, judged.region)) then 1
                    else 0
                end))
        end::utinyint as consent_code
    from judged
    left join pairs on pairs.twin_id = judged.twin_id and pairs.brand_id = judged.brand_id
    where judged.license_id is null
),

unnamed as (
    select
        month_key, brand_id, channel, region, twin_id, license_id, watermarked, disclosed,
        consent_code,
        count(*) as uses,
        sum(assets) as assets,
        sum(fee_paid_rep) as fee_paid_rep,
        sum(checked_ai_assets) as checked_ai_assets,
        sum(checked_not_ai_assets) as checked_not_ai_assets
    from unnamed_ranked
    group by all
),

grouped as (
    select
        month_key, brand_id, channel, region, twin_id, license_id, consent_code,
        watermarked, disclosed,
        sum(uses)::bigint as uses,
        sum(assets)::bigint as assets,
        sum(fee_paid_rep)::decimal(18, 4) as fee_paid_rep,
        sum(checked_ai_assets)::bigint as checked_ai_assets,
        sum(checked_not_ai_assets)::bigint as checked_not_ai_assets
    from (
        select * from named
        union all by name
        select * from unnamed
    )
    group by all
),

final as (
    select
        make_date((month_key // 12)::int, (month_key % 12 + 1)::int, 1) as month,
        * exclude (month_key)
    from grouped
)

select * from final

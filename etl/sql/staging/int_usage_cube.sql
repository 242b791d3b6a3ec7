-- grain: one row per month × brand_id × channel × region × twin_id × license_id × consent_code × watermarked × disclosed
-- materialized: table
-- The one pass over the (possibly many million) classified usage rows: every usage model
-- below reads this cube (about 40 times fewer rows on the large demo) instead of classifying
-- each use again. Nothing downstream needs the day of use: the rights scorecard's
-- "revocation honoured" is the consent code (4 = used on or after the licence's revoked_on,
-- staging.int_usage_classified). Grouping on an integer month key and turning it into a
-- date afterwards is several times faster than date_trunc on every row.
with usage as (
    select * from staging.int_usage_classified
),

-- images checked for a use (scan-images): a use's assets split into checked and declaring AI,
-- checked and not declaring it (at most its assets), and the rest (not checked)
checked as (
    select usage_id, images_ai, images_not_ai from staging.int_usage_image_status
),

judged as (
    select
        usage.*,
        least(coalesce(checked.images_not_ai, 0), usage.assets) as checked_not_ai_assets,
        least(coalesce(checked.images_ai, 0),
              usage.assets - least(coalesce(checked.images_not_ai, 0), usage.assets))
            as checked_ai_assets
    from usage
    left join checked using (usage_id)
),

grouped as (
    select
        year(used_on) * 12 + month(used_on) - 1 as month_key,
        brand_id,
        channel,
        region,
        twin_id,
        license_id,
        consent_code,
        watermarked,
        disclosed,
        count(*) as uses,
        sum(assets)::bigint as assets,
        sum(fee_paid_rep)::decimal(18, 4) as fee_paid_rep,
        sum(checked_ai_assets)::bigint as checked_ai_assets,
        sum(checked_not_ai_assets)::bigint as checked_not_ai_assets
    from judged
    group by all
),

final as (
    select
        make_date((month_key // 12)::int, (month_key % 12 + 1)::int, 1) as month,
        * exclude (month_key)
    from grouped
)

select * from final

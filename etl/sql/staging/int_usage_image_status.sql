-- grain: one row per usage_id that has at least one checked image linked to it
-- The images scanned for a twin use (staging.stg_image_checks, linked by the map's usage_id):
-- how many declare AI generation in the image itself (C2PA source type or IPTC/XMP label)
-- and how many do not. The rights scorecard's disclosed_checked counts a use's assets from
-- these (staging.int_usage_cube): never more images than the use has assets.
with checks as (
    select usage_id, ai_declared from staging.stg_image_checks
    where usage_known
),

final as (
    select
        usage_id,
        count(*) filter (where ai_declared) as images_ai,
        count(*) filter (where not ai_declared) as images_not_ai
    from checks
    group by usage_id
)

select * from final

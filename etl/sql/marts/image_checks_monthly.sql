-- grain: one row per month × brand_id (brand_id empty: images linked to no brand)
-- Images checked by `twinimpact scan-images` (staging.stg_image_checks): how many carry valid
-- content credentials, declare AI generation in the image itself, or say "no AI training",
-- and, for images linked to a twin use, where the image and the brand's own export disagree
-- on disclosure (METHODOLOGY.md, "Images as evidence"). Shares are of images checked.
with checks as not materialized (
    select * from staging.stg_image_checks
),

numbers as (
    select twin_id, person_no from staging.int_model_numbers
),

counted as (
    select
        checks.month,
        checks.brand_id,
        count(*)::bigint as images_checked,
        count(*) filter (where checks.manifest)::bigint as images_with_manifest,
        count(*) filter (where checks.valid)::bigint as images_valid,
        count(*) filter (where checks.validation = 'invalid')::bigint as images_invalid,
        count(*) filter (where checks.trusted)::bigint as images_trusted,
        count(*) filter (where checks.ai_declared)::bigint as images_ai_declared,
        count(*) filter (where checks.training = 'not_allowed')::bigint as images_no_training,
        count(*) filter (where checks.usage_known)::bigint as images_linked_to_use,
        count(*) filter (where checks.usage_disclosed and not checks.ai_declared)::bigint
            as claimed_not_found,
        count(*) filter (where not checks.usage_disclosed and checks.ai_declared)::bigint
            as found_not_claimed,
        count(distinct numbers.person_no)::bigint as models
    from checks
    left join numbers using (twin_id)
    group by all
),

final as (
    select
        month,
        brand_id,
        images_checked,
        images_with_manifest,
        images_valid,
        images_invalid,
        images_trusted,
        images_ai_declared,
        images_no_training,
        round(images_valid / images_checked, 6) as valid_share,
        round(images_ai_declared / images_checked, 6) as ai_declared_share,
        round(images_no_training / images_checked, 6) as no_training_share,
        images_linked_to_use,
        claimed_not_found,
        found_not_claimed,
        models
    from counted
)

select * from final

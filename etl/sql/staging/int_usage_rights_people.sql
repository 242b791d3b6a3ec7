-- grain: one row per year × brand_id × right × person
-- materialized: table
-- Whether each model's images (their twins' uses by the brand that year) met the right, did
-- not, or were unknown — from staging.int_usage_rights_long, images only (assets > 0). The
-- dashboard counts the distinct models behind each status from it: public mode hides a
-- right's met / not met / unknown split when its smallest part is about fewer than k models.
with long as not materialized (
    select * from staging.int_usage_rights_long
    where assets > 0
),

final as (
    select
        year,
        brand_id,
        right_name,
        person,
        bool_or(status = 1) as met,
        bool_or(status = 0) as not_met,
        bool_or(status is null) as unknown
    from long
    group by all
)

select * from final

-- grain: one row per year × brand_id × twin × right × status (the ten rights of each judged use)
-- materialized: table
-- staging.int_usage_rights unpivoted: status 1 met, 0 not met, null unknown. The mart sums
-- it; the dashboard counts the distinct models behind each status from it (public mode).
-- disclosed_checked splits a use's assets three ways (staging.int_usage_cube): checked in
-- the image and declaring AI (met), checked and not declaring it (not met), not checked
-- (unknown); its parts sum to the use's assets like every other right's.
with judged as not materialized (
    select * from staging.int_usage_rights
),

rights as (
    select * from (values
        (1, 'licensed'), (2, 'time_limited'), (3, 'purpose_limited'), (4, 'non_exclusive'),
        (5, 'no_training'), (6, 'revocation_honoured'), (7, 'watermarked'), (8, 'disclosed'),
        (9, 'disclosed_checked'), (10, 'fair_pay')
    ) as r(right_no, right_name)
),

flags as (
    select
        judged.year,
        judged.brand_id,
        judged.person,
        judged.assets,
        rights.right_no,
        rights.right_name,
        [judged.licensed, judged.time_limited, judged.purpose_limited, judged.non_exclusive,
         judged.no_training, judged.revocation_honoured, judged.watermarked, judged.disclosed,
         null, judged.fair_pay][rights.right_no] as status
    from judged
    cross join rights
    where rights.right_name <> 'disclosed_checked'
),

checked as (
    select year, brand_id, person, parts.assets, 9 as right_no,
        'disclosed_checked' as right_name, parts.status
    from (
        select
            year, brand_id, person,
            unnest([
                {'assets': checked_ai_assets, 'status': 1},
                {'assets': checked_not_ai_assets, 'status': 0},
                {'assets': assets - checked_ai_assets - checked_not_ai_assets,
                 'status': null::integer}
            ]) as parts
        from judged
    )
    where parts.assets > 0
),

final as (
    select * from flags
    union all
    select * from checked
)

select * from final

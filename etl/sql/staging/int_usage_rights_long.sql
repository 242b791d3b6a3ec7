-- grain: one row per year × brand_id × twin × right (the nine rights of each judged use)
-- materialized: table
-- staging.int_usage_rights unpivoted: status 1 met, 0 not met, null unknown. The mart sums
-- it; the dashboard counts the distinct models behind each status from it (public mode).
with judged as not materialized (
    select * from staging.int_usage_rights
),

rights as (
    select * from (values
        (1, 'licensed'), (2, 'time_limited'), (3, 'purpose_limited'), (4, 'non_exclusive'),
        (5, 'no_training'), (6, 'revocation_honoured'), (7, 'watermarked'), (8, 'disclosed'),
        (9, 'fair_pay')
    ) as r(right_no, right_name)
),

final as (
    select
        judged.year,
        judged.brand_id,
        judged.person,
        judged.assets,
        rights.right_no,
        rights.right_name,
        [judged.licensed, judged.time_limited, judged.purpose_limited, judged.non_exclusive,
         judged.no_training, judged.revocation_honoured, judged.watermarked, judged.disclosed,
         judged.fair_pay][rights.right_no] as status
    from judged
    cross join rights
)

select * from final

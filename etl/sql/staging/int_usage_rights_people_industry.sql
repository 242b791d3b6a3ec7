-- grain: one row per year × right × person
-- materialized: table
-- staging.int_usage_rights_people without the brand: what the rights figures of every brand
-- together count their models from (a third of the rows).
with people as not materialized (
    select * from staging.int_usage_rights_people
),

final as (
    select
        year,
        right_name,
        person,
        bool_or(met) as met,
        bool_or(not_met) as not_met,
        bool_or(unknown) as unknown
    from people
    group by all
)

select * from final

-- grain: one row per month × role × block (of 4,096 person numbers)
-- materialized: table
-- staging.int_crew_people_industry as bitmaps: each month × role sets the bit of every crew
-- member booked (person number mod 4,096, in the block of person number div 4,096;
-- bitstring_agg wants constant bounds). The distinct crew members of any set of months and
-- roles are then the set bits of the bitmaps OR-ed together, block by block: a few thousand
-- rows to read at page time, not one per person and month. Used without a brand or region
-- filter (dashboard/queries/base.py).
with people as not materialized (
    select * from staging.int_crew_people_industry
),

final as (
    select
        month,
        role,
        person // 4096 as block,
        bitstring_agg((person % 4096)::integer, 0, 4095) as seen
    from people
    group by all
    order by month
)

select * from final

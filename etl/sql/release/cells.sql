-- grain: one row per measure × period (whole month, quarter or calendar year) × breakdown (all, brand, channel, role, region, reason) × member
-- The release's cells before suppression, from the temporary contributions table (see
-- contributions.sql): value = the sum; people = the distinct people whose part is not zero
-- (null for measures about no people); top_share = the largest person's part of the value
-- (of the sum of the parts' sizes: estimates may be negative). A breakdown is a cell only
-- where the measure has it (crew figures have no channel, twin figures no role, only
-- unlicensed images a reason). Each
-- person's part is summed once per month and breakdown, then rolled up to quarters and
-- years (each breakdown a plain group-by: no row is copied for breakdowns it lacks). Run
-- once per measure ($measure): one measure's person-parts at a time stay within the memory
-- limit on millions of uses.
with contributions as not materialized (
    select * from release_contributions where measure = $measure
),

month_parts as (
    select measure, people, month, 'all' as dim, '' as member, person, sum(value) as value
    from contributions group by all
    union all
    select measure, people, month, 'brand', brand_id, person, sum(value)
    from contributions group by all
    union all
    select measure, people, month, 'channel', channel, person, sum(value)
    from contributions where channel is not null group by all
    union all
    select measure, people, month, 'role', role, person, sum(value)
    from contributions where role is not null group by all
    union all
    select measure, people, month, 'region', region, person, sum(value)
    from contributions group by all
    union all
    select measure, people, month, 'reason', reason, person, sum(value)
    from contributions where reason is not null group by all
),

parts as (
    select measure, people, 'month' as grain, strftime(month, '%Y-%m') as period, dim, member,
        person, value
    from month_parts
    union all
    select measure, people, 'quarter', year(month)::varchar || '-Q' || quarter(month)::varchar,
        dim, member, person, sum(value)
    from month_parts group by all
    union all
    select measure, people, 'year', year(month)::varchar, dim, member, person, sum(value)
    from month_parts group by all
),

final as (
    select
        measure,
        grain,
        period,
        dim,
        member,
        sum(value) as value,
        case when any_value(people) is null then null
            else count(person) filter (where value <> 0) end as people,
        case when any_value(people) is null or sum(abs(value)) = 0 then null
            else max(abs(value)) / sum(abs(value)) end as top_share
    from parts
    group by measure, grain, period, dim, member
)

select * from final

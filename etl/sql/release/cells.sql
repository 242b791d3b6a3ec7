-- grain: one row per measure × period (whole month, quarter or calendar year) × breakdown (all, brand, channel, role, region, reason) × member
-- The release's cells before suppression, from the temporary contributions table (see
-- contributions.sql): value = the sum; people = the distinct people whose part is not zero
-- (beyond 1e-9: a signed part that cancels over a period's months, e.g. a brand's crew
-- figures displaced in a quarter of +x and −x, sums to 0 or to a few ulps run to run)
-- (null for measures about no people); top_share = the largest person's part of the value
-- (of the sum of the parts' sizes: estimates may be negative). A breakdown is a cell only
-- where the measure has it (crew figures have no channel, twin figures no role, only
-- unlicensed images a reason). Each
-- person's part is summed once per month and breakdown, then rolled up to quarters and the
-- quarters to years (each breakdown a plain group-by: no row is copied for breakdowns it
-- lacks; a year sums a person's few quarters, not their months). Until the cells are made,
-- a period is its first month's number (year × 12 + month − 1: a quarter starts at m − m % 3,
-- a year at m − m % 12), and grains (0 month, 1 quarter, 2 year) and dims (0 all, 1 brand,
-- 2 channel, 3 role, 4 region, 5 reason) are numbers: grouping by small integers, not dates
-- and text, and a period's text is written once per cell, not once per part. Run
-- for two measures at a time ($measure, $other), each a column of the same person-parts
-- (`pair` picks the two columns of contributions.sql by name): crew days and crew
-- income are the same people's rows, so one pass serves both; two measures' person-parts at
-- a time stay within the memory limit on millions of uses.
-- the two measures' columns of the contributions (a: $measure, b: $other; a measure alone
-- comes with $other = $measure, whose copy is left out at the end)
with pair as not materialized (
    select year(month) * 12 + month(month) - 1 as m, brand_id, channel, role, region, reason,
        person, people,
        columns('^' || $measure || '$') as a,
        columns('^' || $other || '$') as b
    from release_contributions
),

-- the rows with a part of either (a family's measures share their rows)
contributions as not materialized (
    select * from pair where a is not null or b is not null
),

month_parts as (
    select m, 0 as dim, '' as member, person,
        sum(a) as a, sum(b) as b
    from contributions group by all
    union all
    select m, 1, brand_id, person,
        sum(a), sum(b)
    from contributions group by all
    union all
    select m, 2, channel, person,
        sum(a), sum(b)
    from contributions where channel is not null group by all
    union all
    select m, 3, role, person,
        sum(a), sum(b)
    from contributions where role is not null group by all
    union all
    select m, 4, region, person,
        sum(a), sum(b)
    from contributions group by all
    union all
    select m, 5, reason, person,
        sum(a), sum(b)
    from contributions where reason is not null group by all
),

quarter_parts as (
    select m - m % 3 as m, dim, member, person,
        sum(a) as a, sum(b) as b
    from month_parts group by all
),

parts as (
    select 0 as grain, m, dim, member, person, a, b
    from month_parts
    union all
    select 1, m, dim, member, person, a, b
    from quarter_parts
    union all
    select 2, m - m % 12, dim, member, person, sum(a), sum(b)
    from quarter_parts group by all
),

cells as (
    select grain, m, dim, member,
        sum(a) as a_value,
        count(person) filter (where abs(a) > 1e-9) as a_people,
        max(abs(a)) / nullif(sum(abs(a)), 0) as a_top,
        sum(b) as b_value,
        count(person) filter (where abs(b) > 1e-9) as b_people,
        max(abs(b)) / nullif(sum(abs(b)), 0) as b_top
    from parts
    group by grain, m, dim, member
),

about as (
    select bool_or(people is not null) as about_people from contributions
),

periods as (
    select cells.* replace (
            ['month', 'quarter', 'year'][grain + 1] as grain,
            ['all', 'brand', 'channel', 'role', 'region', 'reason'][dim + 1] as dim),
        about.about_people,
        case grain
            when 0 then printf('%04d-%02d', m // 12, m % 12 + 1)
            when 1 then (m // 12)::varchar || '-Q' || (m % 12 // 3 + 1)::varchar
            else (m // 12)::varchar
        end as period
    from cells cross join about
),

final as (
    select $measure as measure, grain, period, dim, member, a_value as value,
        case when about_people then a_people end as people,
        case when about_people then a_top end as top_share
    from periods
    where a_value is not null
    union all
    select $other, grain, period, dim, member, b_value,
        case when about_people then b_people end,
        case when about_people then b_top end
    from periods
    where b_value is not null and $other <> $measure
)

select * from final

-- grain: one row per measure × period (whole month, quarter or calendar year) × breakdown (all, brand, channel, role, region) × member
-- The release's cells before suppression, from the temporary contributions table (see
-- contributions.sql): value = the sum; people = the distinct people whose part is not zero
-- (null for measures about no people); top_share = the largest person's part of the value
-- (of the sum of the parts' sizes: estimates may be negative).
-- A breakdown is a cell only where the measure has it (crew figures have no channel, twin
-- figures no role).
with contributions as not materialized (
    select * from release_contributions
),

periods as (
    select contributions.*, grains.grain,
        case grains.grain
            when 'month' then strftime(month, '%Y-%m')
            when 'quarter' then year(month)::varchar || '-Q' || quarter(month)::varchar
            else year(month)::varchar
        end as period
    from contributions
    cross join (values ('month'), ('quarter'), ('year')) as grains (grain)
),

members as (
    select periods.*, dims.dim,
        case dims.dim
            when 'all' then ''
            when 'brand' then brand_id
            when 'channel' then channel
            when 'role' then role
            else region
        end as member
    from periods
    cross join (values ('all'), ('brand'), ('channel'), ('role'), ('region')) as dims (dim)
),

per_person as (
    select measure, people, grain, period, dim, member, person, sum(value) as value
    from members
    where member is not null
    group by all
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
    from per_person
    group by measure, grain, period, dim, member
)

select * from final

-- grain: one row per measure × period × breakdown × member
-- The cells of the measures just built (the frame release_frame: cell_id, measure, grain,
-- period, dim, member, value, people, status) into release.cells, each with the first day of
-- its period; a hidden cell's value and people never enter the release.
insert into release.cells
select
    cell_id,
    measure,
    grain,
    period,
    case grain
        when 'month' then make_date(left(period, 4)::int, right(period, 2)::int, 1)
        when 'quarter' then make_date(left(period, 4)::int, (right(period, 1)::int - 1) * 3 + 1, 1)
        else make_date(period::int, 1, 1)
    end as period_start,
    dim,
    member,
    case when status = 'shown' then value end as value,
    case when status = 'shown' then people end::bigint as people,
    status
from release_frame

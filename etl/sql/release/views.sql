-- Views over release.cells: the tables public pages read (etl/release.py writes them).
-- release.periods: each period once (distinct first, then its end: half the time of a page's
-- period picker)
create or replace view release.periods as
select grain, period, period_start,
    (case grain
        when 'month' then period_start + interval 1 month
        when 'quarter' then period_start + interval 3 month
        else period_start + interval 1 year
    end)::date - 1 as period_end
from (select distinct grain, period, period_start from release.cells);
create or replace view release.industry as
select * from release.cells where dim = 'all';
create or replace view release.breakdowns as
select * from release.cells where dim <> 'all';
create or replace view release.estimates as
select measure, period::integer as year, case when dim = 'all' then 'ALL' else member end as scope,
    value, people, status
from release.cells where measure like 'est_%';

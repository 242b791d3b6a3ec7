-- grain: one row: the last successful load, simulated or not, loads and files
select max(coalesce(finished_at, started_at)) filter (where status in ('loaded', 'skipped'))
           as as_of,
       coalesce(bool_or(simulated) filter (where status = 'loaded'), false) as simulated,
       count(*) as loads,
       count(distinct file) filter (where status = 'loaded') as files
from meta.loads

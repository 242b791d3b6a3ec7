-- grain: one row per quarantined row of the named files' latest loads
select kind, file, line, reason, raw::varchar as raw
from meta.quarantine
where list_contains($files, file)
  and load_id in (select max(load_id) from meta.loads
                  where list_contains($files, file) and status = 'loaded'
                  group by kind, file)
order by kind, file, line

-- grain: one row per load attempt, newest first
-- the file's name, not the loader's folder (no local paths in a published table)
select load_id, kind, regexp_extract(file, '[^/\\]+$') as file, status,
       coalesce(finished_at, started_at) as finished_at,
       rows_in, inserted, updated, unchanged, quarantined, simulated, error
from meta.loads
order by load_id desc

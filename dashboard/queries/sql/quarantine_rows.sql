-- grain: one row per quarantined row, with its values (person-level)
select kind, file, line, reason, raw::varchar as raw
from meta.quarantine
order by kind, file, line

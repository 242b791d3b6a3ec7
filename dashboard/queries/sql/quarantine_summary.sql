-- grain: one row per kind × file × column × rule × reason
select kind, regexp_extract(file, '[^/\\]+$') as file,
       -- rows quarantined before the value-free form was recorded: nothing to show
       coalesce(column_name, '(not recorded)') as column_name,
       coalesce(rule, '(not recorded: load the file again to see it)') as rule,
       reason, count(*) as rows
from meta.quarantine
group by all
order by rows desc, kind, file, column_name, rule, reason

-- grain: one row per check on references that do not join
select check_name, kind, rows, assets, description
from marts.data_quality
order by rows desc, check_name

-- grain: one row per filter × value the URL may name
select filter, value from marts.filter_values order by filter, value

-- grain: one row per column mapping saved for the kind, newest first
select name, text, saved_at from meta.mappings where kind = $kind
order by saved_at desc, name

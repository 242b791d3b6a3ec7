-- grain: one row per scope × month since the first twin use
select e.scope, e.event_month, e.effect, e.effect_low, e.effect_high, e.brands,
       e.placebo, e.joint_low, e.joint_high
from marts.displacement_event_study e
left join marts.brands b on b.brand_id = e.scope
where (e.scope = 'ALL' and len($brand::varchar[]) = 0 and len($region::varchar[]) = 0)
    or (e.scope <> 'ALL'
        and (len($brand::varchar[]) > 0 or len($region::varchar[]) > 0)
        and (len($brand::varchar[]) = 0 or list_contains($brand::varchar[], e.scope))
        and (len($region::varchar[]) = 0
             or list_contains($region::varchar[], b.home_region)))
order by e.scope, e.event_month

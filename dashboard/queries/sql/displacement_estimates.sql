-- grain: one row per scope (ALL or a brand) × calendar year the period touches
select e.scope, e.year, e.months_observed, e.did, e.did_low, e.did_high, e.upper,
       e.control_brands, e.estimable, e.note, e.brands,
       e.crew_days, e.crew_days_low, e.crew_days_high,
       e.crew_income, e.crew_income_low, e.crew_income_high,
       coalesce(p.crew_people, 0) as crew_people, coalesce(p.models, 0) as models,
       e.rho, e.pretrend_p, e.breakdown_m
from marts.displacement_estimates e
left join marts.brands b on b.brand_id = e.scope
left join staging.int_scope_people_yearly p on p.scope = e.scope and p.year = e.year
where e.year between coalesce(year($start::date), 0) and coalesce(year($end::date), 9999)
  and (
    (e.scope = 'ALL' and len($brand::varchar[]) = 0 and len($region::varchar[]) = 0)
    or (e.scope <> 'ALL'
        and (len($brand::varchar[]) = 0 or list_contains($brand::varchar[], e.scope))
        and (len($region::varchar[]) = 0
             or list_contains($region::varchar[], b.home_region))))
order by e.scope = 'ALL' desc, e.scope, e.year

-- grain: one row per year × cohort
select year, cohort, models, median_income::double as median_income,
       p90_income::double as p90_income, top10_share::double as top10_share,
       gini::double as gini, ceil(models / 10)::bigint as top_group
from marts.income_distribution_yearly
where year between year($start::date) and year($end::date)
order by year, cohort

-- grain: one row per brand (the brand filter's): the months its bookings files cover
select brand_id, strftime(covered_from, '%Y-%m') as covered_from,
       strftime(covered_to, '%Y-%m') as covered_to,
       array_to_string(coverage, ', ') as coverage, observed_months
from marts.brands
where (len($brand::varchar[]) = 0 or list_contains($brand::varchar[], brand_id))
order by brand_id

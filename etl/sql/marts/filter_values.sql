-- grain: one row per filter (month, brand, region) × value
-- The values the dashboard's filters accept (a URL's value is checked against them): the
-- months of the displacement and model-income marts, the brands of the displacement and
-- consent marts, and the regions of brands' home regions and of the surveys' areas (the
-- country of a subdivision such as GB-LND). Computed once per load, so every page's first
-- query reads a few hundred rows.
with months as (
    select distinct month from marts.displacement_monthly
    union
    select distinct month from marts.model_income_monthly
),

brands as (
    select distinct brand_id from marts.displacement_monthly
    union
    select distinct brand_id from marts.consent_monthly
),

regions as (
    select distinct home_region as region from marts.brands where home_region is not null
    union
    select distinct left(area, 2) from marts.employment
    where regexp_full_match(left(area, 2), '[A-Z]{2}')
),

final as (
    select 'month' as filter, strftime(month, '%Y-%m') as value from months
    union all
    select 'brand', brand_id from brands
    union all
    select 'region', region from regions
)

select * from final

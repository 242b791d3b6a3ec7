-- The public release's tables beside release.cells: what public output shows that is not an
-- additive cell (statistics of a distribution, survey rows, the event study) and what it says
-- about the data (provenance, loads, filter values). Public pages, embeds, chart images and
-- published reports read these and release.cells, nothing else (dashboard/public.py). Built by
-- etl/release_statistics.py at every publish that rebuilds the marts (even when the cells are
-- kept), statement by statement; $k is the release's k. METHODOLOGY.md, "The public release",
-- gives the rule of each statistic.

-- grain: one row per statistic × year × cohort (× Lorenz point)
-- median_income, gini: shown when the cohort has ≥ k models and no one holds more than 85%
-- of its income; p90_income, top10_share: shown when the top tenth (ceil(n / 10) models) has
-- ≥ k models and no one holds more than 85% of its income; lorenz: the cumulative income share
-- at the end of each decile (point = its population share), the whole curve shown only when
-- every decile has ≥ k models and no one holds more than 85% of any decile's income; models:
-- the cohort's size, shown when ≥ k. A hidden statistic's value never enters the release.
create or replace table release.statistics as
with yearly as (
    select year, model_id, income,
        unnest(case when has_twin then ['all', 'twin_holders'] else ['all', 'no_twin'] end)
            as cohort
    from marts.model_income_yearly
),

ranked as (
    select *,
        count(*) over (partition by year, cohort) as n,
        row_number() over (partition by year, cohort order by income desc, model_id)
            as rank_desc,
        ntile(10) over (partition by year, cohort order by income, model_id) as decile
    from yearly
),

cohort as (
    select year, cohort, any_value(n) as n,
        max(income) / nullif(sum(income), 0) as top_share,
        count(*) filter (where rank_desc <= ceil(n / 10.0)) as top_n,
        max(income) filter (where rank_desc <= ceil(n / 10.0))
            / nullif(sum(income) filter (where rank_desc <= ceil(n / 10.0)), 0) as top_top_share
    from ranked
    group by all
),

deciles as (
    select year, cohort, decile, count(*) as people, sum(income) as income,
        max(income) / nullif(sum(income), 0) as top_share
    from ranked
    group by all
),

curve as (
    select year, cohort, decile,
        sum(people) over w / sum(people) over (partition by year, cohort) as point,
        sum(income) over w / nullif(sum(income) over (partition by year, cohort), 0) as value,
        people
    from deciles
    window w as (partition by year, cohort order by decile
                 rows between unbounded preceding and current row)
),

curve_ok as (
    select year, cohort,
        count(*) = 10 and min(people) >= $k and coalesce(max(top_share), 0) <= 0.85 as ok
    from deciles
    group by all
),

dist as (
    select d.year, d.cohort, d.models, d.median_income, d.p90_income, d.top10_share, d.gini,
        coalesce(c.top_share, 0) <= 0.85 and d.models >= $k as whole_ok,
        coalesce(c.top_n, 0) >= $k and coalesce(c.top_top_share, 0) <= 0.85 as top_ok,
        c.top_n
    from marts.income_distribution_yearly as d
    left join cohort as c using (year, cohort)
),

long as (
    select 'models' as statistic, year, cohort, null::double as point, models::double as value,
        models as people, models >= $k or models = 0 as ok
    from dist
    union all
    select 'median_income', year, cohort, null, median_income, models, whole_ok from dist
    union all
    select 'gini', year, cohort, null, gini, models, whole_ok from dist
    union all
    select 'p90_income', year, cohort, null, p90_income, top_n, top_ok from dist
    union all
    select 'top10_share', year, cohort, null, top10_share, top_n, top_ok from dist
    union all
    select 'lorenz', curve.year, curve.cohort, curve.point, curve.value, curve.people,
        curve_ok.ok
    from curve
    inner join curve_ok using (year, cohort)
),

final as (
    select statistic, 'year' as grain, year::varchar as period, 'cohort' as dim,
        cohort as member, point,
        case when ok then value end as value,
        case when ok then people end as people,
        case when ok then 'shown' else 'primary' end as status
    from long
)

select * from final order by statistic, period, member, point;

-- grain: one row per survey row (period × area × role × source) of marts.employment
-- The surveys as published, each row against k by its own head count (`employed`): a row of
-- fewer than k people is primary; where a period × role × source has exactly one primary row,
-- its smallest shown row is hidden too (secondary), so the areas' sum less the shown areas is
-- never one small area. BLS figures are national statistics the BLS suppresses itself: shown.
create or replace table release.survey as
with rows as (
    select period, period_start, area, role, source, employed, median_earnings, mean_earnings,
        earnings_basis, currency,
        source not ilike '%BLS%' and employed < $k and employed <> 0 as small
    from marts.employment
),

grouped as (
    select *,
        count(*) filter (where small) over (partition by period, role, source) as hidden_n,
        row_number() over (partition by period, role, source
                           order by small, employed, area) as by_size
    from rows
),

final as (
    select period, period_start, area, role, source,
        case when small then 'primary'
            when hidden_n = 1 and by_size = 2 then 'secondary'
            else 'shown' end as status,
        earnings_basis, currency, employed, median_earnings, mean_earnings
    from grouped
)

select period, period_start, area, role, source, earnings_basis, currency, status,
    case when status = 'shown' then employed end as employed,
    case when status = 'shown' then median_earnings end as median_earnings,
    case when status = 'shown' then mean_earnings end as mean_earnings
from final;

-- grain: one row per scope × event month (marts.displacement_event_study)
-- Shoot days displaced by months since the brand's first twin use: brands' figures about
-- shoot days, not about people (CONTRACT §6), published whole like the shoot-day estimates.
create or replace table release.event_study as
select scope, event_month, effect, effect_low, effect_high, brands, placebo, joint_low,
    joint_high
from marts.displacement_event_study;

-- grain: one row per filter (month, brand, region) × value: the values a public URL accepts
create or replace table release.filter_values as
select filter, value from marts.filter_values;

-- grain: one row: what the release was built from (data as of, simulated, its k, currency)
create or replace table release.provenance as
select
    max(coalesce(finished_at, started_at)) filter (where status in ('loaded', 'skipped'))
        as as_of,
    coalesce(bool_or(simulated) filter (where status = 'loaded'), false) as simulated,
    count(*) as loads,
    count(distinct file) filter (where status = 'loaded') as files,
    $k::integer as k,
    coalesce((select value from meta.settings where key = 'reporting_currency'), 'EUR')
        as currency
from meta.loads;

-- grain: one row per load attempt: the Data page's list of loads (file base names only)
create or replace table release.loads as
select load_id, kind, regexp_extract(file, '[^/\\]+$') as file, status,
    coalesce(finished_at, started_at) as finished_at, rows_in, inserted, updated, unchanged,
    quarantined, simulated, error
from meta.loads;

-- grain: one row per kind × file × column × rule: quarantined rows counted, never their
-- values (the reason, which quotes them, stays in meta.quarantine)
create or replace table release.quarantine as
select kind, regexp_extract(file, '[^/\\]+$') as file,
    coalesce(column_name, '(not recorded)') as column_name,
    coalesce(rule, '(not recorded: load the file again to see it)') as rule,
    count(*) as rows
from meta.quarantine
group by all;

-- grain: one row per check: references that do not join (counts, no ids)
create or replace table release.data_quality as
select check_name, kind, rows, assets, description from marts.data_quality;

-- grain: one row per month × brand × channel after the brand's first twin use without a
-- difference in differences (fewer than $min_controls control brands, or no method): which
-- months' shortfall public figures call a before/after shortfall, not a DiD (brands' facts)
create or replace table release.no_did_months as
select distinct month, brand_id, channel, region
from marts.displacement_monthly
where post_adoption
    and not (did_method in ('did_channel', 'did_all_channels')
             and control_brands >= $min_controls)

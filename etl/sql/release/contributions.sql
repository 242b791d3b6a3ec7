-- grain: one row per month × brand_id × channel × role × reason × person (person null for measures about no people), each measure a column
-- What every cell of the public release is made of: each person's part of each additive
-- measure, by month and by the breakdowns the release publishes (brand, channel, role, the
-- brand's home region), one column per measure (null where the row has no part of it, or a
-- part of zero; the DiD shortfall keeps its zeros: every observed brand-month has a part).
-- people: 'models' (the twin's model: twin images, their unlicensed,
-- unwatermarked and undisclosed parts, twin fees = the models' twin income, and the
-- substitution bound on displaced shoot days, shared out by twin images), 'crew' (crew
-- members on known, non-cancelled bookings: crew days and income — models' own shoot work
-- is role `model` — and the crew days and income displaced, shared out by crew days of the
-- month, brand and role, or by the brand's pre-period crew of the role, whose days per shoot
-- day and day rates they are made of, where those are fewer than k or one dominates; a
-- displaced figure without crew that month has a null person), or
-- null (shoot days, shoot images, days cancelled for a twin and the DiD shortfall are
-- brands' figures, not people's: CONTRACT §6). reason: why no valid licence covered an
-- unlicensed image (the unlicensed images are split by it, on rows of their own, so the
-- release's reason cells add up to the measure's total; null on every other row). Built as a
-- temporary table by etl/release.py: it holds person numbers and never enters the release.
-- $models, $crew, $displaced and $shoots: whether to build the models' measures, the crew's
-- (crew_days, crew_income), the crew figures displaced and the brands' shoot figures: a
-- publish builds only the families whose inputs changed (etl/release.py, measure_inputs), one
-- at a time. $measures: the measure columns kept (the family's: the others would be columns
-- of nulls, which a temporary table stores in full).
-- The crew's parts come per person from staging.int_crew_people and the displaced figures'
-- shares from staging.int_crew_day_shares, which a twin-usage load leaves as they were, and
-- from staging.int_crew_pre_people (built again when adoption moves). $k and $dominance:
-- the release's rules (etl/release.py; k is in every measure's inputs digest). A
-- family's measures share their rows (no row per measure): cells.sql reads two columns at
-- a time.
with cube as not materialized (
    select * from staging.int_usage_cube where $models
),

numbers as (
    select twin_id, person_no from staging.int_model_numbers
),

shoots as (
    select * from marts.displacement_monthly
),

homes as (
    select brand_id, coalesce(nullif(home_region, ''), 'unknown') as region
    from marts.brands
),

twin as (
    select cube.month, cube.brand_id, cube.channel, numbers.person_no as person,
        sum(cube.assets)::double as twin_images,
        coalesce(sum(cube.assets) filter (where not cube.watermarked), 0)::double
            as unwatermarked_images,
        coalesce(sum(cube.assets) filter (where not cube.disclosed), 0)::double
            as undisclosed_images,
        coalesce(sum(cube.fee_paid_rep), 0)::double as twin_fees
    from cube
    inner join numbers using (twin_id)
    group by all
),

-- each brand × month × channel's twin images, over its models
twin_brand as (
    select month, brand_id, channel, sum(twin_images) as brand_twin_images
    from twin
    group by all
),

-- the twin measures, and the substitution bound of a brand × month × channel shared by its
-- models' twin images (a group-by joined back: a third of a window's time)
twin_wide as (
    select twin.month, twin.brand_id, twin.channel, twin.person, 'models' as people,
        twin.twin_images, twin.unwatermarked_images, twin.undisclosed_images, twin.twin_fees,
        case when shoots.displaced_shoot_days_upper <> 0 then
            shoots.displaced_shoot_days_upper * twin.twin_images / twin_brand.brand_twin_images
        end as displaced_days_upper
    from twin
    left join shoots using (month, brand_id, channel)
    left join twin_brand using (month, brand_id, channel)
),

-- unlicensed images by reason (consent codes as staging.int_usage_cube numbers them)
unlicensed_wide as (
    select cube.month, cube.brand_id, cube.channel, numbers.person_no as person,
        'models' as people, sum(cube.assets)::double as unlicensed_images,
        ['out_of_scope', 'expired', 'not_yet_valid', 'revoked', 'no_licence', 'no_licence',
         'unknown_licence'][cube.consent_code] as reason
    from cube
    inner join numbers using (twin_id)
    where cube.consent_code > 0
    group by all
),

-- the known, not cancelled bookings' crew: each person's days and income per month × brand
-- × role
crew_person as not materialized (
    select month, brand_id, role, person, crew_days::double as crew_days,
        crew_income::double as crew_income
    from staging.int_crew_people
),

crew_wide as (
    select month, brand_id, role, person, 'crew' as people, crew_days, crew_income
    from crew_person
    where $crew
),

-- the crew figures displaced of a brand × month × role
impact as (
    select month, brand_id, role, displaced_crew_days, displaced_crew_income
    from marts.crew_impact_monthly
    where (displaced_crew_days <> 0 or displaced_crew_income <> 0) and $displaced
),

-- each pre-period crew member's share of the brand × role's pre-period crew days
-- (staging.int_crew_pre_people), where the figures displaced would show their work: fewer
-- than $k of them, or one above $dominance of their days. The figures are the DiD × their
-- crew days per shoot day × their median day rate, so displaced income ÷ days is then one
-- person's day rate, and displaced days ÷ the DiD their days per shoot day: the figures are
-- theirs, shared out by their days then (and counted as theirs, so primary)
few as (
    select brand_id, role, person,
        crew_days / sum(crew_days) over (partition by brand_id, role) as share
    from staging.int_crew_pre_people
    where $displaced
    qualify count(*) over (partition by brand_id, role) < $k
        or max(crew_days) over (partition by brand_id, role)
            > $dominance * sum(crew_days) over (partition by brand_id, role)
),

-- otherwise each person's share of the month × brand × role's crew days
-- (staging.int_crew_day_shares, which a twin-usage load keeps; the whole figure, with no
-- person, where there is no crew or no crew days: it counts as nobody)
displaced_person as (
    select impact.month, impact.brand_id, impact.role, few.person,
        impact.displaced_crew_days * few.share as displaced_crew_days,
        impact.displaced_crew_income * few.share as displaced_crew_income
    from impact
    inner join few using (brand_id, role)
    union all
    select impact.month, impact.brand_id, impact.role, shares.person,
        impact.displaced_crew_days * coalesce(shares.share, 1),
        impact.displaced_crew_income * coalesce(shares.share, 1)
    from impact
    anti join few using (brand_id, role)
    left join staging.int_crew_day_shares as shares using (month, brand_id, role)
),

displaced_wide as (
    select *, 'crew' as people from displaced_person
),

shoot_wide as (
    select month, brand_id, channel, sum(shoot_days)::double as shoot_days,
        sum(shoot_assets)::double as shoot_images,
        sum(cancelled_for_twin_days)::double as cancelled_days,
        sum(displaced_shoot_days_did)::double as displaced_days_did
    from shoots
    where $shoots
    group by all
),

unioned as (
    select * from twin_wide
    union all by name
    select * from unlicensed_wide
    union all by name
    select * from crew_wide
    union all by name
    select * from displaced_wide
    union all by name
    select * from shoot_wide
),

final as (
    select unioned.month, unioned.brand_id, unioned.channel::varchar as channel,
        unioned.role::varchar as role, unioned.person::integer as person,
        unioned.people::varchar as people, unioned.reason::varchar as reason,
        coalesce(homes.region, 'unknown') as region,
        nullif(unioned.twin_images, 0) as twin_images,
        nullif(unioned.unlicensed_images, 0) as unlicensed_images,
        nullif(unioned.unwatermarked_images, 0) as unwatermarked_images,
        nullif(unioned.undisclosed_images, 0) as undisclosed_images,
        nullif(unioned.twin_fees, 0) as twin_fees,
        nullif(unioned.displaced_days_upper, 0) as displaced_days_upper,
        nullif(unioned.crew_days, 0) as crew_days,
        nullif(unioned.crew_income, 0) as crew_income,
        nullif(unioned.displaced_crew_days, 0) as displaced_crew_days,
        nullif(unioned.displaced_crew_income, 0) as displaced_crew_income,
        nullif(unioned.shoot_days, 0) as shoot_days,
        nullif(unioned.shoot_images, 0) as shoot_images,
        nullif(unioned.cancelled_days, 0) as cancelled_days,
        -- zeros kept: a DiD cell wherever a brand was observed, so no cell is no figure
        unioned.displaced_days_did
    from unioned
    left join homes using (brand_id)
)

select columns(lambda c: list_contains(['month', 'brand_id', 'channel', 'role', 'person',
    'people', 'reason', 'region'], c) or list_contains($measures, c))
from final

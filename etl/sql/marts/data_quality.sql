-- grain: one row per check
-- References are not checked at load (files arrive in any order); this mart counts what does
-- not join, so the dashboard's Data page can show it. rows = source rows affected.
with usage as not materialized (
    select * from staging.int_usage_monthly
),

usage_twins as not materialized (
    select * from staging.int_usage_twin_monthly
),

licenses as not materialized (
    select * from staging.stg_licenses
),

twins as not materialized (
    select * from staging.stg_twins
),

crew as not materialized (
    select * from staging.stg_booking_crew
),

quarantine as (
    select kind, count(*) as rows from meta.quarantine group by all
),

checks as (
    select
        'usage_unknown_twin' as check_name,
        'twin-usage' as kind,
        coalesce(sum(uses), 0) as rows,
        coalesce(sum(assets), 0) as assets,
        list(distinct twin_id order by twin_id)[1:5] as examples,
        'twin uses whose twin_id is not in the loaded twins: no model gets their income'
            as description
    from usage_twins where not twin_known
    union all
    select
        'usage_unknown_licence', 'twin-usage', coalesce(sum(uses), 0), coalesce(sum(assets), 0),
        null,
        'twin uses naming a license_id that is not in the loaded licences: counted unlicensed'
    from usage where consent_status = 'unknown_licence'
    union all
    select
        'usage_licence_mismatch', 'twin-usage', coalesce(sum(uses), 0),
        coalesce(sum(assets), 0), null,
        'twin uses naming a licence granted for another twin or brand: counted no_licence'
    from usage where consent_status = 'licence_mismatch'
    union all
    select
        'licence_unknown_twin', 'licenses', count(*), null,
        list(distinct licenses.twin_id order by licenses.twin_id)[1:5],
        'licences whose twin_id is not in the loaded twins'
    from licenses
    anti join twins on twins.twin_id = licenses.twin_id
    union all
    select
        'crew_unknown_booking', 'booking-crew', count(*), null,
        list(distinct booking_id order by booking_id)[1:5],
        'crew rows whose booking_id is not in the loaded bookings: left out of every mart'
    from crew where not booking_known
    union all
    select
        'crew_no_fx_rate', 'booking-crew', count(*), null,
        list(distinct currency order by currency)[1:5],
        'crew rows in a currency without an ECB rate on the shoot date: income unknown'
    from crew where fee_total_rep is null
    union all
    select
        'quarantined_rows', kind, rows, null, null::varchar[],
        'rows quarantined at load (twinimpact quarantine lists them)'
    from quarantine
),

final as (
    select check_name, kind, rows::bigint as rows, assets::bigint as assets,
        examples, description
    from checks
)

select * from final

-- grain: one row per booking_id × person_id × role
-- Crew money is converted here, not at load: its rate date is the booking's shoot_date,
-- known only once the booking is loaded. Rate: staging.stg_fx_rates, the same usable rate of
-- the day as the loader's (cross rate through EUR; a fixing more than 7 days old is no rate:
-- the money is unknown and data_quality.crew_no_fx_rate counts the row). A date after the
-- last fixing the project ships, and a crew row whose booking is unknown, use that last
-- fixing; unknown-booking rows carry booking_known = false and the marts leave them out.
-- materialized: table
-- (several marts read it; rates are looked up once per currency × date, not per crew row)
with crew as not materialized (
    select * from raw.booking_crew
),

bookings as not materialized (
    select * from staging.stg_bookings
),

rates as (
    select * from staging.stg_fx_rates
),

settings as (
    select coalesce(max(value) filter (where key = 'reporting_currency'), 'EUR') as reporting_currency
    from meta.settings
),

last_fixing as (
    select max(rate_date) as rate_date from ref.fx_rates
),

joined as (
    select
        crew.booking_id,
        crew.person_id,
        crew.role,
        crew.days,
        crew.day_rate,
        crew.fee_total,
        crew.currency,
        bookings.booking_id is not null as booking_known,
        bookings.brand_id,
        bookings.shoot_date,
        bookings.month,
        bookings.channel,
        bookings.region,
        bookings.is_cancelled,
        least(coalesce(bookings.shoot_date, last_fixing.rate_date), last_fixing.rate_date)
            as rate_on,
        settings.reporting_currency
    from crew
    left join bookings on bookings.booking_id = crew.booking_id
    cross join last_fixing
    cross join settings
),

-- every (currency, date) a crew row can need: few currencies × the booking dates, so the
-- lookups run on thousands of rows, not millions
needed as (
    select currencies.currency, settings.reporting_currency, dates.rate_on
    from (select distinct currency from crew) as currencies
    cross join (
        select distinct least(shoot_date, last_fixing.rate_date) as rate_on
        from bookings cross join last_fixing
        union
        select rate_date from last_fixing
    ) as dates
    cross join settings
),

needed_rates as (
    select
        needed.currency,
        needed.rate_on,
        src.per_eur as source_per_eur,
        src.rate_date as fx_date,
        rep.per_eur as reporting_per_eur
    from needed
    left join rates as src
        on src.currency = needed.currency and src.day = needed.rate_on
    left join rates as rep
        on rep.currency = needed.reporting_currency and rep.day = needed.rate_on
),

with_rates as (
    select joined.*, needed_rates.source_per_eur, needed_rates.fx_date,
        needed_rates.reporting_per_eur
    from joined
    left join needed_rates
        on needed_rates.currency = joined.currency and needed_rates.rate_on = joined.rate_on
),

final as (
    select
        booking_id,
        person_id,
        role,
        days,
        day_rate,
        fee_total,
        currency,
        reporting_per_eur / source_per_eur as fx_rate,
        fx_date,
        round(day_rate::double * reporting_per_eur / source_per_eur, 4)::decimal(18, 4)
            as day_rate_rep,
        round(fee_total::double * reporting_per_eur / source_per_eur, 4)::decimal(18, 4)
            as fee_total_rep,
        booking_known,
        brand_id,
        shoot_date,
        month,
        channel,
        region,
        is_cancelled
    from with_rates
)

select * from final

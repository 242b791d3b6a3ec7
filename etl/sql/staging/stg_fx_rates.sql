-- grain: one row per currency × calendar day that has a usable ECB rate
-- materialized: table
-- The one definition of "the ECB rate of a day", used by the loader (licences, usage: see
-- etl/validate.py prepare) and by the marts (crew money, stg_booking_crew): the latest fixing
-- on or before the day, unless it is more than 7 days old; a currency's last fixing holds only
-- until the ECB's next fixing day. So a discontinued currency (HRK after 2022-12-30) or a gap
-- in its fixings (ISK 2008–2018) has no rate there: the row is quarantined at
-- load, or its money is unknown in the marts (data_quality.crew_no_fx_rate). Days run up to
-- the last fixing the project ships; callers take the last one for later dates (CONTRACT §2).
-- EUR is 1 on every ECB fixing day. per_eur: units of the currency per euro.
with fixings as (
    select currency, rate_date, per_eur from ref.fx_rates where currency <> 'EUR'
    union all
    select distinct 'EUR', rate_date, 1.0 from ref.fx_rates where currency <> 'EUR'
),

ecb_days as (
    select rate_date, lead(rate_date) over (order by rate_date) as next_day
    from (select distinct rate_date from fixings)
),

spans as (  -- each fixing holds until the currency's next one, for at most 7 days
    select
        fixings.currency,
        fixings.rate_date,
        fixings.per_eur,
        least(
            coalesce(
                lead(fixings.rate_date) over (partition by fixings.currency
                                              order by fixings.rate_date),
                ecb_days.next_day,
                fixings.rate_date + 1),
            fixings.rate_date + 8) as until
    from fixings
    inner join ecb_days using (rate_date)
),

final as (
    select
        currency,
        cast(unnest(generate_series(rate_date, until - 1, interval 1 day)) as date) as day,
        per_eur,
        rate_date
    from spans
)

select * from final

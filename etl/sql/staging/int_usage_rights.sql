-- grain: one row per year × brand_id × twin_id × the nine licence-and-flag rights' statuses
-- materialized: table
-- Each twin use judged against the nine rights of marts.rights_scorecard (METHODOLOGY.md,
-- "Rights"): 1 met, 0 not met, null unknown. Licence terms are judged on the licence the use
-- names, whether or not it was valid that day; a use naming no licence, an unknown one or one
-- granted for another twin or brand meets none of them. Grouped at once: the mart reads
-- thousands of rows, not one per use.
with usage as not materialized (
    select * from staging.int_usage_cube
),

licenses as (
    select license_id, valid_from, valid_to, channels, regions, exclusive,
        training_allowed
    from staging.stg_licenses
),

numbers as (
    select twin_id, person_no from staging.int_model_numbers
),

judged as (
    select
        year(usage.month) as year,
        usage.brand_id,
        usage.twin_id,
        usage.assets,
        usage.fee_paid_rep,
        -- consent codes (int_usage_cube): 0 licensed, 4 revoked, 5 no licence,
        -- 6 a licence of another twin or brand, 7 a licence never loaded
        usage.license_id is not null and usage.consent_code not in (6, 7) as named,
        usage.license_id is null as unnamed,
        usage.consent_code,
        usage.watermarked,
        usage.disclosed,
        usage.checked_ai_assets,
        usage.checked_not_ai_assets,
        licenses.valid_from,
        licenses.valid_to,
        licenses.channels,
        licenses.regions,
        licenses.exclusive,
        licenses.training_allowed
    from usage
    left join licenses on licenses.license_id = usage.license_id
),

statuses as (
    select
        year,
        brand_id,
        twin_id,
        assets,
        fee_paid_rep,
        (consent_code = 0)::int as licensed,
        case when not named then 0
            when valid_to is not null and valid_to <= valid_from + interval 3 year then 1
            else 0 end as time_limited,
        case when not named then 0
            when not list_contains(channels, '*') and not list_contains(regions, '*') then 1
            else 0 end as purpose_limited,
        case when not named then 0 else (not exclusive)::int end as non_exclusive,
        case when not named then 0 else (not training_allowed)::int end as no_training,
        case when consent_code = 7 then null        -- the licence is not loaded: unknown
            -- named: code 4 is a use on or after the named licence's revoked_on;
            -- unnamed: every candidate licence was revoked by then
            when named or unnamed then (consent_code <> 4)::int
            else 1 end as revocation_honoured,
        watermarked::int as watermarked,
        disclosed::int as disclosed,
        checked_ai_assets,
        checked_not_ai_assets
    from judged
),

grouped as (
    select
        year, brand_id, twin_id, licensed, time_limited, purpose_limited, non_exclusive,
        no_training, revocation_honoured, watermarked, disclosed,
        sum(assets)::bigint as assets,
        sum(fee_paid_rep)::decimal(18, 4) as fee_paid_rep,
        sum(checked_ai_assets)::bigint as checked_ai_assets,
        sum(checked_not_ai_assets)::bigint as checked_not_ai_assets
    from statuses
    group by all
),

-- fair pay: what the brand paid per image of this twin in the year, against the benchmark
rates as (
    select
        grouped.*,
        sum(fee_paid_rep) over (partition by year, brand_id, twin_id)
            / sum(assets) over (partition by year, brand_id, twin_id) as twin_fee_per_asset
    from grouped
),

final as (
    select
        rates.year,
        rates.brand_id,
        rates.twin_id,
        numbers.person_no as person,  -- the model, as a number (int_model_numbers)
        rates.assets,
        rates.fee_paid_rep,
        rates.licensed,
        rates.time_limited,
        rates.purpose_limited,
        rates.non_exclusive,
        rates.no_training,
        rates.revocation_honoured,
        rates.watermarked,
        rates.disclosed,
        -- disclosed_checked (staging.int_usage_rights_long): of these assets, checked in the
        -- image and declaring AI, checked and not declaring it; the rest were not checked
        rates.checked_ai_assets,
        rates.checked_not_ai_assets,
        rates.twin_fee_per_asset::double as twin_fee_per_asset,
        bench.income_per_asset as shoot_income_per_asset,
        (rates.twin_fee_per_asset >= bench.income_per_asset)::int as fair_pay
    from rates
    inner join numbers using (twin_id)
    left join staging.int_twin_shoot_rate as bench using (twin_id)
)

select * from final

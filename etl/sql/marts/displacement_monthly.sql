-- grain: one row per month × brand_id × channel
-- Observed brand-months only (CONTRACT §2): every month a loaded bookings file holding the
-- brand covers, for every channel the brand ever booked or used twins in (observed months
-- without activity hold zeros). Months outside coverage have no row. The steps are staging
-- relations: int_observed_months, int_brand_channel_monthly, int_pre_period,
-- int_control_trend. Definitions: METHODOLOGY.md.
with monthly as not materialized (
    select * from staging.int_brand_channel_monthly
),

pre_period as not materialized (
    select * from staging.int_pre_period
),

trend as not materialized (
    select * from staging.int_control_trend
),

brands as not materialized (
    select * from marts.brands
),

industry_channel as (
    select month, channel, sum(shoot_days) as shoot_days, sum(shoot_assets) as shoot_assets
    from monthly
    group by all
),

pre_brand as (
    select distinct brand_id, adoption_month, pre_months from pre_period
),

pre as (
    select
        monthly.brand_id,
        monthly.channel,
        sum(monthly.shoot_days) as pre_shoot_days,
        sum(monthly.shoot_assets) as pre_shoot_assets
    from monthly
    inner join pre_period using (brand_id, month)
    group by all
),

pre_industry as (
    select pairs.brand_id, pairs.channel,
        sum(industry_channel.shoot_days) as industry_days,
        sum(industry_channel.shoot_assets) as industry_assets
    from (select distinct brand_id, channel from monthly where is_adopter) as pairs
    inner join pre_period on pre_period.brand_id = pairs.brand_id
    inner join industry_channel
        on industry_channel.channel = pairs.channel and industry_channel.month = pre_period.month
    group by all
),

industry_all_time as (
    select channel, sum(shoot_days) as shoot_days, sum(shoot_assets) as shoot_assets
    from industry_channel
    group by all
),

industry_all_channels as (
    select sum(shoot_days) as shoot_days, sum(shoot_assets) as shoot_assets
    from industry_channel
),

parameters as (
    -- one row per adopting brand × channel: the estimators' fixed inputs
    select
        pairs.brand_id,
        pairs.channel,
        coalesce(pre_brand.pre_months, 0) as pre_months,
        case when pre_brand.pre_months > 0
            then coalesce(pre.pre_shoot_days, 0) / pre_brand.pre_months end as pre_level,
        case
            when pre.pre_shoot_days > 0 and pre.pre_shoot_assets > 0
                then pre.pre_shoot_assets / pre.pre_shoot_days
            when pre_industry.industry_days > 0 and pre_industry.industry_assets > 0
                then pre_industry.industry_assets / pre_industry.industry_days
            when industry_all_time.shoot_days > 0 and industry_all_time.shoot_assets > 0
                then industry_all_time.shoot_assets / industry_all_time.shoot_days
            when industry_all_channels.shoot_days > 0 and industry_all_channels.shoot_assets > 0
                then industry_all_channels.shoot_assets / industry_all_channels.shoot_days
        end as assets_per_shoot_day,
        case
            when pre.pre_shoot_days > 0 and pre.pre_shoot_assets > 0 then 'brand_pre_period'
            when pre_industry.industry_days > 0 and pre_industry.industry_assets > 0
                then 'industry_pre_period'
            when industry_all_time.shoot_days > 0 and industry_all_time.shoot_assets > 0
                then 'industry_all_time'
            when industry_all_channels.shoot_days > 0 and industry_all_channels.shoot_assets > 0
                then 'industry_all_channels'
            else 'none'
        end as upper_rate_source
    from (select distinct brand_id, channel from monthly where is_adopter) as pairs
    left join pre_brand using (brand_id)
    left join pre using (brand_id, channel)
    left join pre_industry using (brand_id, channel)
    left join industry_all_time using (channel)
    cross join industry_all_channels
),

estimated as (
    select
        monthly.*,
        monthly.is_adopter and monthly.month >= monthly.adoption_month as post_adoption,
        parameters.pre_months,
        parameters.pre_level,
        parameters.assets_per_shoot_day,
        parameters.upper_rate_source,
        case
            when parameters.pre_months is null then null
            when parameters.pre_months = 0 then 'none'
            when trend.did_method is not null then trend.did_method
            else 'before_after'
        end as did_method,
        coalesce(trend.control_brands, 0) as control_brands,
        case
            when parameters.pre_months = 0 then null
            when trend.did_method is not null then trend.control_trend
            else 1.0
        end as control_trend
    from monthly
    left join parameters
        on parameters.brand_id = monthly.brand_id and parameters.channel = monthly.channel
    left join trend
        on trend.brand_id = monthly.brand_id
        and trend.channel = monthly.channel
        and trend.month = monthly.month
),

final as (
    select
        estimated.month,
        estimated.brand_id,
        estimated.channel,
        brands.home_region as region,
        shoot_days,
        shoot_assets,
        bookings,
        twin_assets,
        twin_uses,
        twin_fee_paid,
        case when twin_assets + shoot_assets > 0
            then round(twin_assets / (twin_assets + shoot_assets), 6) else 0 end as twin_share,
        cancelled_for_twin_days,
        case when post_adoption and assets_per_shoot_day > 0
            then round(twin_assets / assets_per_shoot_day, 6) else 0 end
            as displaced_shoot_days_upper,
        case when post_adoption and did_method <> 'none'
            then round(pre_level * control_trend - shoot_days, 6) else 0 end
            as displaced_shoot_days_did,
        case when post_adoption and did_method <> 'none'
            then round(pre_level * control_trend, 6) end as expected_shoot_days,
        estimated.adoption_month,
        estimated.is_adopter,
        coalesce(post_adoption, false) as post_adoption,
        pre_months,
        round(pre_level, 6) as pre_level,
        round(control_trend, 6) as control_trend,
        did_method,
        control_brands,
        round(assets_per_shoot_day, 6) as assets_per_shoot_day,
        upper_rate_source
    from estimated
    inner join brands on brands.brand_id = estimated.brand_id
)

select * from final

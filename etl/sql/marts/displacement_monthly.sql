-- grain: one row per month × brand_id × channel
-- Dense: every month of the data's span for every brand × channel the brand ever booked or
-- used twins in (months without activity hold zeros), so post-adoption months with no shoots
-- still count their expected shoot days. Definitions: METHODOLOGY.md.
with bookings as not materialized (
    select * from staging.stg_bookings
),

usage as not materialized (
    select * from staging.int_usage_monthly
),

brands as not materialized (
    select * from marts.brands
),

shoots as (
    select
        month, brand_id, channel,
        coalesce(sum(days) filter (where not is_cancelled), 0)::double as shoot_days,
        coalesce(sum(assets) filter (where not is_cancelled), 0)::bigint as shoot_assets,
        count(*) filter (where not is_cancelled) as bookings,
        coalesce(sum(days) filter (where is_replaced_by_twin), 0)::double
            as cancelled_for_twin_days
    from bookings
    group by all
),

twin as (
    select
        month, brand_id, channel,
        sum(assets)::bigint as twin_assets,
        sum(uses)::bigint as twin_uses,
        sum(fee_paid_rep)::decimal(18, 4) as twin_fee_paid
    from usage
    group by all
),

span as (
    select min(month) as first_month, max(month) as last_month
    from (select month from shoots union all select month from twin)
),

months as (
    select unnest(generate_series(first_month, last_month, interval 1 month))::date as month
    from span
),

pairs as (
    select brand_id, channel from shoots
    union
    select brand_id, channel from twin
),

monthly as (
    select
        months.month,
        pairs.brand_id,
        pairs.channel,
        coalesce(shoots.shoot_days, 0) as shoot_days,
        coalesce(shoots.shoot_assets, 0) as shoot_assets,
        coalesce(shoots.bookings, 0) as bookings,
        coalesce(shoots.cancelled_for_twin_days, 0) as cancelled_for_twin_days,
        coalesce(twin.twin_assets, 0) as twin_assets,
        coalesce(twin.twin_uses, 0) as twin_uses,
        coalesce(twin.twin_fee_paid, 0)::decimal(18, 4) as twin_fee_paid,
        brands.home_region as region,
        brands.adoption_month,
        brands.is_adopter
    from months
    cross join pairs
    inner join brands on brands.brand_id = pairs.brand_id
    left join shoots
        on shoots.month = months.month
        and shoots.brand_id = pairs.brand_id
        and shoots.channel = pairs.channel
    left join twin
        on twin.month = months.month
        and twin.brand_id = pairs.brand_id
        and twin.channel = pairs.channel
),

-- Control group: brands that never use twins. Zero where they booked nothing.
control_channel as (
    select month, channel, sum(shoot_days) as control_days
    from monthly
    where not is_adopter
    group by all
),

control_all as (
    select month, sum(shoot_days) as control_days
    from monthly
    where not is_adopter
    group by all
),

industry_channel as (
    select month, channel, sum(shoot_days) as shoot_days, sum(shoot_assets) as shoot_assets
    from monthly
    group by all
),

-- The pre-period: the 12 months before adoption, clipped to the data's first month.
windows as (
    select
        pairs.brand_id,
        pairs.channel,
        brands.adoption_month,
        greatest((brands.adoption_month - interval 12 month)::date, span.first_month)
            as pre_start,
        date_diff('month',
            greatest((brands.adoption_month - interval 12 month)::date, span.first_month),
            brands.adoption_month) as pre_months
    from pairs
    inner join brands on brands.brand_id = pairs.brand_id and brands.is_adopter
    cross join span
),

pre as (
    select
        windows.brand_id,
        windows.channel,
        any_value(windows.adoption_month) as adoption_month,
        any_value(windows.pre_months) as pre_months,
        coalesce(sum(monthly.shoot_days), 0) as pre_shoot_days,
        coalesce(sum(monthly.shoot_assets), 0) as pre_shoot_assets
    from windows
    left join monthly
        on monthly.brand_id = windows.brand_id
        and monthly.channel = windows.channel
        and monthly.month >= windows.pre_start
        and monthly.month < windows.adoption_month
    group by windows.brand_id, windows.channel
),

pre_control as (
    select
        windows.brand_id,
        windows.channel,
        coalesce(sum(control_channel.control_days), 0) as control_channel_days
    from windows
    left join control_channel
        on control_channel.channel = windows.channel
        and control_channel.month >= windows.pre_start
        and control_channel.month < windows.adoption_month
    group by windows.brand_id, windows.channel
),

pre_control_all as (
    select
        windows.brand_id,
        windows.channel,
        coalesce(sum(control_all.control_days), 0) as control_all_days
    from windows
    left join control_all
        on control_all.month >= windows.pre_start
        and control_all.month < windows.adoption_month
    group by windows.brand_id, windows.channel
),

pre_industry as (
    select
        windows.brand_id,
        windows.channel,
        coalesce(sum(industry_channel.shoot_days), 0) as industry_days,
        coalesce(sum(industry_channel.shoot_assets), 0) as industry_assets
    from windows
    left join industry_channel
        on industry_channel.channel = windows.channel
        and industry_channel.month >= windows.pre_start
        and industry_channel.month < windows.adoption_month
    group by windows.brand_id, windows.channel
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
        pre.brand_id,
        pre.channel,
        pre.pre_months,
        case when pre.pre_months > 0 then pre.pre_shoot_days / pre.pre_months end
            as pre_level,
        case
            when pre.pre_months = 0 then 'none'
            when pre_control.control_channel_days > 0 then 'did_channel'
            when pre_control_all.control_all_days > 0 then 'did_all_channels'
            else 'before_after'
        end as did_method,
        case when pre.pre_months > 0 then pre_control.control_channel_days / pre.pre_months end
            as control_channel_pre_mean,
        case when pre.pre_months > 0 then pre_control_all.control_all_days / pre.pre_months end
            as control_all_pre_mean,
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
    from pre
    inner join pre_control using (brand_id, channel)
    inner join pre_control_all using (brand_id, channel)
    inner join pre_industry using (brand_id, channel)
    left join industry_all_time using (channel)
    cross join industry_all_channels
),

estimated as (
    select
        monthly.*,
        monthly.is_adopter and monthly.month >= monthly.adoption_month as post_adoption,
        parameters.pre_months,
        parameters.pre_level,
        parameters.did_method,
        parameters.assets_per_shoot_day,
        parameters.upper_rate_source,
        case parameters.did_method
            when 'did_channel' then coalesce(control_channel.control_days, 0)
                / parameters.control_channel_pre_mean
            when 'did_all_channels' then coalesce(control_all.control_days, 0)
                / parameters.control_all_pre_mean
            when 'before_after' then 1.0
        end as control_trend
    from monthly
    left join parameters
        on parameters.brand_id = monthly.brand_id and parameters.channel = monthly.channel
    left join control_channel
        on control_channel.month = monthly.month and control_channel.channel = monthly.channel
    left join control_all on control_all.month = monthly.month
),

final as (
    select
        month,
        brand_id,
        channel,
        region,
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
        adoption_month,
        is_adopter,
        coalesce(post_adoption, false) as post_adoption,
        pre_months,
        round(pre_level, 6) as pre_level,
        round(control_trend, 6) as control_trend,
        did_method,
        round(assets_per_shoot_day, 6) as assets_per_shoot_day,
        upper_rate_source
    from estimated
)

select * from final

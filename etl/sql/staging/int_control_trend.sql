-- grain: one row per adopting brand_id × channel × observed month
-- materialized: table
-- The control trend each adopting brand is compared with: never-adopting brands observed both
-- in that month and in at least one of the brand's pre-adoption months, each with its mean
-- over those pre months it was observed in. trend = their shoot days that month ÷ the sum of
-- their pre-period means, in the brand's channel (or over all channels when the controls
-- never shot that channel). Definitions: METHODOLOGY.md.
with panel as not materialized (
    select * from staging.int_brand_channel_monthly
),

pre as not materialized (
    select * from staging.int_pre_period
),

controls as (
    select month, brand_id, channel, shoot_days from panel where not is_adopter
),

control_brand_months as (
    select distinct brand_id, month from controls
),

adopter_channels as (
    select distinct brand_id, channel from panel where is_adopter
),

-- each control's mean shoot days per channel (and over all channels) over the adopting
-- brand's pre months in which the control was observed
control_pre as (
    select
        pre.brand_id,
        control_brand_months.brand_id as control_id,
        count(*) as months,
        min(pre.adoption_month) as adoption_month
    from pre
    inner join control_brand_months on control_brand_months.month = pre.month
    group by all
),

control_pre_channel as (
    select
        pre.brand_id,
        controls.brand_id as control_id,
        controls.channel,
        sum(controls.shoot_days) as pre_days
    from pre
    inner join controls on controls.month = pre.month
    group by all
),

post as (
    select distinct panel.brand_id, panel.month
    from panel
    where panel.is_adopter
),

-- controls observed in the post month as well
eligible as (
    select post.brand_id, post.month, control_pre.control_id, control_pre.months
    from post
    inner join control_pre on control_pre.brand_id = post.brand_id
    inner join control_brand_months
        on control_brand_months.brand_id = control_pre.control_id
        and control_brand_months.month = post.month
),

by_channel as (
    select
        eligible.brand_id,
        eligible.month,
        adopter_channels.channel,
        count(*) as control_brands,  -- one row per control: eligible × channel is unique
        coalesce(sum(controls.shoot_days), 0) as control_days,
        coalesce(sum(control_pre_channel.pre_days / eligible.months), 0) as control_pre_mean
    from eligible
    inner join adopter_channels on adopter_channels.brand_id = eligible.brand_id
    left join controls
        on controls.brand_id = eligible.control_id
        and controls.month = eligible.month
        and controls.channel = adopter_channels.channel
    left join control_pre_channel
        on control_pre_channel.brand_id = eligible.brand_id
        and control_pre_channel.control_id = eligible.control_id
        and control_pre_channel.channel = adopter_channels.channel
    group by all
),

-- over all channels: each eligible control's shoot days that month and its pre-period mean
all_channels as (
    select
        eligible.brand_id,
        eligible.month,
        sum(coalesce(control_months.shoot_days, 0)) as control_days,
        sum(coalesce(pre_all.pre_days / eligible.months, 0)) as control_pre_mean
    from eligible
    left join (
        select brand_id, month, sum(shoot_days) as shoot_days from controls group by all
    ) as control_months
        on control_months.brand_id = eligible.control_id
        and control_months.month = eligible.month
    left join (
        select brand_id, control_id, sum(pre_days) as pre_days
        from control_pre_channel group by all
    ) as pre_all
        on pre_all.brand_id = eligible.brand_id and pre_all.control_id = eligible.control_id
    group by all
),

final as (
    select
        by_channel.brand_id,
        by_channel.channel,
        by_channel.month,
        by_channel.control_brands,
        case
            when by_channel.control_pre_mean > 0 then 'did_channel'
            when all_channels.control_pre_mean > 0 then 'did_all_channels'
        end as did_method,
        case
            when by_channel.control_pre_mean > 0
                then by_channel.control_days / by_channel.control_pre_mean
            when all_channels.control_pre_mean > 0
                then all_channels.control_days / all_channels.control_pre_mean
        end as control_trend
    from by_channel
    inner join all_channels using (brand_id, month)
)

select * from final

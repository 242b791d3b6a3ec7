-- grain: one row per month × brand_id × role
-- Dense over the data's months for every brand × role the brand ever engaged or is
-- estimated to displace. Crew on cancelled bookings and crew whose booking is unknown are
-- left out (marts.data_quality counts the latter). Definitions: METHODOLOGY.md.
with displacement as not materialized (
    select * from marts.displacement_monthly
),

-- the crew's own figures (staging.int_crew_monthly, int_crew_channel_monthly,
-- int_crew_role_rates): made from the crew alone, a twin-usage load keeps them; only the
-- brands' pre-period day rates below read the crew rows again
actual as (
    select * from staging.int_crew_monthly
),

crew_channel_month as (
    select * from staging.int_crew_channel_monthly
),

pre_period as not materialized (
    select * from staging.int_pre_period
),

-- the pre-adoption months (staging.int_pre_period) of each adopting brand × channel
windows as (
    select distinct displacement.brand_id, displacement.channel, pre_period.month
    from displacement
    inner join pre_period using (brand_id)
),

industry_crew as (
    select month, channel, role, sum(crew_days) as crew_days
    from crew_channel_month
    group by all
),

industry_shoots as (
    select month, channel, sum(shoot_days) as shoot_days
    from displacement
    group by all
),

brand_pre_shoots as (
    select windows.brand_id, windows.channel, sum(displacement.shoot_days) as shoot_days
    from windows
    inner join displacement
        on displacement.brand_id = windows.brand_id
        and displacement.channel = windows.channel
        and displacement.month = windows.month
    group by all
),

brand_pre_crew as (
    select windows.brand_id, windows.channel, crew_channel_month.role,
        sum(crew_channel_month.crew_days) as crew_days
    from windows
    inner join crew_channel_month
        on crew_channel_month.brand_id = windows.brand_id
        and crew_channel_month.channel = windows.channel
        and crew_channel_month.month = windows.month
    group by all
),

industry_pre_shoots as (
    select windows.brand_id, windows.channel, sum(industry_shoots.shoot_days) as shoot_days
    from windows
    inner join industry_shoots
        on industry_shoots.channel = windows.channel
        and industry_shoots.month = windows.month
    group by all
),

industry_pre_crew as (
    select windows.brand_id, windows.channel, industry_crew.role,
        sum(industry_crew.crew_days) as crew_days
    from windows
    inner join industry_crew
        on industry_crew.channel = windows.channel
        and industry_crew.month = windows.month
    group by all
),

-- crew days per shoot day, by brand × channel × role: the brand's own pre-period mix, or
-- the industry's in that channel over the same months when the brand had no shoots there
crew_mix as (
    select brand_id, channel, role,
        brand_pre_crew.crew_days / brand_pre_shoots.shoot_days as crew_per_shoot_day
    from brand_pre_crew
    inner join brand_pre_shoots using (brand_id, channel)
    where brand_pre_shoots.shoot_days > 0
    union all
    select industry_pre_crew.brand_id, industry_pre_crew.channel, industry_pre_crew.role,
        industry_pre_crew.crew_days / industry_pre_shoots.shoot_days
    from industry_pre_crew
    inner join industry_pre_shoots using (brand_id, channel)
    left join brand_pre_shoots using (brand_id, channel)
    where industry_pre_shoots.shoot_days > 0 and coalesce(brand_pre_shoots.shoot_days, 0) = 0
),

displaced as (
    select displacement.month, displacement.brand_id, crew_mix.role,
        sum(displacement.displaced_shoot_days_did * crew_mix.crew_per_shoot_day)
            as displaced_crew_days
    from displacement
    inner join crew_mix using (brand_id, channel)
    where displacement.post_adoption
    group by all
),

-- the role's median day rate: the brand's own pre-period crew of that role, else the
-- role's median over all crew rows
brand_rates as (
    select crew.brand_id, crew.role, median(crew.day_rate_rep::double) as day_rate
    from staging.stg_booking_crew as crew
    semi join pre_period using (brand_id, month)
    where crew.booking_known and not crew.is_cancelled
    group by all
),

role_rates as (
    select role, day_rate from staging.int_crew_role_rates
),

brand_roles as (
    select brand_id, role from actual
    union
    select brand_id, role from displaced
),

months as (
    select distinct month, brand_id, region from displacement
),

final as (
    select
        months.month,
        months.brand_id,
        brand_roles.role,
        months.region,
        coalesce(actual.crew_days, 0) as crew_days,
        coalesce(actual.crew_income, 0)::decimal(18, 4) as crew_income,
        coalesce(actual.people, 0) as people,
        round(coalesce(displaced.displaced_crew_days, 0), 6) as displaced_crew_days,
        round(coalesce(displaced.displaced_crew_days, 0)
            * coalesce(brand_rates.day_rate, role_rates.day_rate, 0), 4)
            as displaced_crew_income,
        round(coalesce(brand_rates.day_rate, role_rates.day_rate), 4) as median_day_rate,
        case
            when brand_rates.day_rate is not null then 'brand_pre_period'
            when role_rates.day_rate is not null then 'industry_all_time'
        end as day_rate_source
    from months
    inner join brand_roles on brand_roles.brand_id = months.brand_id
    left join actual
        on actual.month = months.month
        and actual.brand_id = months.brand_id
        and actual.role = brand_roles.role
    left join displaced
        on displaced.month = months.month
        and displaced.brand_id = months.brand_id
        and displaced.role = brand_roles.role
    left join brand_rates
        on brand_rates.brand_id = months.brand_id and brand_rates.role = brand_roles.role
    left join role_rates on role_rates.role = brand_roles.role
)

select * from final

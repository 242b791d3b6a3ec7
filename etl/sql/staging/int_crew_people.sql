-- grain: one row per month × brand_id × role × person
-- materialized: table
-- The crew members of the bookings the crew mart counts (known, not cancelled), once per
-- month, brand and role: public mode counts the distinct people behind each crew figure from
-- it (dashboard/queries/base.py, CONTRACT §6). Crew figures follow no channel filter, so there is
-- no channel. person is a number (staging.int_crew_numbers): counting distinct integers is
-- several times faster than text. Sorted by brand and month: a brand-filtered count reads
-- only that brand's blocks; without a brand or region filter the pages read
-- staging.int_crew_people_industry. crew_days and crew_income (exact sums) are each person's
-- part of the crew mart's figures: the public release's crew contributions and the people
-- behind its estimates read them here (etl/sql/release), so a twin-usage load, which leaves
-- this table as it was, never reads the crew rows again.
with crew as not materialized (
    select month, brand_id, role, person_id, days, fee_total_rep
    from staging.stg_booking_crew
    where booking_known and not is_cancelled
),

numbers as (
    select person_id, person_no from staging.int_crew_numbers
),

final as (
    select crew.month, crew.brand_id, crew.role, numbers.person_no as person,
        coalesce(sum(crew.days), 0) as crew_days,
        coalesce(sum(crew.fee_total_rep), 0) as crew_income
    from crew
    inner join numbers using (person_id)
    group by crew.month, crew.brand_id, crew.role, numbers.person_no
    order by crew.brand_id, crew.month
)

select * from final

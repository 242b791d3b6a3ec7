-- grain: one row per person_id of the crew rows
-- materialized: table
-- Each crew member as a number, for the people tables public mode counts from (see
-- staging.int_crew_people). Numbers are only ever counted, never shown.
with people as (
    select distinct person_id from staging.stg_booking_crew
),

final as (
    select person_id, row_number() over (order by person_id)::integer as person_no
    from people
)

select * from final

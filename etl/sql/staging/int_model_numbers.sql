-- grain: one row per twin_id (every twin used or loaded)
-- materialized: table
-- The person behind each twin as a number, for the people tables public mode counts from
-- (staging.int_twin_people…): counting distinct integers is several times faster than
-- counting distinct text at page time. The person is the twin's model; a twin the warehouse
-- does not know counts as a person of its own (CONTRACT §6). Numbers are only ever counted,
-- never shown.
with twins as (
    select twin_id, model_id from staging.stg_twins
),

used as (
    select distinct twin_id from staging.int_usage_cube
),

persons as (
    select
        coalesce(twins.twin_id, used.twin_id) as twin_id,
        coalesce(twins.model_id, 'twin:' || used.twin_id) as person
    from twins
    full join used using (twin_id)
),

final as (
    select twin_id, person, dense_rank() over (order by person)::integer as person_no
    from persons
)

select * from final

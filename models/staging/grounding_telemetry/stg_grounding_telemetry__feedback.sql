{# The feedback events typed and renamed; one row per line read (duplicates are removed in fct_grounding_feedback). #}
-- depends_on: {{ source('grounding_telemetry', 'feedback') }}
with events as (

    {{ dbt_grounding.telemetry_events('feedback') }}

),

final as (

    select
        -- ids
        feedback_id,
        request_id,
        document_hash,

        -- strings
        lower(rating) as rating,
        comment,

        -- numerics
        schema_version,

        -- timestamps (UTC)
        {{ dbt_grounding.parse_telemetry_timestamp('ts') }} as rated_at

    from events
    where event = 'feedback'
      and feedback_id is not null

)

select * from final

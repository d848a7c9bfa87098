{# The request events typed and renamed; one row per line read (duplicates are removed in fct_grounding_requests).
    Lines without a request id (a line the writer had not finished) are dropped. #}
-- depends_on: {{ source('grounding_telemetry', 'requests') }}
with events as (

    {{ dbt_grounding.telemetry_events('requests') }}

),

final as (

    select
        -- ids
        request_id,
        question_hash,
        key_hash,
        document_hash,
        invocation_id,

        -- strings
        role,
        surface,
        tool,
        mart,
        outcome,
        error_type,
        question,
        candidates as candidates_json,

        -- numerics
        schema_version,
        confidence,
        tokens,
        latency_ms,
        latency_artifacts_ms,
        latency_warehouse_ms,
        latency_render_ms,
        freshness_age_s,

        -- timestamps (UTC)
        {{ dbt_grounding.parse_telemetry_timestamp('ts') }} as requested_at

    from events
    where event = 'request'
      and request_id is not null

)

select * from final

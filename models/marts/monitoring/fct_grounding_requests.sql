{#- One row per request: the events deduplicated by request_id (a sink that retried, or a rotated file read with
    its copy, logs a request twice; the earliest event is kept), with the outcome as flags and the estimated cost. -#}
with requests as (

    select * from {{ ref('stg_grounding_telemetry__requests') }}

),

numbered as (

    select
        requests.*,
        count(*) over (partition by request_id) as events_logged,
        row_number() over (
            partition by request_id
            order by requested_at, latency_ms, outcome, document_hash
        ) as event_number
    from requests

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
        candidates_json,

        -- flags
        outcome = 'served' as is_served,
        outcome = 'abstained' as is_abstained,
        outcome in ('refused_stale', 'refused_drift', 'refused_tests') as is_refused,
        outcome = 'denied' as is_denied,
        outcome = 'error' as is_error,

        -- numerics
        cast(confidence as decimal(9, 6)) as confidence,
        cast(tokens as {{ dbt.type_bigint() }}) as tokens,
        cast(latency_ms as decimal(12, 3)) as latency_ms,
        cast(latency_artifacts_ms as decimal(12, 3)) as latency_artifacts_ms,
        cast(latency_warehouse_ms as decimal(12, 3)) as latency_warehouse_ms,
        cast(latency_render_ms as decimal(12, 3)) as latency_render_ms,
        cast(freshness_age_s as decimal(18, 3)) as freshness_age_s,
        cast(coalesce(tokens, 0) * {{ dbt_grounding.get_config('cost_per_1k_tokens') }} / 1000.0 as decimal(18, 8))
            as estimated_cost_usd,
        cast(events_logged as integer) as events_logged,

        -- timestamps and dates (UTC)
        requested_at,
        cast(requested_at as date) as request_date

    from numbered
    where event_number = 1

)

select * from final

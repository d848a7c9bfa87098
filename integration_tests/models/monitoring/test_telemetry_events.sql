-- The package's telemetry reader over telemetry/requests-sample.jsonl (var dbt_grounding_telemetry_path): two
-- events, one with a field the contract does not name, and a last line its writer had not finished (read as NULLs).
-- Compared with data_telemetry_requests_expected by equal_rowsets.
with events as (

    {{ dbt_grounding.telemetry_events('requests') }}

)

select
    request_id,
    {{ dbt_grounding.parse_telemetry_timestamp('ts') }} as requested_at,
    outcome,
    tokens,
    latency_ms,
    replace(candidates, ' ', '') as candidates
from events
where request_id is not null

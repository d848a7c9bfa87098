select
    group_id,
    {{ dbt_grounding.percentile_cont('value', 0.5) }} as p50,
    {{ dbt_grounding.percentile_cont('value', 0.95) }} as p95,
    max(expected_p50) as expected_p50,
    max(expected_p95) as expected_p95
from {{ ref('data_percentile_cont') }}
group by group_id

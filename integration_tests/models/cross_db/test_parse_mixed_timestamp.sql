select
    id,
    case_description,
    input,
    expected,
    {{ dbt_grounding.parse_mixed_timestamp('input') }} as actual
from {{ ref('data_parse_mixed_timestamp') }}

with decoded as (
    select id, case_description, {{ decode_tokens('input') }} as input, expected
    from {{ ref('data_clean_text') }}
)

select
    id,
    case_description,
    input,
    expected,
    {{ dbt_grounding.clean_text('input') }} as actual
from decoded

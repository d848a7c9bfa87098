with decoded as (
    select id, case_description, {{ decode_tokens('input') }} as input, expected
    from {{ ref('data_clean_integer') }}
)

select
    id,
    case_description,
    input,
    expected,
    {{ dbt_grounding.clean_integer('input') }} as actual
from decoded

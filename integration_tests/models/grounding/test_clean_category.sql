with decoded as (
    select id, {{ decode_tokens('input') }} as input, expected
    from {{ ref('data_clean_category') }}
)

select
    id,
    input,
    expected,
    {{ dbt_grounding.clean_category('input') }} as actual
from decoded

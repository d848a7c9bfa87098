with decoded as (
    select id, case_description, {{ decode_tokens('input') }} as input, expected, expected_narrow
    from {{ ref('data_clean_number') }}
)

select
    id,
    case_description,
    input,
    expected,
    expected_narrow,
    {{ dbt_grounding.clean_number('input') }} as actual,
    -- a narrower type: integer_digits leaves one digit of headroom for rounding, so 3 integer digits parse and 4 give NULL
    {{ dbt_grounding.clean_number('input', data_type='decimal(6, 2)', integer_digits=3) }} as actual_narrow
from decoded

select
    id,
    input,
    expected,
    {{ dbt_grounding.instruction_like_text('input') }} as actual
from {{ ref('data_instruction_like_text') }}

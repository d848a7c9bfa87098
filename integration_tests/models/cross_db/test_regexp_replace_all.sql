select
    id,
    input,
    expected_digits_masked,
    expected_spaces_collapsed,
    {{ dbt_grounding.regexp_replace_all('input', '[0-9]', '#') }} as actual_digits_masked,
    {{ dbt_grounding.regexp_replace_all('input', ' +', ' ') }} as actual_spaces_collapsed
from {{ ref('data_regexp_replace_all') }}

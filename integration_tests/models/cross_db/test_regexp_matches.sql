select
    id,
    input,
    expected_contains_digits,
    expected_all_digits,
    expected_starts_with_abc,
    {{ dbt_grounding.regexp_matches('input', '[0-9]+') }} as actual_contains_digits,
    {{ dbt_grounding.regexp_matches('input', '^[0-9]+$') }} as actual_all_digits,
    {{ dbt_grounding.regexp_matches('input', '^abc') }} as actual_starts_with_abc
from {{ ref('data_regexp_matches') }}

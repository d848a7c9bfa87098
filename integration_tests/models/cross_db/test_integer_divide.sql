-- The quotient is the floor, never a fraction: 7 / 2 is 3 on every engine (DuckDB and Spark would say 3.5).
select
    numerator,
    denominator,
    {{ dbt_grounding.integer_divide('numerator', 'denominator') }} as actual,
    expected
from {{ ref('data_integer_divide') }}

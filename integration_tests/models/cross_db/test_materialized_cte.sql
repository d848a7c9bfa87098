-- The pattern the package's base models follow: clean the text in a CTE computed once (materialized_cte), then parse
-- the cleaned column. The keyword changes how often an engine evaluates the cleaning, never the result.
with

cleaned as {{ dbt_grounding.materialized_cte() }} (

    select
        id,
        expected,
        {{ dbt_grounding.clean_text('input') }} as input_text
    from {{ ref('data_parse_mixed_timestamp') }}

)

select
    id,
    expected,
    {{ dbt_grounding.parse_mixed_timestamp('input_text') }} as actual
from cleaned

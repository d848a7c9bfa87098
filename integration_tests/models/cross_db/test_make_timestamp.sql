select
    id,
    expected,
    {{ dbt_grounding.make_timestamp('year_part', 'month_part', 'day_part', 'hour_part', 'minute_part', 'second_part') }}
        as actual
from {{ ref('data_make_timestamp') }}

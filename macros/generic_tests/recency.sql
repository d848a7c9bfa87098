{#- Fails when the newest value of `column_name` is older than `interval` `datepart`s before `as_of` (a SQL
    expression; the package's as-of date by default), or when the model has no value at all. -#}
{% test recency(model, column_name, datepart, interval, as_of=none) %}
{%- set reference = as_of if as_of is not none else dbt_grounding.as_of_date() -%}
with newest as (
    select max({{ column_name }}) as newest_value from {{ model }}
)
select newest_value, {{ reference }} as reference_point
from newest
where newest_value is null
   or cast(newest_value as timestamp) < {{ dbt.dateadd(datepart, -1 * interval, 'cast(' ~ reference ~ ' as timestamp)') }}
{% endtest %}

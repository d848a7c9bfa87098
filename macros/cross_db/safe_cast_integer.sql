{#- An integer from text: 1-18 digits with an optional minus sign; NULL for anything else ('4.0', '+5', '1,000',
    19+ digits), never an error. The cast applies to the result of the CASE, not inside a branch, so it stays
    safe when an engine folds constant input and evaluates branches early. -#}
{% macro safe_cast_integer(expr, data_type='integer') %}
  {{ return(adapter.dispatch('safe_cast_integer', 'dbt_grounding')(expr, data_type)) }}
{% endmacro %}

{% macro default__safe_cast_integer(expr, data_type) -%}
  cast(case when {{ dbt_grounding.regexp_matches(expr, '^-?[0-9]{1,18}$') }} then {{ expr }} end as {{ data_type }})
{%- endmacro %}

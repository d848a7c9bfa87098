{#- The integer quotient of two non-negative integer expressions (floor, which for non-negative operands is also
    truncation). Engines disagree on `/` between integers: PostgreSQL truncates, DuckDB and Spark return a
    fraction. -#}
{% macro integer_divide(numerator, denominator) %}
  {{ return(adapter.dispatch('integer_divide', 'dbt_grounding')(numerator, denominator)) }}
{% endmacro %}

{#- PostgreSQL (and the SQL standard's exact numerics): integer / integer is integer division. -#}
{% macro default__integer_divide(numerator, denominator) -%}
  (({{ numerator }}) / ({{ denominator }}))
{%- endmacro %}

{% macro duckdb__integer_divide(numerator, denominator) -%}
  (({{ numerator }}) // ({{ denominator }}))
{%- endmacro %}

{% macro spark__integer_divide(numerator, denominator) -%}
  (({{ numerator }}) div ({{ denominator }}))
{%- endmacro %}

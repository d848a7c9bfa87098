{#- A timestamp without time zone from integer parts. The caller guarantees the parts form a real date and time
    (see parse_mixed_timestamp), so no engine raises or wraps around. -#}
{% macro make_timestamp(year, month, day, hour, minute, second) %}
  {{ return(adapter.dispatch('make_timestamp', 'dbt_grounding')(year, month, day, hour, minute, second)) }}
{% endmacro %}

{#- make_timestamp(y, m, d, h, mi, s) exists with this signature in DuckDB, PostgreSQL and Spark 3+. -#}
{% macro default__make_timestamp(year, month, day, hour, minute, second) -%}
  make_timestamp({{ year }}, {{ month }}, {{ day }}, {{ hour }}, {{ minute }}, {{ second }})
{%- endmacro %}

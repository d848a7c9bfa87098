{#- Replace every match of `pattern` in `expr` with `replacement`. -#}
{% macro regexp_replace_all(expr, pattern, replacement) %}
  {{ return(adapter.dispatch('regexp_replace_all', 'dbt_grounding')(expr, pattern, replacement)) }}
{% endmacro %}

{#- PostgreSQL and DuckDB replace only the first match unless given the 'g' flag. -#}
{% macro default__regexp_replace_all(expr, pattern, replacement) -%}
  regexp_replace({{ expr }}, '{{ pattern | replace("'", "''") }}', '{{ replacement | replace("'", "''") }}', 'g')
{%- endmacro %}

{#- Spark's regexp_replace is global already and takes no flags; its string literals treat a backslash as an
    escape, so double it. Java writes a group in the replacement as $1, not \1. -#}
{% macro spark__regexp_replace_all(expr, pattern, replacement) -%}
  {%- set java_replacement = modules.re.sub('[\\\\]([0-9])', '$\\1', replacement) -%}
  regexp_replace({{ expr }}, '{{ pattern | replace('\\', '\\\\') | replace("'", "\\'") }}', '{{ java_replacement | replace("'", "\\'") }}')
{%- endmacro %}

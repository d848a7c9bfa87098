{#- True when `expr` contains a match of the regular expression `pattern` (anchor it with ^...$ for a full match).
    Patterns are POSIX-compatible (no lookaround, no \d): they run on RE2, PostgreSQL and Java regex alike. -#}
{% macro regexp_matches(expr, pattern) %}
  {{ return(adapter.dispatch('regexp_matches', 'dbt_grounding')(expr, pattern)) }}
{% endmacro %}

{% macro default__regexp_matches(expr, pattern) -%}
  ({{ expr }} ~ '{{ pattern | replace("'", "''") }}')
{%- endmacro %}

{% macro duckdb__regexp_matches(expr, pattern) -%}
  regexp_matches({{ expr }}, '{{ pattern | replace("'", "''") }}')
{%- endmacro %}

{#- Spark string literals treat a backslash as an escape: double it so the pattern arrives intact. -#}
{% macro spark__regexp_matches(expr, pattern) -%}
  ({{ expr }} rlike '{{ pattern | replace('\\', '\\\\') | replace("'", "\\'") }}')
{%- endmacro %}

{#- The telemetry's `2026-12-01T01:02:03.456Z` (ISO-8601 UTC, milliseconds, Z) as a timestamp without time zone,
    in UTC. The same text every engine casts. -#}
{% macro parse_telemetry_timestamp(expr) %}
  cast(replace(replace({{ expr }}, 'T', ' '), 'Z', '') as {{ dbt.type_timestamp() }})
{% endmacro %}

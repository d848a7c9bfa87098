{#- The date every business rule is evaluated at. Pinned by `dbt_grounding_as_of_date` (YYYY-MM-DD) so tests and
    backfills are reproducible; the current date when the var is empty. -#}
{% macro as_of_date() %}
  {%- set value = (dbt_grounding.get_config('as_of_date') or '') | string | trim -%}
  {%- if value == '' or value == 'None' -%}
    {{ return('current_date') }}
  {%- endif -%}
  {%- if not modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', value) -%}
    {{ exceptions.raise_compiler_error(
        "dbt_grounding_as_of_date must be a date as YYYY-MM-DD (or empty for today), got '" ~ value ~ "'") }}
  {%- endif -%}
  {{ return("cast('" ~ value ~ "' as date)") }}
{% endmacro %}

{#- All package defaults live here and are read through one accessor, so a var name is spelled in one place.
    Users override any of them with the namespaced var `dbt_grounding_<name>` (dbt_project.yml or --vars). -#}

{% macro _config_defaults() %}
  {{ return({
      'as_of_date': '',
      'churn_risk_threshold': 0.8,
      'inactivity_days': 30,
      'support_lookback_days': 90,
      'support_summary_max_tickets': 3,
  }) }}
{% endmacro %}

{% macro get_config(name) %}
  {%- set defaults = dbt_grounding._config_defaults() -%}
  {%- if name not in defaults -%}
    {{ exceptions.raise_compiler_error(
        "dbt_grounding.get_config: unknown setting '" ~ name ~ "'. Known settings: "
        ~ (defaults.keys() | sort | join(', '))) }}
  {%- endif -%}
  {{ return(var('dbt_grounding_' ~ name, defaults[name])) }}
{% endmacro %}

{#- All package defaults live here and are read through one accessor, so a var name is spelled in one place.
    Users override any of them with the namespaced var `dbt_grounding_<name>` (dbt_project.yml or --vars). -#}

{#- Monitoring settings (models/marts/monitoring):
    telemetry_path: '' = <target-path>/dbt_grounding/telemetry, where the toolkit's file sink writes; a relative
      path is taken from the project directory.
    telemetry_from: files = JSON lines through read_json (DuckDB only); table = the source tables of the profile;
      auto = files on DuckDB, table elsewhere.
    sla_*: the limits the SLA tests on fct_grounding_daily hold. A day is judged only with sla_min_requests requests
      (sla_min_feedback ratings for the thumbs-down rate): one error in three requests is not a 1% error rate
      breached. Only the last sla_lookback_days days are judged, so an old breach does not fail every later build.
      sla_severity: warn or error, what a breached SLA makes of `dbt build`.
    cost_per_1k_tokens: estimated cost of a served token to the model reading it (USD per 1,000 input tokens; set
      your model's price). -#}
{% macro _config_defaults() %}
  {{ return({
      'as_of_date': '',
      'churn_risk_threshold': 0.8,
      'inactivity_days': 30,
      'support_lookback_days': 90,
      'support_summary_max_tickets': 3,
      'telemetry_path': '',
      'telemetry_from': 'auto',
      'sla_latency_p95_ms': 500,
      'sla_error_rate': 0.01,
      'sla_refusal_rate': 0.05,
      'sla_thumbs_down_rate': 0.2,
      'sla_min_requests': 20,
      'sla_min_feedback': 10,
      'sla_lookback_days': 7,
      'sla_severity': 'error',
      'cost_per_1k_tokens': 0.003,
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

{#- The customer health rule, in one place:
      'High Risk' when the churn risk score is above the threshold (default 0.8, exclusive);
      else 'Inactive' when there is no login, or the last login is more than `inactivity_days` (default 30) days
      before the as-of date;
      else 'Healthy'.
    A NULL score is not high risk: the model has no opinion, and login activity decides. -#}
{% macro health_status(churn_risk_score, last_login_date, as_of_date, churn_risk_threshold=none, inactivity_days=none) %}
  {{ return(adapter.dispatch('health_status', 'dbt_grounding')(
      churn_risk_score, last_login_date, as_of_date,
      churn_risk_threshold if churn_risk_threshold is not none else dbt_grounding.get_config('churn_risk_threshold'),
      inactivity_days if inactivity_days is not none else dbt_grounding.get_config('inactivity_days'))) }}
{% endmacro %}

{% macro default__health_status(churn_risk_score, last_login_date, as_of_date, churn_risk_threshold, inactivity_days) -%}
  case
    when {{ churn_risk_score }} > {{ churn_risk_threshold }} then 'High Risk'
    when {{ last_login_date }} is null
      or {{ dbt.datediff(last_login_date, as_of_date, 'day') }} > {{ inactivity_days }} then 'Inactive'
    else 'Healthy'
  end
{%- endmacro %}

-- Three ways to set the thresholds:
--   actual_status           no arguments: the package default churn_risk_threshold (0.8) and this project's
--                           var override dbt_grounding_inactivity_days = 14 (dbt_project.yml)
--   actual_status_explicit  explicit arguments win over vars and defaults: 0.5 and 7 days
--   actual_status_zero      explicit zeros are used, not mistaken for "not given"
{%- set as_of = dbt_grounding.as_of_date() %}

select
    id,
    case_description,
    churn_risk_score,
    last_login_date,
    expected_status,
    expected_status_explicit,
    expected_status_zero,
    {{ dbt_grounding.health_status('churn_risk_score', 'last_login_date', as_of) }} as actual_status,
    {{ dbt_grounding.health_status('churn_risk_score', 'last_login_date', as_of,
                                   churn_risk_threshold=0.5, inactivity_days=7) }} as actual_status_explicit,
    {{ dbt_grounding.health_status('churn_risk_score', 'last_login_date', as_of,
                                   churn_risk_threshold=0, inactivity_days=0) }} as actual_status_zero
from {{ ref('data_health_status') }}

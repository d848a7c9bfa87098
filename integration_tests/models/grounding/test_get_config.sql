-- The package settings as this project sees them: as_of_date and inactivity_days are overridden in
-- dbt_project.yml, the other settings keep the package defaults.
select
    {{ dbt_grounding.as_of_date() }} as as_of_date,
    cast({{ dbt_grounding.get_config('churn_risk_threshold') }} as double) as churn_risk_threshold,
    cast({{ dbt_grounding.get_config('inactivity_days') }} as integer) as inactivity_days,
    cast({{ dbt_grounding.get_config('support_lookback_days') }} as integer) as support_lookback_days,
    cast({{ dbt_grounding.get_config('support_summary_max_tickets') }} as integer) as support_summary_max_tickets

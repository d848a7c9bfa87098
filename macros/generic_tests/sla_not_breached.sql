{#- The monitoring SLA as a test: fails (or warns: setting sla_severity) with every recent day whose `column_name`
    is above the limit held by the package setting `setting` (e.g. sla_latency_p95_ms). Only the last
    sla_lookback_days days of the model are judged (counted back from its latest day, so an old breach does not fail
    every later build), and only days with at least `min_volume_setting` of `volume_column` (few requests make
    noisy rates). Each failing row says the day, the value observed and the limit. -#}
{% test sla_not_breached(model, column_name, setting, date_column='request_date', volume_column='requests',
                         min_volume_setting='sla_min_requests') %}
{{ config(severity=dbt_grounding.get_config('sla_severity')) }}
{%- set limit = dbt_grounding.get_config(setting) -%}
{%- set lookback_days = dbt_grounding.get_config('sla_lookback_days') | int -%}
with latest as (

    select max({{ date_column }}) as latest_day
    from {{ model }}

),

judged as (

    select {{ date_column }} as judged_day, {{ column_name }} as observed, {{ volume_column }} as volume
    from {{ model }}
    cross join latest
    where {{ volume_column }} >= {{ dbt_grounding.get_config(min_volume_setting) }}
      and {{ date_column }} > cast({{ dbt.dateadd('day', -lookback_days, 'latest.latest_day') }} as date)

)

select judged_day, observed, volume, {{ limit }} as sla_limit
from judged
where observed > {{ limit }}
{% endtest %}

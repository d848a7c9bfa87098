{#- One row per UTC day with requests or feedback: volume, latency percentiles, how requests ended (rates over all
    requests of the day), tokens and estimated cost, and the thumbs-down rate of the feedback given that day. The SLA
    tests (_monitoring__models.yml) judge these columns. -#}
{%- set latency_double = 'cast(latency_ms as ' ~ dbt_grounding._telemetry_sql_type('float') ~ ')' %}
with requests as (

    select * from {{ ref('fct_grounding_requests') }}

),

feedback as (

    select * from {{ ref('fct_grounding_feedback') }}

),

requests_daily as (

    select
        request_date as day,
        count(*) as requests,
        sum(case when is_served then 1 else 0 end) as served,
        sum(case when is_abstained then 1 else 0 end) as abstained,
        sum(case when outcome = 'refused_stale' then 1 else 0 end) as refused_stale,
        sum(case when outcome = 'refused_drift' then 1 else 0 end) as refused_drift,
        sum(case when outcome = 'refused_tests' then 1 else 0 end) as refused_tests,
        sum(case when is_denied then 1 else 0 end) as denied,
        sum(case when is_error then 1 else 0 end) as errors,
        -- interpolated in double precision, then rounded to the column's 3 decimals (DuckDB's percentile of a
        -- decimal truncates: 807.999 for 808)
        {{ dbt_grounding.percentile_cont(latency_double, 0.5) }} as latency_p50_ms,
        {{ dbt_grounding.percentile_cont(latency_double, 0.95) }} as latency_p95_ms,
        max(latency_ms) as latency_max_ms,
        sum(coalesce(tokens, 0)) as tokens_served,
        sum(estimated_cost_usd) as estimated_cost_usd
    from requests
    group by request_date

),

feedback_daily as (

    select
        feedback_date as day,
        count(*) as feedback,
        sum(case when is_thumbs_down then 1 else 0 end) as thumbs_down
    from feedback
    group by feedback_date

),

days as (

    select day from requests_daily
    union
    select day from feedback_daily

),

final as (

    select
        -- dates
        days.day as request_date,

        -- counts
        cast(coalesce(requests_daily.requests, 0) as integer) as requests,
        cast(coalesce(requests_daily.served, 0) as integer) as served,
        cast(coalesce(requests_daily.abstained, 0) as integer) as abstained,
        cast(coalesce(requests_daily.refused_stale, 0) as integer) as refused_stale,
        cast(coalesce(requests_daily.refused_drift, 0) as integer) as refused_drift,
        cast(coalesce(requests_daily.refused_tests, 0) as integer) as refused_tests,
        cast(coalesce(requests_daily.denied, 0) as integer) as denied,
        cast(coalesce(requests_daily.errors, 0) as integer) as errors,
        cast(coalesce(feedback_daily.feedback, 0) as integer) as feedback,
        cast(coalesce(feedback_daily.thumbs_down, 0) as integer) as thumbs_down,

        -- latency (ms)
        cast(requests_daily.latency_p50_ms as decimal(12, 3)) as latency_p50_ms,
        cast(requests_daily.latency_p95_ms as decimal(12, 3)) as latency_p95_ms,
        cast(requests_daily.latency_max_ms as decimal(12, 3)) as latency_max_ms,

        -- rates over the day's requests (NULL on a day without requests)
        {%- for numerator, name in [
              ('abstained', 'abstention_rate'),
              ('refused_stale + requests_daily.refused_drift + requests_daily.refused_tests', 'refusal_rate'),
              ('refused_stale', 'refused_stale_rate'),
              ('refused_drift', 'refused_drift_rate'),
              ('refused_tests', 'refused_tests_rate'),
              ('denied', 'denied_rate'),
              ('errors', 'error_rate'),
          ] %}
        cast(1.0 * (requests_daily.{{ numerator }}) / nullif(requests_daily.requests, 0) as decimal(9, 6)) as {{ name }},
        {%- endfor %}

        -- tokens and cost (cost_per_1k_tokens, USD)
        cast(coalesce(requests_daily.tokens_served, 0) as {{ dbt.type_bigint() }}) as tokens_served,
        cast(1.0 * requests_daily.tokens_served / nullif(requests_daily.requests, 0) as decimal(12, 3))
            as tokens_per_request,
        cast(coalesce(requests_daily.estimated_cost_usd, 0) as decimal(18, 8)) as estimated_cost_usd,
        cast(requests_daily.estimated_cost_usd / nullif(requests_daily.requests, 0) as decimal(18, 8))
            as estimated_cost_per_request_usd,

        -- feedback
        cast(1.0 * feedback_daily.thumbs_down / nullif(feedback_daily.feedback, 0) as decimal(9, 6))
            as thumbs_down_rate

    from days
    left join requests_daily
        on requests_daily.day = days.day
    left join feedback_daily
        on feedback_daily.day = days.day

)

select * from final

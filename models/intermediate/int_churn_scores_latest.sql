-- One row per customer: the latest churn-risk score the ML model wrote on or before the as-of date.
-- Scores written after the as-of date are ignored, so a pinned as-of reproduces what an agent saw then.
{%- set as_of = dbt_grounding.as_of_date() %}

with

scores as (

    select * from {{ ref('stg_ml__churn_scores') }}
    where cast(scored_at as date) <= {{ as_of }}

),

ranked as (

    select
        *,
        row_number() over (partition by customer_id order by scored_at desc) as recency_rank
    from scores

),

final as (

    select
        customer_id,
        churn_risk_score,
        scored_at as churn_risk_scored_at,
        model_version as churn_model_version
    from ranked
    where recency_rank = 1

)

select * from final

-- Accepted rows of base_ml__churn_scores: typed, cleaned, deduplicated. Rejected rows are in quarantine__rejected_records.
with

base as (

    select * from {{ ref('base_ml__churn_scores') }}

),

final as (

    select
        loader_record_id,
        customer_id,
        churn_risk_score,
        model_version,
        scored_at,
        loaded_at
    from base
    where rejection_reason is null

)

select * from final

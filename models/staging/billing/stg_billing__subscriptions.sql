-- Accepted rows of base_billing__subscriptions: typed, cleaned, deduplicated. Rejected rows are in quarantine__rejected_records.
with

base as (

    select * from {{ ref('base_billing__subscriptions') }}

),

final as (

    select
        loader_record_id,
        subscription_id,
        customer_id,
        plan_code,
        billing_period,
        status,
        period_amount,
        term_months,
        start_date,
        loaded_at
    from base
    where rejection_reason is null

)

select * from final

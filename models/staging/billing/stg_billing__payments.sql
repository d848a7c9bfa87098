-- Accepted rows of base_billing__payments: typed, cleaned, deduplicated. Rejected rows are in quarantine__rejected_records.
with

base as (

    select * from {{ ref('base_billing__payments') }}

),

final as (

    select
        loader_record_id,
        payment_id,
        order_id,
        payment_method,
        status,
        amount,
        paid_at,
        loaded_at
    from base
    where rejection_reason is null

)

select * from final

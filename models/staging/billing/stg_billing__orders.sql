-- Accepted rows of base_billing__orders: typed, cleaned, deduplicated. Rejected rows are in quarantine__rejected_records.
with

base as (

    select * from {{ ref('base_billing__orders') }}

),

final as (

    select
        loader_record_id,
        order_id,
        customer_id,
        currency,
        status,
        order_total,
        ordered_at,
        loaded_at
    from base
    where rejection_reason is null

)

select * from final

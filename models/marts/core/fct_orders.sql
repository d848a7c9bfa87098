-- One row per accepted order with its payments, and the one standard definition of a successful sale
-- (int_order_payments_aggregated, where the rule lives).
with

orders as (

    select * from {{ ref('int_order_payments_aggregated') }}

)

select
    ----------  ids
    order_id,
    customer_id,

    ----------  strings
    order_status,
    currency,

    ----------  numerics
    order_total,
    amount_paid,
    payment_count,

    ----------  booleans
    is_successful_sale,

    ----------  timestamps
    ordered_at

from orders

-- One row per accepted order with its payments aggregated, and the one standard definition of a successful sale:
-- a completed order, paid in full by successful payments, and never refunded. The mart fct_orders publishes it;
-- int_customer_revenue_aggregated counts sales by it (an intermediate model never reads a mart).
with

orders as (

    select * from {{ ref('stg_billing__orders') }}

),

payments as (

    select * from {{ ref('stg_billing__payments') }}

),

order_payments as (

    select
        order_id,
        sum(case when status = 'success' then amount else 0 end) as amount_paid,
        sum(case when status = 'refunded' then 1 else 0 end) as refunded_payment_count,
        count(*) as payment_count
    from payments
    group by order_id

),

final as (

    select
        ----------  ids
        orders.order_id,
        orders.customer_id,

        ----------  strings
        orders.status as order_status,
        orders.currency,

        ----------  numerics
        orders.order_total,
        -- typed: a sum of decimals is an unscaled numeric on PostgreSQL, so 0 and 0.00 would both appear
        cast(coalesce(order_payments.amount_paid, 0) as decimal(18, 2)) as amount_paid,
        coalesce(order_payments.payment_count, 0) as payment_count,

        ----------  booleans
        orders.status = 'completed'
            and coalesce(order_payments.amount_paid, 0) >= orders.order_total
            and coalesce(order_payments.refunded_payment_count, 0) = 0 as is_successful_sale,

        ----------  timestamps
        orders.ordered_at

    from orders
    left join order_payments on orders.order_id = order_payments.order_id

)

select * from final

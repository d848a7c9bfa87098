-- One row per customer with a subscription or an order: contract value, ARR and sales as of the as-of date.
{%- set as_of = dbt_grounding.as_of_date() %}

with

subscriptions as (

    select * from {{ ref('int_subscriptions_annualized') }}

),

plan_tiers as (

    select * from {{ ref('plan_tiers') }}

),

orders as (

    select * from {{ ref('int_order_payments_aggregated') }}

),

subscription_totals as (

    select
        subscriptions.customer_id,
        sum(case when counts_toward_contract_value then contract_value else 0 end) as total_contract_value,
        sum(case when is_recurring_at_as_of then annualized_amount else 0 end) as annual_recurring_revenue,
        sum(case when is_recurring_at_as_of then 1 else 0 end) as active_subscription_count,
        max(case when is_recurring_at_as_of then plan_tiers.tier_rank end) as highest_active_tier_rank
    from subscriptions
    left join plan_tiers on subscriptions.plan_code = plan_tiers.plan_code
    group by subscriptions.customer_id

),

highest_plans as (

    select
        subscription_totals.customer_id,
        plan_tiers.plan_name as highest_active_plan_name
    from subscription_totals
    inner join plan_tiers on subscription_totals.highest_active_tier_rank = plan_tiers.tier_rank

),

sales_totals as (

    select
        customer_id,
        count(*) as successful_sales_count,
        sum(order_total) as successful_sales_revenue,
        max(cast(ordered_at as date)) as last_successful_sale_date
    from orders
    where is_successful_sale
      and cast(ordered_at as date) <= {{ as_of }}
    group by customer_id

),

customer_ids as (

    select customer_id from subscription_totals
    union
    select customer_id from sales_totals

),

final as (

    select
        customer_ids.customer_id,
        -- sums typed as their inputs are, so the decimal is the same on every engine
        cast(coalesce(subscription_totals.total_contract_value, 0) as decimal(18, 6)) as total_contract_value,
        cast(coalesce(subscription_totals.annual_recurring_revenue, 0) as decimal(18, 2)) as annual_recurring_revenue,
        coalesce(subscription_totals.active_subscription_count, 0) as active_subscription_count,
        highest_plans.highest_active_plan_name,
        coalesce(sales_totals.successful_sales_count, 0) as successful_sales_count,
        cast(coalesce(sales_totals.successful_sales_revenue, 0) as decimal(18, 2)) as successful_sales_revenue,
        sales_totals.last_successful_sale_date
    from customer_ids
    left join subscription_totals on customer_ids.customer_id = subscription_totals.customer_id
    left join highest_plans on customer_ids.customer_id = highest_plans.customer_id
    left join sales_totals on customer_ids.customer_id = sales_totals.customer_id

)

select * from final

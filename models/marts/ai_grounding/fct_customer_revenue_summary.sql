-- One row per accepted customer (any status): ARR, MRR and contract value by the rules in
-- int_subscriptions_annualized, and sales by fct_orders' definition of a successful sale, as of the as-of date.
{%- set as_of = dbt_grounding.as_of_date() %}

with

customers as (

    select * from {{ ref('dim_customers') }}

),

revenue as (

    select * from {{ ref('int_customer_revenue_aggregated') }}

),

final as (

    select
        ----------  ids
        cast(customers.customer_id as bigint) as customer_id,

        ----------  strings
        cast(customers.customer_name as {{ dbt.type_string() }}) as customer_name,
        cast(customers.customer_status as {{ dbt.type_string() }}) as customer_status,
        cast(customers.segment as {{ dbt.type_string() }}) as segment,
        cast(revenue.highest_active_plan_name as {{ dbt.type_string() }}) as highest_active_plan_name,

        ----------  numerics
        cast(coalesce(revenue.annual_recurring_revenue, 0) as decimal(18, 2)) as annual_recurring_revenue,
        cast(coalesce(revenue.annual_recurring_revenue, 0) / 12 as decimal(18, 2)) as monthly_recurring_revenue,
        cast(coalesce(revenue.total_contract_value, 0) as decimal(18, 2)) as total_contract_value,
        cast(coalesce(revenue.active_subscription_count, 0) as integer) as active_subscription_count,
        cast(coalesce(revenue.successful_sales_count, 0) as integer) as successful_sales_count,
        cast(coalesce(revenue.successful_sales_revenue, 0) as decimal(18, 2)) as successful_sales_revenue,

        ----------  dates
        cast(revenue.last_successful_sale_date as date) as last_successful_sale_date,
        cast({{ as_of }} as date) as as_of_date

    from customers
    left join revenue on customers.customer_id = revenue.customer_id

)

select * from final
order by customer_id

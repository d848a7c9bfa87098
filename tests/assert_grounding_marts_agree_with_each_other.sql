-- The grounding marts describe the same customers with the same figures: an agent that reads two of them must
-- never get two answers. Returns every customer on which they disagree.
with

health as (

    select * from {{ ref('fct_customer_health_summary') }}

),

revenue as (

    select * from {{ ref('fct_customer_revenue_summary') }}

),

support as (

    select * from {{ ref('fct_customer_support_digest') }}

),

active_customers as (

    select * from revenue where customer_status = 'active'

),

compared as (

    select
        active_customers.customer_id,
        case
            when health.customer_id is null then 'active customer missing from fct_customer_health_summary'
            when support.customer_id is null then 'active customer missing from fct_customer_support_digest'
            when health.total_contract_value <> active_customers.total_contract_value then 'total_contract_value differs'
            when health.annual_recurring_revenue <> active_customers.annual_recurring_revenue then 'annual_recurring_revenue differs'
            when health.open_ticket_count <> support.open_ticket_count then 'open_ticket_count differs'
            when health.recent_support_tickets_summary <> support.recent_support_tickets_summary
                then 'recent_support_tickets_summary differs'
        end as disagreement
    from active_customers
    left join health on active_customers.customer_id = health.customer_id
    left join support on active_customers.customer_id = support.customer_id

),

-- NOT EXISTS, not NOT IN: PostgreSQL runs NOT IN (subquery) as a hashed subplan only while the subquery fits in
-- work_mem, and otherwise rescans it for every row (at 1M customers this test was still running after 18 minutes).
not_active as (

    select customer_id, 'fct_customer_health_summary holds a customer that is not active' as disagreement
    from health
    where not exists (
        select 1 from active_customers where active_customers.customer_id = health.customer_id
    )

    union all

    select customer_id, 'fct_customer_support_digest holds a customer that is not active' as disagreement
    from support
    where not exists (
        select 1 from active_customers where active_customers.customer_id = support.customer_id
    )

)

select * from compared where disagreement is not null
union all
select * from not_active

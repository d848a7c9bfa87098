-- One row per active customer: their support situation as of the as-of date. Ticket text is PII-scrubbed, and
-- tickets whose text addresses an AI model are counted so the serving layer treats them as data, not orders.
{%- set as_of = dbt_grounding.as_of_date() %}

with

customers as (

    select * from {{ ref('dim_customers') }}
    where is_active

),

support as (

    select * from {{ ref('int_customer_support_aggregated') }}

),

final as (

    select
        ----------  ids
        cast(customers.customer_id as bigint) as customer_id,

        ----------  strings
        cast(customers.customer_name as {{ dbt.type_string() }}) as customer_name,
        cast(support.recent_support_tickets_summary as {{ dbt.type_string() }}) as recent_support_tickets_summary,

        ----------  numerics
        cast(support.tickets_in_lookback as integer) as tickets_in_lookback,
        cast(support.open_ticket_count as integer) as open_ticket_count,
        cast(support.urgent_open_ticket_count as integer) as urgent_open_ticket_count,
        cast(support.instruction_like_ticket_count as integer) as instruction_like_ticket_count,
        cast(support.avg_resolution_hours_in_lookback as decimal(10, 1)) as avg_resolution_hours_in_lookback,

        ----------  dates
        cast(support.last_ticket_opened_date as date) as last_ticket_opened_date,
        cast({{ as_of }} as date) as as_of_date

    from customers
    inner join support on customers.customer_id = support.customer_id

)

select * from final
order by customer_id

-- One row per accepted customer: ticket counts and the recent-ticket summary line as of the as-of date. Customers
-- without tickets get zero counts and an explicit 'no tickets' summary, never a NULL an agent could guess about.
{%- set lookback_days = dbt_grounding.get_config('support_lookback_days') %}
{%- set max_tickets = dbt_grounding.get_config('support_summary_max_tickets') %}
{%- set resolved_in_lookback -%}
    days_before_as_of < {{ lookback_days }} and closed_at is not null and closed_at >= opened_at
{%- endset %}

with

customers as (

    select customer_id from {{ ref('stg_crm__customers') }}

),

tickets as (

    select * from {{ ref('int_support_tickets_ranked') }}

),

summaries as (

    -- the lookback cuts on the same order as recency_rank, so the newest tickets in it are the top ranks
    select
        customer_id,
        {{ dbt_grounding.string_agg('summary_line', "' | '", 'recency_rank') }} as recent_support_tickets_summary
    from tickets
    where days_before_as_of < {{ lookback_days }}
      and recency_rank <= {{ max_tickets }}
    group by customer_id

),

counts as (

    select
        customer_id,
        sum(case when days_before_as_of < {{ lookback_days }} then 1 else 0 end) as tickets_in_lookback,
        sum(case when status in ('open', 'pending') then 1 else 0 end) as open_ticket_count,
        sum(case when status in ('open', 'pending') and priority = 'urgent' then 1 else 0 end) as urgent_open_ticket_count,
        sum(case when has_instruction_like_text then 1 else 0 end) as instruction_like_ticket_count,
        max(opened_date) as last_ticket_opened_date,
        -- elapsed seconds: engines count minutes differently (DuckDB minute boundaries crossed, PostgreSQL whole
        -- minutes elapsed, Spark rounded up), but agree on seconds between whole-second timestamps. bigint:
        -- datediff is a double on PostgreSQL, and the rounding below needs integer division
        cast(
            sum(case when {{ resolved_in_lookback }} then {{ dbt.datediff('opened_at', 'closed_at', 'second') }} end)
            as bigint
        ) as resolution_seconds_in_lookback,
        sum(case when {{ resolved_in_lookback }} then 1 else 0 end) as resolved_tickets_in_lookback
    from tickets
    group by customer_id

),

final as (

    select
        customers.customer_id,
        coalesce(counts.tickets_in_lookback, 0) as tickets_in_lookback,
        coalesce(counts.open_ticket_count, 0) as open_ticket_count,
        coalesce(counts.urgent_open_ticket_count, 0) as urgent_open_ticket_count,
        coalesce(counts.instruction_like_ticket_count, 0) as instruction_like_ticket_count,
        counts.last_ticket_opened_date,
        -- the mean resolution time in hours, rounded half up to 0.1 h in integer arithmetic (tenths of an hour =
        -- floor((20 * seconds + 3600 * n) / (7200 * n))): with a fractional division, DuckDB's double would round
        -- a tie such as 147.05 h down and PostgreSQL's exact numeric up
        case when counts.resolved_tickets_in_lookback > 0 then
            cast(
                {{ dbt_grounding.integer_divide(
                    '20 * counts.resolution_seconds_in_lookback + 3600 * counts.resolved_tickets_in_lookback',
                    '7200 * counts.resolved_tickets_in_lookback') }} / 10.0
                as decimal(10, 1)
            )
        end as avg_resolution_hours_in_lookback,
        coalesce(
            summaries.recent_support_tickets_summary,
            'No support tickets in the last ' || cast({{ lookback_days }} as {{ dbt.type_string() }}) || ' days.'
        ) as recent_support_tickets_summary
    from customers
    left join counts on customers.customer_id = counts.customer_id
    left join summaries on customers.customer_id = summaries.customer_id

)

select * from final

-- Accepted support tickets opened on or before the as-of date, newest first per customer, with the one-line,
-- PII-scrubbed rendering used in summaries and a flag for text that addresses an AI model.
{%- set as_of = dbt_grounding.as_of_date() %}

with

tickets as (

    select * from {{ ref('stg_support__tickets') }}
    where cast(opened_at as date) <= {{ as_of }}

),

final as (

    select
        ticket_id,
        customer_id,
        priority,
        status,
        opened_at,
        closed_at,
        cast(opened_at as date) as opened_date,
        {{ dbt.datediff('cast(opened_at as date)', as_of, 'day') }} as days_before_as_of,
        row_number() over (partition by customer_id order by opened_at desc, ticket_id) as recency_rank,
        cast(cast(opened_at as date) as {{ dbt.type_string() }})
            || ' [' || priority || '/' || status || '] '
            || {{ dbt_grounding.mask_pii('subject', 'free_text') }} as summary_line,
        {{ dbt_grounding.instruction_like_text('subject') }}
            or coalesce({{ dbt_grounding.instruction_like_text('body') }}, false) as has_instruction_like_text
    from tickets

)

select * from final

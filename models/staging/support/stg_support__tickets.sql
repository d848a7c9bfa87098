-- Accepted rows of base_support__tickets: typed, cleaned, deduplicated. Rejected rows are in quarantine__rejected_records.
with

base as (

    select * from {{ ref('base_support__tickets') }}

),

final as (

    select
        loader_record_id,
        ticket_id,
        customer_id,
        priority,
        status,
        subject,
        body,
        opened_at,
        closed_at,
        loaded_at
    from base
    where rejection_reason is null

)

select * from final

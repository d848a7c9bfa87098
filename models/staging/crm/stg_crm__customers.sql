-- Accepted rows of base_crm__customers: typed, cleaned, deduplicated. Rejected rows are in quarantine__rejected_records.
with

base as (

    select * from {{ ref('base_crm__customers') }}

),

final as (

    select
        loader_record_id,
        customer_id,
        customer_name,
        contact_name,
        contact_email,
        contact_phone,
        account_owner,
        industry,
        segment,
        country_code,
        status,
        created_at,
        loaded_at
    from base
    where rejection_reason is null

)

select * from final

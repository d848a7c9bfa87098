-- One row per accepted customer: who they are, in clean, typed columns.
with

customers as (

    select * from {{ ref('stg_crm__customers') }}

),

final as (

    select
        ----------  ids
        customer_id,

        ----------  strings
        customer_name,
        contact_name,
        contact_email,
        contact_phone,
        account_owner,
        industry,
        segment,
        country_code,
        status as customer_status,

        ----------  booleans
        status = 'active' as is_active,

        ----------  timestamps
        created_at

    from customers

)

select * from final

-- Accepted rows of base_product__logins: typed, cleaned, deduplicated. Rejected rows are in quarantine__rejected_records.
with

base as (

    select * from {{ ref('base_product__logins') }}

),

final as (

    select
        loader_record_id,
        login_id,
        customer_id,
        user_email,
        device,
        logged_in_at,
        loaded_at
    from base
    where rejection_reason is null

)

select * from final

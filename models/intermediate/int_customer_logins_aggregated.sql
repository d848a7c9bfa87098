-- One row per customer with a login on or before the as-of date: when they last logged in and how often lately.
{%- set as_of = dbt_grounding.as_of_date() %}

with

logins as (

    select
        customer_id,
        cast(logged_in_at as date) as login_date
    from {{ ref('stg_product__logins') }}

),

final as (

    select
        customer_id,
        max(login_date) as last_login_date,
        sum(
            case when {{ dbt.datediff('login_date', as_of, 'day') }} <= {{ dbt_grounding.get_config('inactivity_days') }}
            then 1 else 0 end
        ) as recent_login_count
    from logins
    where login_date <= {{ as_of }}
    group by customer_id

)

select * from final

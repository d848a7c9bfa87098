-- One row per active customer: the account health an agent may state, precomputed so no model computes it.
-- health_status follows dbt_grounding.health_status(); every input is as of the as-of date.
{%- set as_of = dbt_grounding.as_of_date() %}

with

customers as (

    select * from {{ ref('dim_customers') }}
    where is_active

),

revenue as (

    select * from {{ ref('int_customer_revenue_aggregated') }}

),

logins as (

    select * from {{ ref('int_customer_logins_aggregated') }}

),

churn_scores as (

    select * from {{ ref('int_churn_scores_latest') }}

),

support as (

    select * from {{ ref('int_customer_support_aggregated') }}

),

joined as (

    select
        customers.customer_id,
        customers.customer_name,
        customers.account_owner,
        customers.contact_email,
        customers.segment,
        coalesce(revenue.total_contract_value, 0) as total_contract_value,
        coalesce(revenue.annual_recurring_revenue, 0) as annual_recurring_revenue,
        churn_scores.churn_risk_score,
        churn_scores.churn_risk_scored_at,
        logins.last_login_date,
        coalesce(logins.recent_login_count, 0) as recent_login_count,
        support.open_ticket_count,
        support.recent_support_tickets_summary
    from customers
    left join revenue on customers.customer_id = revenue.customer_id
    left join logins on customers.customer_id = logins.customer_id
    left join churn_scores on customers.customer_id = churn_scores.customer_id
    left join support on customers.customer_id = support.customer_id

),

final as (

    select
        ----------  ids
        cast(customer_id as bigint) as customer_id,

        ----------  strings
        cast(customer_name as {{ dbt.type_string() }}) as customer_name,
        cast(account_owner as {{ dbt.type_string() }}) as account_owner,
        cast(contact_email as {{ dbt.type_string() }}) as primary_contact_email,
        cast(segment as {{ dbt.type_string() }}) as segment,
        cast(
            {{ dbt_grounding.health_status('churn_risk_score', 'last_login_date', as_of) }}
            as {{ dbt.type_string() }}
        ) as health_status,
        cast(recent_support_tickets_summary as {{ dbt.type_string() }}) as recent_support_tickets_summary,

        ----------  numerics
        cast(total_contract_value as decimal(18, 2)) as total_contract_value,
        cast(annual_recurring_revenue as decimal(18, 2)) as annual_recurring_revenue,
        cast(churn_risk_score as decimal(9, 6)) as churn_risk_score,
        cast(recent_login_count as integer) as recent_login_count,
        cast(open_ticket_count as integer) as open_ticket_count,
        cast({{ dbt.datediff('last_login_date', as_of, 'day') }} as integer) as days_since_last_login,

        ----------  dates
        cast(last_login_date as date) as last_login_date,
        cast(churn_risk_scored_at as timestamp) as churn_risk_scored_at,
        cast({{ as_of }} as date) as as_of_date

    from joined

)

-- in key order, so point lookups by customer_id read few row groups (the primary key also indexes it)
select * from final
order by customer_id

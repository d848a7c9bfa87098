-- One row per accepted subscription with its contract value and annualized amount, and whether it counts at the
-- as-of date. The revenue rules (docs/business_rules.md) live here, in SQL, not in a prompt.
{%- set as_of = dbt_grounding.as_of_date() %}

with

subscriptions as (

    select * from {{ ref('stg_billing__subscriptions') }}

),

annualized as (

    select
        subscription_id,
        customer_id,
        plan_code,
        billing_period,
        status,
        period_amount,
        term_months,
        start_date,
        cast({{ dbt.dateadd('month', 'term_months', 'start_date') }} as date) as end_date,

        -- full-term value: monthly subscriptions bill term_months times, annual ones term_months / 12 times.
        -- Typed here so every engine carries the same decimal (a bare division is numeric on PostgreSQL, double on
        -- DuckDB): six places keep it exact for terms in whole years and within a millionth of a cent otherwise.
        cast(
            case billing_period
                when 'monthly' then period_amount * term_months
                else period_amount * term_months / 12
            end
            as decimal(18, 6)
        ) as contract_value,

        cast(
            case billing_period
                when 'monthly' then period_amount * 12
                else period_amount
            end
            as decimal(18, 2)
        ) as annualized_amount

    from subscriptions

),

final as (

    select
        *,
        status <> 'trial' and start_date <= {{ as_of }} as counts_toward_contract_value,
        status = 'active' and start_date <= {{ as_of }} and {{ as_of }} < end_date as is_recurring_at_as_of
    from annualized

)

select * from final

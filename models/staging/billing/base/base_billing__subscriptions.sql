-- Every raw subscription row, typed and cleaned, with the reason it is rejected (NULL = accepted).
{%- set rules = [
    dbt_grounding.rule_required('subscription_id'),
    dbt_grounding.rule_required('customer_id_text', 'customer_id'),
    dbt_grounding.rule_required('plan_code'),
    dbt_grounding.rule_required('billing_period'),
    dbt_grounding.rule_required('period_amount_text', 'period_amount'),
    dbt_grounding.rule_required('term_months_text', 'term_months'),
    dbt_grounding.rule_required('start_date_text', 'start_date'),
    dbt_grounding.rule_required('status'),
    dbt_grounding.rule_parses('customer_id', 'customer_id_text', 'invalid_number'),
    dbt_grounding.rule_parses('period_amount', 'period_amount_text', 'invalid_number'),
    dbt_grounding.rule_parses('term_months', 'term_months_text', 'invalid_number'),
    dbt_grounding.rule_parses('start_date', 'start_date_text', 'invalid_date'),
    {'when': 'period_amount < 0', 'reason': 'out_of_range', 'detail': "'period_amount is negative: ' || period_amount_text"},
    {'when': 'term_months <= 0', 'reason': 'out_of_range', 'detail': "'term_months is not positive: ' || term_months_text"},
    {'when': 'plan_tier_rank is null', 'reason': 'unknown_category', 'detail': "'plan_code is not in plan_tiers: ' || plan_code"},
    dbt_grounding.rule_accepted('billing_period', ['monthly', 'annual']),
    dbt_grounding.rule_accepted('status', ['active', 'cancelled', 'trial']),
    dbt_grounding.rule_references('customer_id', 'customer_exists', 'customer', 'customer_id_text'),
] %}

with

source as (

    select * from {{ source('billing', 'subscriptions') }}

),

customers as (

    select customer_id from {{ ref('stg_crm__customers') }}

),

plan_tiers as (

    select * from {{ ref('plan_tiers') }}

),

cleaned as {{ dbt_grounding.materialized_cte() }} (

    select
        ----------  loader
        _record_id as loader_record_id,
        _loaded_at as loaded_at,

        ----------  ids
        coalesce({{ dbt_grounding.clean_text('subscription_id') }}, '<missing>') as record_key,
        {{ dbt_grounding.clean_text('subscription_id') }} as subscription_id,
        {{ dbt_grounding.clean_text('customer_id') }} as customer_id_text,
        {{ dbt_grounding.clean_integer('customer_id') }} as customer_id,

        ----------  categories
        {{ dbt_grounding.clean_category('plan_code') }} as plan_code,
        case {{ dbt_grounding.clean_category('billing_period') }}
            when 'yearly' then 'annual'
            else {{ dbt_grounding.clean_category('billing_period') }}
        end as billing_period,
        case {{ dbt_grounding.clean_category('status') }}
            when 'canceled' then 'cancelled'
            else {{ dbt_grounding.clean_category('status') }}
        end as status,

        ----------  numerics
        {{ dbt_grounding.clean_text('period_amount') }} as period_amount_text,
        {{ dbt_grounding.clean_number('period_amount') }} as period_amount,
        {{ dbt_grounding.clean_text('term_months') }} as term_months_text,
        {{ dbt_grounding.clean_integer('term_months') }} as term_months,

        ----------  dates
        {{ dbt_grounding.clean_text('start_date') }} as start_date_text

    from source

),

-- Timestamps parse from the cleaned text column, in a step of their own: see parse_mixed_timestamp.
parsed as (

    select
        cleaned.*,
        cast({{ dbt_grounding.parse_mixed_timestamp('start_date_text') }} as date) as start_date
    from cleaned

),

joined as (

    select
        parsed.*,
        plan_tiers.tier_rank as plan_tier_rank,
        customers.customer_id as customer_exists
    from parsed
    left join plan_tiers on parsed.plan_code = plan_tiers.plan_code
    left join customers on parsed.customer_id = customers.customer_id

),

final as (

    {{ dbt_grounding.select_with_rejections('joined', rules, ['subscription_id']) }}

)

select * from final

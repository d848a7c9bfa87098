-- Every raw payment row, typed and cleaned, with the reason it is rejected (NULL = accepted).
{%- set rules = [
    dbt_grounding.rule_required('payment_id'),
    dbt_grounding.rule_required('order_id'),
    dbt_grounding.rule_required('paid_at_text', 'paid_at'),
    dbt_grounding.rule_required('amount_text', 'amount'),
    dbt_grounding.rule_required('status'),
    dbt_grounding.rule_parses('paid_at', 'paid_at_text', 'invalid_date'),
    dbt_grounding.rule_parses('amount', 'amount_text', 'invalid_number'),
    {'when': 'amount < 0', 'reason': 'out_of_range', 'detail': "'amount is negative: ' || amount_text"},
    dbt_grounding.rule_accepted('status', ['success', 'failed', 'refunded']),
    dbt_grounding.rule_references('order_id', 'order_exists', 'order'),
] %}

with

source as (

    select * from {{ source('billing', 'payments') }}

),

orders as (

    select order_id from {{ ref('stg_billing__orders') }}

),

cleaned as {{ dbt_grounding.materialized_cte() }} (

    select
        ----------  loader
        _record_id as loader_record_id,
        _loaded_at as loaded_at,

        ----------  ids
        coalesce({{ dbt_grounding.clean_text('payment_id') }}, '<missing>') as record_key,
        {{ dbt_grounding.clean_text('payment_id') }} as payment_id,
        {{ dbt_grounding.clean_text('order_id') }} as order_id,

        ----------  categories
        {{ dbt_grounding.regexp_replace_all(dbt_grounding.clean_category('payment_method'), '[ -]', '_') }} as payment_method,
        case {{ dbt_grounding.clean_category('status') }}
            when 'succeeded' then 'success'
            else {{ dbt_grounding.clean_category('status') }}
        end as status,

        ----------  numerics
        {{ dbt_grounding.clean_text('amount') }} as amount_text,
        {{ dbt_grounding.clean_number('amount') }} as amount,

        ----------  timestamps
        {{ dbt_grounding.clean_text('paid_at') }} as paid_at_text

    from source

),

-- Timestamps parse from the cleaned text column, in a step of their own: see parse_mixed_timestamp.
parsed as (

    select
        cleaned.*,
        {{ dbt_grounding.parse_mixed_timestamp('paid_at_text') }} as paid_at
    from cleaned

),

joined as (

    select
        parsed.*,
        orders.order_id as order_exists
    from parsed
    left join orders on parsed.order_id = orders.order_id

),

final as (

    {{ dbt_grounding.select_with_rejections('joined', rules, ['payment_id']) }}

)

select * from final

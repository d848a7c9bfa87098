-- Every raw order row, typed and cleaned, with the reason it is rejected (NULL = accepted).
{%- set rules = [
    dbt_grounding.rule_required('order_id'),
    dbt_grounding.rule_required('customer_id_text', 'customer_id'),
    dbt_grounding.rule_required('ordered_at_text', 'ordered_at'),
    dbt_grounding.rule_required('order_total_text', 'order_total'),
    dbt_grounding.rule_required('status'),
    dbt_grounding.rule_parses('customer_id', 'customer_id_text', 'invalid_number'),
    dbt_grounding.rule_parses('ordered_at', 'ordered_at_text', 'invalid_date'),
    dbt_grounding.rule_parses('order_total', 'order_total_text', 'invalid_number'),
    {'when': 'order_total < 0', 'reason': 'out_of_range', 'detail': "'order_total is negative: ' || order_total_text"},
    dbt_grounding.rule_accepted('status', ['placed', 'completed', 'cancelled', 'returned']),
    dbt_grounding.rule_references('customer_id', 'customer_exists', 'customer', 'customer_id_text'),
] %}

with

source as (

    select * from {{ source('billing', 'orders') }}

),

customers as (

    select customer_id from {{ ref('stg_crm__customers') }}

),

cleaned as {{ dbt_grounding.materialized_cte() }} (

    select
        ----------  loader
        _record_id as loader_record_id,
        _loaded_at as loaded_at,

        ----------  ids
        coalesce({{ dbt_grounding.clean_text('order_id') }}, '<missing>') as record_key,
        {{ dbt_grounding.clean_text('order_id') }} as order_id,
        {{ dbt_grounding.clean_text('customer_id') }} as customer_id_text,
        {{ dbt_grounding.clean_integer('customer_id') }} as customer_id,

        ----------  categories
        upper({{ dbt_grounding.clean_text('currency') }}) as currency,
        {{ dbt_grounding.clean_category('status') }} as status,

        ----------  numerics
        {{ dbt_grounding.clean_text('order_total') }} as order_total_text,
        {{ dbt_grounding.clean_number('order_total') }} as order_total,

        ----------  timestamps
        {{ dbt_grounding.clean_text('ordered_at') }} as ordered_at_text

    from source

),

-- Timestamps parse from the cleaned text column, in a step of their own: see parse_mixed_timestamp.
parsed as (

    select
        cleaned.*,
        {{ dbt_grounding.parse_mixed_timestamp('ordered_at_text') }} as ordered_at
    from cleaned

),

joined as (

    select
        parsed.*,
        customers.customer_id as customer_exists
    from parsed
    left join customers on parsed.customer_id = customers.customer_id

),

final as (

    {{ dbt_grounding.select_with_rejections('joined', rules, ['order_id']) }}

)

select * from final

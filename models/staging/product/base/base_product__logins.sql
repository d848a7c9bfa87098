-- Every raw product login row, typed and cleaned, with the reason it is rejected (NULL = accepted).
{%- set rules = [
    dbt_grounding.rule_required('login_id'),
    dbt_grounding.rule_required('customer_id_text', 'customer_id'),
    dbt_grounding.rule_required('logged_in_at_text', 'logged_in_at'),
    dbt_grounding.rule_parses('customer_id', 'customer_id_text', 'invalid_number'),
    dbt_grounding.rule_parses('logged_in_at', 'logged_in_at_text', 'invalid_date'),
    dbt_grounding.rule_references('customer_id', 'customer_exists', 'customer', 'customer_id_text'),
] %}

with

source as (

    select * from {{ source('product', 'logins') }}

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
        coalesce({{ dbt_grounding.clean_text('login_id') }}, '<missing>') as record_key,
        {{ dbt_grounding.clean_text('login_id') }} as login_id,
        {{ dbt_grounding.clean_text('customer_id') }} as customer_id_text,
        {{ dbt_grounding.clean_integer('customer_id') }} as customer_id,

        ----------  strings
        lower({{ dbt_grounding.clean_text('user_email') }}) as user_email,
        {{ dbt_grounding.clean_category('device') }} as device,

        ----------  timestamps
        {{ dbt_grounding.clean_text('logged_in_at') }} as logged_in_at_text

    from source

),

-- Timestamps parse from the cleaned text column, in a step of their own: see parse_mixed_timestamp.
parsed as (

    select
        cleaned.*,
        {{ dbt_grounding.parse_mixed_timestamp('logged_in_at_text') }} as logged_in_at
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

    {{ dbt_grounding.select_with_rejections('joined', rules, ['login_id']) }}

)

select * from final

-- Every raw CRM customer row, typed and cleaned, with the reason it is rejected (NULL = accepted).
-- stg_crm__customers keeps the accepted rows; quarantine__rejected_records keeps the rest.
{%- set rules = [
    dbt_grounding.rule_required('customer_id_text', 'customer_id'),
    dbt_grounding.rule_required('customer_name'),
    dbt_grounding.rule_required('status'),
    dbt_grounding.rule_required('created_at_text', 'created_at'),
    dbt_grounding.rule_parses('customer_id', 'customer_id_text', 'invalid_number'),
    dbt_grounding.rule_parses('created_at', 'created_at_text', 'invalid_date'),
    dbt_grounding.rule_accepted('status', ['active', 'churned', 'prospect']),
] %}

with

source as (

    select * from {{ source('crm', 'customers') }}

),

cleaned as {{ dbt_grounding.materialized_cte() }} (

    select
        ----------  loader
        _record_id as loader_record_id,
        _loaded_at as loaded_at,

        ----------  ids
        coalesce({{ dbt_grounding.clean_text('customer_id') }}, '<missing>') as record_key,
        {{ dbt_grounding.clean_text('customer_id') }} as customer_id_text,
        {{ dbt_grounding.clean_integer('customer_id') }} as customer_id,

        ----------  strings
        {{ dbt_grounding.clean_text('customer_name') }} as customer_name,
        {{ dbt_grounding.clean_text('contact_name') }} as contact_name,
        lower({{ dbt_grounding.clean_text('contact_email') }}) as contact_email,
        {{ dbt_grounding.clean_text('contact_phone') }} as contact_phone,
        {{ dbt_grounding.clean_text('account_owner') }} as account_owner,
        {{ dbt_grounding.clean_category('industry') }} as industry,
        {{ dbt_grounding.regexp_replace_all(dbt_grounding.clean_category('segment'), '[ _]', '-') }} as segment,
        upper({{ dbt_grounding.clean_text('country_code') }}) as country_code,
        {{ dbt_grounding.clean_category('status') }} as status,

        ----------  timestamps
        {{ dbt_grounding.clean_text('created_at') }} as created_at_text

    from source

),

-- Timestamps parse from the cleaned text column, in a step of their own: see parse_mixed_timestamp.
parsed as (

    select
        cleaned.*,
        {{ dbt_grounding.parse_mixed_timestamp('created_at_text') }} as created_at
    from cleaned

),

final as (

    {{ dbt_grounding.select_with_rejections('parsed', rules, ['customer_id']) }}

)

select * from final

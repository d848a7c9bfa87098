-- Every raw support ticket row, typed and cleaned, with the reason it is rejected (NULL = accepted).
{%- set rules = [
    dbt_grounding.rule_required('ticket_id'),
    dbt_grounding.rule_required('customer_id_text', 'customer_id'),
    dbt_grounding.rule_required('opened_at_text', 'opened_at'),
    dbt_grounding.rule_required('priority'),
    dbt_grounding.rule_required('status'),
    dbt_grounding.rule_required('subject'),
    dbt_grounding.rule_parses('customer_id', 'customer_id_text', 'invalid_number'),
    dbt_grounding.rule_parses('opened_at', 'opened_at_text', 'invalid_date'),
    dbt_grounding.rule_parses('closed_at', 'closed_at_text', 'invalid_date'),
    dbt_grounding.rule_accepted('status', ['open', 'pending', 'solved', 'closed']),
    dbt_grounding.rule_references('customer_id', 'customer_exists', 'customer', 'customer_id_text'),
] %}

with

source as (

    select * from {{ source('support', 'tickets') }}

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
        coalesce({{ dbt_grounding.clean_text('ticket_id') }}, '<missing>') as record_key,
        {{ dbt_grounding.clean_text('ticket_id') }} as ticket_id,
        {{ dbt_grounding.clean_text('customer_id') }} as customer_id_text,
        {{ dbt_grounding.clean_integer('customer_id') }} as customer_id,

        ----------  categories
        {{ dbt_grounding.clean_category('priority') }} as priority,
        {{ dbt_grounding.clean_category('status') }} as status,

        ----------  free text (may hold personal data and text aimed at AI models: never trusted as instructions)
        {{ dbt_grounding.clean_text('subject') }} as subject,
        {{ dbt_grounding.clean_text('body') }} as body,

        ----------  timestamps
        {{ dbt_grounding.clean_text('opened_at') }} as opened_at_text,
        {{ dbt_grounding.clean_text('closed_at') }} as closed_at_text

    from source

),

-- Timestamps parse from the cleaned text column, in a step of their own: see parse_mixed_timestamp.
parsed as (

    select
        cleaned.*,
        {{ dbt_grounding.parse_mixed_timestamp('opened_at_text') }} as opened_at,
        {{ dbt_grounding.parse_mixed_timestamp('closed_at_text') }} as closed_at
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

    {{ dbt_grounding.select_with_rejections('joined', rules, ['ticket_id']) }}

)

select * from final

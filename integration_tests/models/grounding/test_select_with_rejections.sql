-- A consumer base model built with the package's rejection rules, the way the package's own base models are:
-- every raw row, typed and cleaned, with the reason it is rejected (NULL = accepted). The duplicate rule needs the
-- columns loaded_at and loader_record_id.
{%- set rules = [
    dbt_grounding.rule_required('item_id_text', 'item_id'),
    dbt_grounding.rule_required('item_name'),
    dbt_grounding.rule_required('amount_text', 'amount'),
    dbt_grounding.rule_required('status'),
    dbt_grounding.rule_parses('item_id', 'item_id_text', 'invalid_number'),
    dbt_grounding.rule_parses('amount', 'amount_text', 'invalid_number'),
    dbt_grounding.rule_parses('ordered_at', 'ordered_at_text', 'invalid_date'),
    dbt_grounding.rule_accepted('status', ['open', 'shipped']),
    {'when': 'amount < 0', 'reason': 'out_of_range', 'detail': "'amount is negative: ' || amount_text"},
] %}

with

source as (

    select * from {{ ref('data_rejection_rules') }}

),

cleaned as (

    select
        _record_id as loader_record_id,
        _loaded_at as loaded_at,
        coalesce({{ dbt_grounding.clean_text('item_id') }}, '<missing>') as record_key,
        {{ dbt_grounding.clean_text('item_id') }} as item_id_text,
        {{ dbt_grounding.clean_integer('item_id') }} as item_id,
        {{ dbt_grounding.clean_text('item_name') }} as item_name,
        {{ dbt_grounding.clean_text('amount') }} as amount_text,
        {{ dbt_grounding.clean_number('amount') }} as amount,
        {{ dbt_grounding.clean_text('ordered_at') }} as ordered_at_text,
        {{ dbt_grounding.parse_mixed_timestamp(dbt_grounding.clean_text('ordered_at')) }} as ordered_at,
        {{ dbt_grounding.clean_category('status') }} as status
    from source

),

final as (

    {{ dbt_grounding.select_with_rejections('cleaned', rules, ['item_id']) }}

)

select * from final

-- Every raw churn-risk score row written by the ML model, typed, with the reason it is rejected (NULL = accepted).
{%- set rules = [
    dbt_grounding.rule_required('customer_id_text', 'customer_id'),
    dbt_grounding.rule_required('churn_risk_score_text', 'churn_risk_score'),
    dbt_grounding.rule_required('scored_at_text', 'scored_at'),
    dbt_grounding.rule_parses('customer_id', 'customer_id_text', 'invalid_number'),
    dbt_grounding.rule_parses('churn_risk_score', 'churn_risk_score_text', 'invalid_number'),
    dbt_grounding.rule_parses('scored_at', 'scored_at_text', 'invalid_date'),
    {'when': 'churn_risk_score < 0 or churn_risk_score > 1', 'reason': 'out_of_range', 'detail': "'churn_risk_score is outside [0, 1]: ' || churn_risk_score_text"},
    dbt_grounding.rule_references('customer_id', 'customer_exists', 'customer', 'customer_id_text'),
] %}

with

source as (

    select * from {{ source('ml', 'churn_scores') }}

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
        coalesce({{ dbt_grounding.clean_text('customer_id') }}, '<missing>')
            || ' @ ' || coalesce({{ dbt_grounding.clean_text('scored_at') }}, '<missing>') as record_key,
        {{ dbt_grounding.clean_text('customer_id') }} as customer_id_text,
        {{ dbt_grounding.clean_integer('customer_id') }} as customer_id,

        ----------  numerics
        {{ dbt_grounding.clean_text('churn_risk_score') }} as churn_risk_score_text,
        {{ dbt_grounding.clean_number('churn_risk_score', 'decimal(9, 6)', integer_digits=2) }} as churn_risk_score,

        ----------  strings
        {{ dbt_grounding.clean_text('model_version') }} as model_version,

        ----------  timestamps
        {{ dbt_grounding.clean_text('scored_at') }} as scored_at_text

    from source

),

-- Timestamps parse from the cleaned text column, in a step of their own: see parse_mixed_timestamp.
parsed as (

    select
        cleaned.*,
        {{ dbt_grounding.parse_mixed_timestamp('scored_at_text') }} as scored_at
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

    {{ dbt_grounding.select_with_rejections('joined', rules, ['customer_id', 'scored_at']) }}

)

select * from final

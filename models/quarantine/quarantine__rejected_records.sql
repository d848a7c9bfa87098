-- Every raw row the staging layer rejected, with where it came from and why. Nothing is dropped silently:
-- per raw table, raw rows = accepted staging rows + rows here (tested by rows_accounted_for).
{%- set base_models = [
    ('crm', 'customers', 'base_crm__customers'),
    ('billing', 'subscriptions', 'base_billing__subscriptions'),
    ('billing', 'orders', 'base_billing__orders'),
    ('billing', 'payments', 'base_billing__payments'),
    ('product', 'logins', 'base_product__logins'),
    ('support', 'tickets', 'base_support__tickets'),
    ('ml', 'churn_scores', 'base_ml__churn_scores'),
] %}

with

{% for source_name, table_name, base_model in base_models %}
rejected_{{ source_name }}__{{ table_name }} as (

    select
        '{{ source_name }}' as source_name,
        '{{ table_name }}' as source_table,
        loader_record_id,
        record_key,
        rejection_reason,
        rejection_detail,
        loaded_at
    from {{ ref(base_model) }}
    where rejection_reason is not null

),

{% endfor %}
unioned as (

    {% for source_name, table_name, base_model in base_models %}
    select * from rejected_{{ source_name }}__{{ table_name }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

)

select * from unioned

-- rule_references: a foreign key must point at an accepted parent row; the left-joined parent key is NULL otherwise.
-- Applied the way a consumer base model applies rules: through select_with_rejections.
{%- set rules = [dbt_grounding.rule_references('category_id', 'category_exists', 'category', 'cast(category_id as varchar)')] %}

with

parents as (
    select 1 as category_id union all select 2
),

children as (
    select 10 as item_id, 1 as category_id, cast(null as varchar) as expected_reason, cast(null as varchar) as expected_detail
    union all select 11, 3, 'orphan_foreign_key', 'category_id has no accepted category: 3'
    union all select 12, 2, null, null
),

joined as (
    select
        children.*,
        parents.category_id as category_exists,
        'item-' || cast(children.item_id as varchar) as loader_record_id,
        cast('2026-07-01 06:00:00' as timestamp) as loaded_at
    from children
    left join parents on children.category_id = parents.category_id
),

checked as (
    {{ dbt_grounding.select_with_rejections('joined', rules, ['item_id']) }}
)

select
    item_id,
    expected_reason,
    expected_detail,
    rejection_reason as actual_reason,
    rejection_detail as actual_detail
from checked

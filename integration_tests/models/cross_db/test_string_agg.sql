-- Compared with data_string_agg_expected by equal_rowsets: the seed rows are out of order on purpose.
select
    group_id,
    {{ dbt_grounding.string_agg('item', "', '", 'sort_key') }} as items_ascending,
    {{ dbt_grounding.string_agg('item', "'|'", 'sort_key desc') }} as items_descending
from {{ ref('data_string_agg') }}
group by group_id

select
    id,
    kind,
    input,
    expected,
    case kind
        {%- for kind in ['email', 'phone', 'person_name', 'free_text'] %}
        when '{{ kind }}' then {{ dbt_grounding.mask_pii('input', kind) }}
        {%- endfor %}
    end as actual
from {{ ref('data_mask_pii') }}

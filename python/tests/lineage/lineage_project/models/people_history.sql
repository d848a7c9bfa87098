select
    id as person_id,
    email,
    dbt_valid_from as valid_from
from {{ ref('people_snapshot') }}

-- Ephemeral: dbt inlines it into its children as a CTE named __dbt__cte__people_base.
{{ config(materialized='ephemeral') }}

select
    id as person_id,
    full_name,
    lower(email) as email,
    country
from {{ ref('people') }}

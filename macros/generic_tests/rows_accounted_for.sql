{#- Nothing lost: every row of `source_relation` is either in the tested model or in `quarantine_relation`
    (the rows matching `quarantine_where`). Returns one row with the three counts when they do not balance. -#}
{% test rows_accounted_for(model, source_relation, quarantine_relation, quarantine_where='1 = 1') %}
with
source_rows as (select count(*) as n from {{ source_relation }}),
accepted_rows as (select count(*) as n from {{ model }}),
quarantined_rows as (select count(*) as n from {{ quarantine_relation }} where {{ quarantine_where }})

select
    source_rows.n as source_row_count,
    accepted_rows.n as accepted_row_count,
    quarantined_rows.n as quarantined_row_count
from source_rows
cross join accepted_rows
cross join quarantined_rows
where source_rows.n <> accepted_rows.n + quarantined_rows.n
{% endtest %}

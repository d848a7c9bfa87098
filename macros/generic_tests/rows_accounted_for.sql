{#- Nothing lost: every row of `source_relation` is either in the tested model or in `quarantine_relation` (the
    rows matching `quarantine_where`).
    With `source_key`, `model_key` and `quarantine_key` (a per-row id carried through, such as a loader's record
    id) it checks row by row: returns each source id found in neither place or in both, and each id found in the
    model or quarantine that the source does not have. Without them it compares counts, and returns one row with
    the three counts when they do not balance. -#}
{% test rows_accounted_for(model, source_relation, quarantine_relation, quarantine_where='1 = 1',
                           source_key=none, model_key=none, quarantine_key=none) %}
{%- set keys = [source_key, model_key, quarantine_key] -%}
{%- if keys | select('none') | list | length not in (0, 3) -%}
  {{ exceptions.raise_compiler_error("rows_accounted_for on " ~ model ~ ": give source_key, model_key and quarantine_key together, or none of them") }}
{%- endif -%}
{%- if source_key -%}
with
source_ids as (select {{ source_key }} as record_id from {{ source_relation }}),
placed as (
    select {{ model_key }} as record_id, 'accepted' as placed_in from {{ model }}
    union all
    select {{ quarantine_key }} as record_id, 'quarantined' as placed_in from {{ quarantine_relation }} where {{ quarantine_where }}
),
placements as (select record_id, count(*) as times_placed from placed group by record_id)

select source_ids.record_id, coalesce(placements.times_placed, 0) as times_placed, 'in the source' as found
from source_ids
left join placements on source_ids.record_id = placements.record_id
where coalesce(placements.times_placed, 0) <> 1

union all

select placements.record_id, placements.times_placed, 'not in the source' as found
from placements
left join source_ids on placements.record_id = source_ids.record_id
where source_ids.record_id is null
{%- else -%}
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
{%- endif %}
{% endtest %}

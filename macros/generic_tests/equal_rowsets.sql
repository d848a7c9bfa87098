{#- The tested model and `compare_model` hold the same rows (as multisets) over `compare_columns` (all columns of
    the model when omitted). Returns the rows found on one side only, with the side named. -#}
{% test equal_rowsets(model, compare_model, compare_columns=none) %}
{#- Columns are looked up only at run time: at parse time the relation may not exist yet. -#}
{%- if compare_columns -%}
  {%- set columns = compare_columns -%}
{%- elif execute -%}
  {%- set columns = adapter.get_columns_in_relation(model) | map(attribute='quoted') | list -%}
{%- else -%}
  {%- set columns = ['1'] -%}
{%- endif -%}
{%- set column_list = columns | join(', ') -%}
with
a as (select {{ column_list }}, count(*) as row_count from {{ model }} group by {{ column_list }}),
b as (select {{ column_list }}, count(*) as row_count from {{ compare_model }} group by {{ column_list }}),
only_in_model as (select * from a except select * from b),
only_in_compare as (select * from b except select * from a)

select 'only in model' as side, * from only_in_model
union all
select 'only in compare_model' as side, * from only_in_compare
{% endtest %}

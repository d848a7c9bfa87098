{#- Concatenate `expr` over a group, separated by `delimiter` (a SQL string literal), in `order_by` order. -#}
{% macro string_agg(expr, delimiter, order_by) %}
  {{ return(adapter.dispatch('string_agg', 'dbt_grounding')(expr, delimiter, order_by)) }}
{% endmacro %}

{#- string_agg(x, sep order by ...) is the same in PostgreSQL and DuckDB. -#}
{% macro default__string_agg(expr, delimiter, order_by) -%}
  string_agg({{ expr }}, {{ delimiter }} order by {{ order_by }})
{%- endmacro %}

{#- Spark has no ordered string_agg before 4.0: collect (order key, value) pairs, sort them, join the values. -#}
{% macro spark__string_agg(expr, delimiter, order_by) -%}
  array_join(
    transform(array_sort(collect_list(struct({{ order_by }} as sort_key, {{ expr }} as value))), x -> x.value),
    {{ delimiter }}
  )
{%- endmacro %}

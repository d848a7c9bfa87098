{#- Concatenate `expr` over a group, separated by `delimiter` (a SQL string literal), in `order_by` order. -#}
{% macro string_agg(expr, delimiter, order_by) %}
  {{ return(adapter.dispatch('string_agg', 'dbt_grounding')(expr, delimiter, order_by)) }}
{% endmacro %}

{#- string_agg(x, sep order by ...) is the same in PostgreSQL and DuckDB. -#}
{% macro default__string_agg(expr, delimiter, order_by) -%}
  string_agg({{ expr }}, {{ delimiter }} order by {{ order_by }})
{%- endmacro %}

{#- Spark 4 spells the ordered aggregate the SQL-standard way (string_agg is an alias of listagg). -#}
{% macro spark__string_agg(expr, delimiter, order_by) -%}
  string_agg({{ expr }}, {{ delimiter }}) within group (order by {{ order_by }})
{%- endmacro %}

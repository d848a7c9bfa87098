{#- The continuous percentile of `expr` over a group (`fraction` in [0, 1]): linear interpolation between the two
    nearest values, as PostgreSQL's percentile_cont and numpy's default. An aggregate. -#}
{% macro percentile_cont(expr, fraction) %}
  {{ return(adapter.dispatch('percentile_cont', 'dbt_grounding')(expr, fraction)) }}
{% endmacro %}

{#- The SQL-standard ordered-set aggregate (PostgreSQL). -#}
{% macro default__percentile_cont(expr, fraction) -%}
  percentile_cont({{ fraction }}) within group (order by {{ expr }})
{%- endmacro %}

{% macro duckdb__percentile_cont(expr, fraction) -%}
  quantile_cont({{ expr }}, {{ fraction }})
{%- endmacro %}

{#- Spark's exact percentile interpolates the same way (percentile_approx would not). -#}
{% macro spark__percentile_cont(expr, fraction) -%}
  percentile({{ expr }}, {{ fraction }})
{%- endmacro %}

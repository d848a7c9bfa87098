{#- The keyword that makes a CTE be computed once, for a CTE whose columns the next step references many times
    (`cleaned as {{ dbt_grounding.materialized_cte() }} (`). PostgreSQL 12+ inlines a CTE referenced once and pulls
    its expressions up into every reference: the base models' timestamp parser, which repeats its input about 100
    times, then re-ran clean_text's regexes as often (2,635 regexp_replace calls in the plan of base_crm__customers,
    29 with the CTE materialized). DuckDB eliminates the common subexpressions itself and Spark keeps a projection
    that is referenced many times, so the other engines need nothing. -#}
{% macro materialized_cte() %}
  {{ return(adapter.dispatch('materialized_cte', 'dbt_grounding')()) }}
{% endmacro %}

{% macro default__materialized_cte() -%}
{%- endmacro %}

{% macro postgres__materialized_cte() -%}
  materialized
{%- endmacro %}

{#- Redshift dispatches to postgres__ macros but has no MATERIALIZED keyword. -#}
{% macro redshift__materialized_cte() -%}
{%- endmacro %}

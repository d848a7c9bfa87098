{#- Overrides of dbt's own macros for Spark, found through the `dispatch` block in dbt_project.yml (a project that
    installs this package and builds on Spark copies that block). -#}

{#- Contract columns are declared with portable type names (varchar, decimal(18, 2), ...). dbt checks a contract by
    casting NULL to each declared type; Spark has no bare VARCHAR (it asks for a length) and no TEXT or DOUBLE
    PRECISION, so those names are cast as the Spark type they mean. -#}
{% macro spark__cast(field, type) -%}
  cast({{ field }} as {{ dbt_grounding._spark_type_name(type) }})
{%- endmacro %}

{% macro _spark_type_name(type) -%}
  {%- set spelling = type | trim | lower -%}
  {%- set renamed = {
      'varchar': 'string', 'text': 'string', 'character varying': 'string',
      'double precision': 'double', 'real': 'float',
  } -%}
  {{- return(renamed.get(spelling, type)) -}}
{%- endmacro %}

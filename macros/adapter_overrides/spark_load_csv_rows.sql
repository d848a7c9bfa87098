{#- Seeds on Spark with the session connection. dbt-spark binds seed values by pasting them between quotes, unescaped,
    so a value holding a quote or a backslash breaks the INSERT and an empty cell arrives as the text 'None'. The raw
    sample data holds all three on purpose, so values are rendered here as escaped Spark literals and empty cells
    as NULL. -#}
{% macro spark__load_csv_rows(model, agate_table) %}
  {%- set batch_size = get_batch_size() -%}
  {%- set column_override = model['config'].get('column_types', {}) -%}
  {%- set column_types = [] -%}
  {%- for col_name in agate_table.column_names -%}
    {%- do column_types.append(column_override.get(col_name, adapter.convert_type(agate_table, loop.index0))) -%}
  {%- endfor -%}
  {%- set statements = [] -%}
  {%- for chunk in agate_table.rows | batch(batch_size) -%}
    {%- set sql -%}
      insert into {{ this.render() }} values
      {% for row in chunk -%}
        ({%- for value in row -%}
          cast({{ dbt_grounding._spark_literal(value) }} as {{ column_types[loop.index0] }})
          {%- if not loop.last %}, {% endif -%}
        {%- endfor -%}){%- if not loop.last %},{% endif %}
      {% endfor %}
    {%- endset -%}
    {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
    {%- if loop.first -%}{%- do statements.append(sql) -%}{%- endif -%}
  {%- endfor -%}
  {{ return(statements[0] if statements else '') }}
{% endmacro %}

{#- A Spark SQL literal for a seed value: NULL for an empty cell, else a string literal with backslashes and quotes
    escaped (Spark string literals treat a backslash as an escape). Numbers and dates arrive as text too and are
    cast to the column's type by the caller. -#}
{% macro _spark_literal(value) -%}
  {%- if value is none -%}
    null
  {%- else -%}
    '{{ value | string | replace('\\', '\\\\') | replace("'", "\\'") }}'
  {%- endif -%}
{%- endmacro %}

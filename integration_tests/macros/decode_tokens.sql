{#- The seeds spell invisible characters as visible tokens so the CSV files stay readable and diffable; this turns
    them back into the real characters before a package macro sees them. `{empty}` stands for the empty string (an
    empty CSV field loads as NULL). -#}
{% macro decode_tokens(expr) -%}
  {%- set tokens = {
      '{nbsp}': 160, '{zwsp}': 8203, '{zwnj}': 8204, '{zwj}': 8205, '{bom}': 65279,
      '{tab}': 9, '{lf}': 10, '{cr}': 13,
  } -%}
  {%- set ns = namespace(sql=expr) -%}
  {%- for token, code_point in tokens.items() -%}
    {%- set ns.sql = "replace(" ~ ns.sql ~ ", '" ~ token ~ "', chr(" ~ code_point ~ "))" -%}
  {%- endfor -%}
  replace({{ ns.sql }}, '{empty}', '')
{%- endmacro %}

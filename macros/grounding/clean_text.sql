{#- Normalise free or categorical text from a source system: zero-width characters removed; NBSP, tabs and line
    breaks turned into spaces; runs of spaces collapsed; trimmed; empty becomes NULL. The invisible characters are
    written as Jinja escapes so the SQL source stays readable and every engine sees the same literal. -#}
{% macro clean_text(expr) -%}
  {%- set no_zero_width = dbt_grounding.regexp_replace_all(expr, "[\u200b\u200c\u200d\ufeff]", '') -%}
  {%- set spaces = dbt_grounding.regexp_replace_all(no_zero_width, "[\u00a0\t\r\n ]+", ' ') -%}
  nullif(trim({{ spaces }}), '')
{%- endmacro %}

{#- A category value: cleaned text in lower case. -#}
{% macro clean_category(expr) -%}
  lower({{ dbt_grounding.clean_text(expr) }})
{%- endmacro %}

{#- A decimal from text such as ' 1,200.00', '$499' or '-12.5'; NULL when it is not a number (callers tell an empty
    input from an unparseable one). Commas count only as thousands separators ('1,200' yes, '12,50' no: a decimal
    comma would silently multiply by 100). `integer_digits` must leave one digit of headroom in `data_type`, since
    rounding the decimals can carry (9.999 -> 10.00), so the cast never overflows. -#}
{% macro clean_number(expr, data_type='decimal(18, 2)', integer_digits=15) -%}
  {%- set stripped = dbt_grounding.regexp_replace_all(expr, '[$ ]', '') -%}
  {%- set plain = '[0-9]{1,' ~ integer_digits ~ '}' -%}
  {%- set max_groups = (integer_digits - 3) // 3 -%}
  {%- set grouped = '|[0-9]{1,3}(,[0-9]{3}){1,' ~ max_groups ~ '}' if max_groups > 0 else '' -%}
  case
    when {{ dbt_grounding.regexp_matches(stripped, '^-?(' ~ plain ~ grouped ~ ')([.][0-9]+)?$') }}
    then cast({{ dbt_grounding.regexp_replace_all(stripped, ',', '') }} as {{ data_type }})
  end
{%- endmacro %}

{#- An integer from text such as ' 42 '; NULL when it is not an integer. -#}
{% macro clean_integer(expr) -%}
  {{ dbt_grounding.safe_cast_integer(dbt_grounding.clean_text(expr), 'bigint') }}
{%- endmacro %}

{#- Parse a text column holding dates in mixed formats into a timestamp (UTC, no time zone):
      ISO date          2025-03-15
      ISO timestamp     2025-03-15T10:22:00Z, 2025-03-15 10:22:00
      US slash          03/15/2025   (month/day/year)
      EU dot            15.03.2025   (day.month.year)
      epoch seconds     1742034120
    Anything else, or a value that is not a real calendar date (2025-02-30), gives NULL: callers tell an empty
    input from an unparseable one and quarantine the latter. The default implementation is portable SQL (regex
    match, substr, integer arithmetic, make_timestamp), so only those small helpers differ between engines.
    Pass a column, not a longer expression: the parser repeats its input about 100 times, so an inlined
    expression (clean_text's regexes, say) is evaluated that often, and on Spark the generated code outgrows the
    JVM's 64 KB method limit (Spark logs the failed compile with a long stack trace and runs the query without
    whole-stage code generation, more slowly). The base models therefore clean the text in one CTE (computed once:
    materialized_cte) and parse the cleaned column in the next. -#}
{% macro parse_mixed_timestamp(expr) %}
  {{ return(adapter.dispatch('parse_mixed_timestamp', 'dbt_grounding')(expr)) }}
{% endmacro %}

{% macro default__parse_mixed_timestamp(expr) -%}
  {%- set s = 'trim(' ~ expr ~ ')' -%}
  {%- set part = dbt_grounding._text_part -%}
  case
    when {{ dbt_grounding.regexp_matches(s, '^[0-9]{4}-[0-9]{2}-[0-9]{2}$') }}
      then {{ dbt_grounding._timestamp_from_parts(part(s, 1, 4), part(s, 6, 2), part(s, 9, 2)) }}
    when {{ dbt_grounding.regexp_matches(s, '^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}Z?$') }}
      then {{ dbt_grounding._timestamp_from_parts(part(s, 1, 4), part(s, 6, 2), part(s, 9, 2),
                                                   part(s, 12, 2), part(s, 15, 2), part(s, 18, 2)) }}
    when {{ dbt_grounding.regexp_matches(s, '^[0-9]{2}/[0-9]{2}/[0-9]{4}$') }}
      then {{ dbt_grounding._timestamp_from_parts(part(s, 7, 4), part(s, 1, 2), part(s, 4, 2)) }}
    when {{ dbt_grounding.regexp_matches(s, '^[0-9]{2}[.][0-9]{2}[.][0-9]{4}$') }}
      then {{ dbt_grounding._timestamp_from_parts(part(s, 7, 4), part(s, 4, 2), part(s, 1, 2)) }}
    when {{ dbt_grounding.regexp_matches(s, '^[0-9]{9,10}$') }}
      then {{ dbt.dateadd('second', part(s, 1, 10, 'bigint'), "cast('1970-01-01 00:00:00' as timestamp)") }}
  end
{%- endmacro %}

{#- An integer from a fixed-width slice of the string. The CASE branch that uses it runs only when the regex matched,
    but engines may evaluate a branch early on constant input (DuckDB and PostgreSQL fold constants), so the cast
    itself must not be able to fail. -#}
{% macro _text_part(s, start, length, data_type='integer') -%}
  {{ dbt_grounding.safe_cast_integer('substr(' ~ s ~ ', ' ~ start ~ ', ' ~ length ~ ')', data_type) }}
{%- endmacro %}

{% macro _timestamp_from_parts(year, month, day, hour='0', minute='0', second='0') -%}
  case
    when {{ month }} between 1 and 12
     and {{ day }} between 1 and {{ dbt_grounding._days_in_month(year, month) }}
     and {{ hour }} between 0 and 23 and {{ minute }} between 0 and 59 and {{ second }} between 0 and 59
    then {{ dbt_grounding.make_timestamp(year, month, day, hour, minute, second) }}
  end
{%- endmacro %}

{% macro _days_in_month(year, month) -%}
  case
    when {{ month }} in (4, 6, 9, 11) then 30
    when {{ month }} = 2 then
      case when ({{ year }} % 4 = 0 and {{ year }} % 100 <> 0) or {{ year }} % 400 = 0 then 29 else 28 end
    else 31
  end
{%- endmacro %}

{#- A SQL expression that masks personal data in `expr`, by kind:
      email        'jane.doe@acme.com' -> '***@acme.com' (the domain tells the account, not the person)
      phone        any value -> '[phone]'
      person_name  any value -> '[name]'
      free_text    e-mail addresses -> '[email]', phone numbers -> '[phone]', the rest kept
    Phone numbers are recognised in the forms +1 415 555 0142, (415) 555-0142 and 415.555.0142 (the separators
    are required, so order numbers and epoch values are left alone). NULL stays NULL. -#}
{% macro mask_pii(expr, kind) %}
  {%- set kinds = ['email', 'phone', 'person_name', 'free_text'] -%}
  {%- if kind not in kinds -%}
    {{ exceptions.raise_compiler_error("dbt_grounding.mask_pii: unknown kind '" ~ kind ~ "', expected one of " ~ kinds | join(', ')) }}
  {%- endif -%}
  {{ return(adapter.dispatch('mask_pii', 'dbt_grounding')(expr, kind)) }}
{% endmacro %}

{% macro default__mask_pii(expr, kind) -%}
  {%- if kind == 'email' -%}
    {{ dbt_grounding.regexp_replace_all(expr, '^[^@]+', '***') }}
  {%- elif kind == 'phone' -%}
    case when {{ expr }} is not null then '[phone]' end
  {%- elif kind == 'person_name' -%}
    case when {{ expr }} is not null then '[name]' end
  {%- else -%}
    {%- set no_emails = dbt_grounding.regexp_replace_all(expr, dbt_grounding.email_pattern(), '[email]') -%}
    {{ dbt_grounding.regexp_replace_all(no_emails, dbt_grounding.phone_pattern(), '[phone]') }}
  {%- endif -%}
{%- endmacro %}

{#- The patterns avoid backslashes ([.] not \.) so they mean the same in RE2, PostgreSQL and Java regex. -#}
{% macro email_pattern() -%}
  [A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+[.][A-Za-z]{2,}
{%- endmacro %}

{% macro phone_pattern() -%}
  ([+][0-9]{1,3} )?([(][0-9]{3}[)] ?|[0-9]{3}[ .-])[0-9]{3}[ .-][0-9]{4}
{%- endmacro %}

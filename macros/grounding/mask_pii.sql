{#- A SQL expression that masks personal data in `expr`, by kind:
      email        'jane.doe@acme.com' -> '***@acme.com' (the domain tells the account, not the person); a value
                   that is not one address -> '[email]'
      phone        any value -> '[phone]'
      person_name  any value -> '[name]'
      free_text    look-alikes folded (fold_lookalikes), then e-mail addresses -> '[email]', then phone numbers
                   -> '[phone]', the rest kept
    Phone numbers are recognised in international (+44 20 7946 0958, 0044 ...), North American ((415) 555-0142,
    1-415-555-0142, bare 4155550142) and trunk-0 national forms (020 7946 0958, 01 23 45 67 89); dates, amounts,
    ids and order numbers are left alone (patterns in _text_rules_generated.sql, from the Python layer's
    text_rules.py; a test runs both on the same inputs). NULL stays NULL. -#}
{% macro mask_pii(expr, kind) %}
  {%- set kinds = ['email', 'phone', 'person_name', 'free_text'] -%}
  {%- if kind not in kinds -%}
    {{ exceptions.raise_compiler_error("dbt_grounding.mask_pii: unknown kind '" ~ kind ~ "', expected one of " ~ kinds | join(', ')) }}
  {%- endif -%}
  {{ return(adapter.dispatch('mask_pii', 'dbt_grounding')(expr, kind)) }}
{% endmacro %}

{% macro default__mask_pii(expr, kind) -%}
  {%- set folded = dbt_grounding.fold_lookalikes(expr) -%}
  {%- if kind == 'email' -%}
    case
      when {{ dbt_grounding.regexp_matches(folded, '^(' ~ dbt_grounding.email_pattern() ~ ')$') }}
      then {{ dbt_grounding.regexp_replace_all(folded, '^[^@]*@', '***@') }}
      when {{ expr }} is not null then '[email]'
    end
  {%- elif kind == 'phone' -%}
    case when {{ expr }} is not null then '[phone]' end
  {%- elif kind == 'person_name' -%}
    case when {{ expr }} is not null then '[name]' end
  {%- else -%}
    {%- set no_emails = dbt_grounding.regexp_replace_all(folded, dbt_grounding.email_pattern(), '[email]') -%}
    {#- twice: the separator after one number is the boundary before the next -#}
    {%- set once = dbt_grounding.regexp_replace_all(no_emails, dbt_grounding.phone_pattern(), dbt_grounding.phone_replacement()) -%}
    {{ dbt_grounding.regexp_replace_all(once, dbt_grounding.phone_pattern(), dbt_grounding.phone_replacement()) }}
  {%- endif -%}
{%- endmacro %}

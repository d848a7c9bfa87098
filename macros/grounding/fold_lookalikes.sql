{#- `expr` with compatibility look-alikes folded to ASCII ('＠' -> '@', full-width digits and letters, '﹫', '．')
    and invisible format characters (zero-width space and joiners, bidi controls, soft hyphen) removed: what
    mask_pii scrubs and serves. One translate() over the table of _text_rules_generated.sql (every character whose
    NFKC form is an ASCII letter, digit or address/phone punctuation). -#}
{% macro fold_lookalikes(expr) -%}
  {{ return(adapter.dispatch('fold_lookalikes', 'dbt_grounding')(expr, dbt_grounding.serving_fold_from(), dbt_grounding.serving_fold_to())) }}
{%- endmacro %}

{#- The form instruction_like_text matches in: folded as above, ASCII lower case, Cyrillic and Greek letters drawn
    like Latin ones folded to them, white space collapsed to single spaces. Never served. -#}
{% macro matching_form(expr) -%}
  {%- set folded = adapter.dispatch('fold_lookalikes', 'dbt_grounding')(expr, dbt_grounding.matching_fold_from(), dbt_grounding.matching_fold_to()) -%}
  {{ return(dbt_grounding.regexp_replace_all(folded, "[ \t\n\r\u000b\u000c]+", ' ')) }}
{%- endmacro %}

{% macro default__fold_lookalikes(expr, from_chars, to_chars) -%}
  translate({{ expr }}, '{{ from_chars | replace("'", "''") }}', '{{ to_chars | replace("'", "''") }}')
{%- endmacro %}

{% macro spark__fold_lookalikes(expr, from_chars, to_chars) -%}
  translate({{ expr }}, '{{ from_chars | replace('\\', '\\\\') | replace("'", "\\'") }}', '{{ to_chars | replace('\\', '\\\\') | replace("'", "\\'") }}')
{%- endmacro %}

{#- True when free text contains phrases that address an AI model rather than a person ("ignore previous
    instructions", "you are now", "system:"). Such text is still data: grounding marts flag it so the serving layer
    and reviewers can fence or drop it, instead of an agent obeying it. -#}
{% macro instruction_like_text(expr) -%}
  {{ dbt_grounding.regexp_matches('lower(' ~ expr ~ ')', dbt_grounding.instruction_like_pattern()) }}
{%- endmacro %}

{#- Phrases must stand as words ('ecosystem:' and 'you are nowhere' do not match); words are separated by single
    spaces, as clean_text leaves them. -#}
{% macro instruction_like_pattern() -%}
  (^|[^a-z])((ignore|disregard|forget) (all |any )?(the )?(previous|prior|above|earlier) (instructions|prompts|rules)|you are now|system ?:|new instructions ?:)([^a-z]|$)
{%- endmacro %}

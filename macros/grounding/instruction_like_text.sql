{#- True when text reads as addressed to an AI model rather than a person ("ignore previous instructions", "you
    are now", "system:", "AI agent: ...", "mark this account as ..."), matched as whole phrases in matching_form
    (look-alikes folded, lower case, single spaces). Such text is still data: grounding marts flag it so the
    serving layer and reviewers can fence or drop it, instead of an agent obeying it. The pattern is
    instruction_like_pattern in _text_rules_generated.sql, shared with the Python layer. -#}
{% macro instruction_like_text(expr) -%}
  {{ dbt_grounding.regexp_matches(dbt_grounding.matching_form(expr), dbt_grounding.instruction_like_pattern()) }}
{%- endmacro %}

{#- Quarantine rules as data. `rules` is an ordered list of {'when': SQL condition, 'reason': code,
    'detail': SQL text expression}; a row gets the reason and detail of the first rule whose condition is true,
    NULL when none is (the row is accepted). Reason codes are a closed list, tested with accepted_values. -#}
{% macro _rejection_reason(rules) -%}
  case
  {%- for rule in rules %}
    when {{ rule.when }} then '{{ rule.reason }}'
  {%- endfor %}
  end
{%- endmacro %}

{% macro _rejection_detail(rules) -%}
  case
  {%- for rule in rules %}
    when {{ rule.when }} then {{ rule.detail }}
  {%- endfor %}
  end
{%- endmacro %}

{#- Rules shared by every entity. -#}
{% macro rule_required(column, raw_column=none) -%}
  {{ return({'when': column ~ ' is null', 'reason': 'missing_required_field',
             'detail': "'" ~ (raw_column or column) ~ " is empty'"}) }}
{%- endmacro %}

{% macro rule_parses(typed_column, text_column, reason) -%}
  {{ return({'when': text_column ~ ' is not null and ' ~ typed_column ~ ' is null', 'reason': reason,
             'detail': "'" ~ typed_column ~ " does not parse: ' || " ~ text_column}) }}
{%- endmacro %}

{% macro rule_accepted(column, values, reason='unknown_category') -%}
  {{ return({'when': column ~ " not in ('" ~ values | join("', '") ~ "')", 'reason': reason,
             'detail': "'" ~ column ~ " is not one of " ~ values | join(', ') ~ ": ' || " ~ column}) }}
{%- endmacro %}

{#- Rule: the foreign key must reference an accepted row; `exists_column` is the parent's key from a left join,
    NULL when there is no such parent. -#}
{% macro rule_references(column, exists_column, parent, shown_column=none) -%}
  {{ return({'when': exists_column ~ ' is null', 'reason': 'orphan_foreign_key',
             'detail': "'" ~ column ~ " has no accepted " ~ parent ~ ": ' || " ~ (shown_column or column)}) }}
{%- endmacro %}

{#- A row that passed the rules above is a duplicate when another passing row has the same natural key and was
    loaded later (ties: the larger loader record id). Returns the SQL of that condition. -#}
{% macro _is_superseded_duplicate(key_columns) -%}
  row_number() over (
      partition by {{ key_columns | join(', ') }}
      order by loaded_at desc, loader_record_id desc
  ) > 1
{%- endmacro %}

{#- The body of a base model's last CTE: every row of `from_cte` with `rejection_reason` and `rejection_detail`
    from `rules`, then the duplicate rule on `key_columns` among the rows that passed them. -#}
{% macro select_with_rejections(from_cte, rules, key_columns) -%}
  {%- set superseded = dbt_grounding._is_superseded_duplicate(['rule_rejection_reason'] + key_columns) -%}
  select
      *,
      case
          when rule_rejection_reason is not null then rule_rejection_reason
          when {{ superseded }} then 'duplicate_record'
      end as rejection_reason,
      case
          when rule_rejection_reason is not null then rule_rejection_detail
          when {{ superseded }} then '{{ key_columns | join(", ") }} loaded again later'
      end as rejection_detail
  from (
      select
          *,
          {{ dbt_grounding._rejection_reason(rules) }} as rule_rejection_reason,
          {{ dbt_grounding._rejection_detail(rules) }} as rule_rejection_detail
      from {{ from_cte }}
  ) as checked
{%- endmacro %}

{#- Fails with every row where `expression` is not true. Use `config: where:` to scope it. -#}
{% test expression_is_true(model, expression, column_name=none) %}
select *
from {{ model }}
where not coalesce({{ expression }}, false)
{% endtest %}

{#- Fails with every row where `expression` is not true (NULL counts as not true). As a column test the column is
    put in front of the expression, as dbt-utils does (`expression: "> 0"`). Use `config: where:` to scope it. -#}
{% test expression_is_true(model, expression, column_name=none) %}
select *
from {{ model }}
where not coalesce({% if column_name %}{{ column_name }} {% endif %}{{ expression }}, false)
{% endtest %}

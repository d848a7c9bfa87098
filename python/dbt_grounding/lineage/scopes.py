"""Questions about sqlglot scopes that column lineage asks (lineage.sql_lineage): which branches give a set
operation its values, where a name sits among a scope's outputs, what a name in a scope refers to."""

from __future__ import annotations

from sqlglot import exp
from sqlglot.optimizer.scope import Scope

def value_branches(scope: Scope) -> list[Scope]:
    """The branches a set operation's values come from: EXCEPT returns rows of its left branch only (the right one
    only removes rows, as a filter does); UNION and INTERSECT return values every branch holds."""
    branches = list(scope.set_operation_scopes)
    return branches[:1] if isinstance(scope.expression, exp.Except) else branches


def leftmost(scope: Scope) -> Scope:
    while isinstance(scope.expression, exp.SetOperation) and scope.set_operation_scopes:
        scope = scope.set_operation_scopes[0]
    return scope


def position(scope: Scope, name: str) -> int | None:
    """Where column `name` is among the columns a (set operation) scope returns, or None when no `*` of unknown
    columns comes before it (or it is not listed)."""
    for index, projection in enumerate(leftmost(scope).expression.selects):
        if projection.is_star:
            return None
        if projection.alias_or_name == name:
            return index
    return None


def output_names(scope: Scope) -> list[str]:
    """The named columns a query returns: the first branch's for a set operation, every branch's for UNION BY
    NAME (a `*` of unknown columns adds none)."""
    expression = scope.expression
    if isinstance(expression, exp.SetOperation):
        if expression.args.get("by_name"):
            return list(dict.fromkeys(name for branch in scope.set_operation_scopes for name in output_names(branch)))
        return output_names(leftmost(scope))
    return list(dict.fromkeys(name for name in expression.named_selects if name and name != "*"))


def hides_columns(scope: Scope) -> bool:
    """Whether a `*` of unknown columns hides some of the columns the query returns."""
    expression = scope.expression
    if isinstance(expression, exp.SetOperation):
        if expression.args.get("by_name"):
            return any(hides_columns(branch) for branch in scope.set_operation_scopes)
        return hides_columns(leftmost(scope))
    return expression.is_star


def selected(scope: Scope) -> list[str]:
    """The relations a scope's FROM and JOINs read (its `sources` also hold every CTE defined before it)."""
    selected = [alias for alias in scope.selected_sources if alias]
    return selected or [alias for alias in scope.sources if alias]


def source(scope: Scope, alias: str) -> Scope | exp.Table | None:
    """The relation an alias names, looking outwards for correlated subqueries."""
    current: Scope | None = scope
    while current is not None:
        source = current.sources.get(alias)
        if source is not None:
            return source
        current = current.parent
    return None


def is_recursive_reference(scope: Scope, source: Scope | exp.Table) -> bool:
    """Whether `source` is a CTE that `scope` is part of (WITH RECURSIVE r AS (... FROM r ...)); sqlglot gives
    such a reference a stand-in scope over the anchor branch alone."""
    if not isinstance(source, Scope) or not source.is_cte:
        return False
    cte = source.expression.find_ancestor(exp.CTE)
    node: exp.Expr | None = scope.expression
    while node is not None and cte is not None:
        if node is cte:
            return True
        node = node.parent
    return False


def is_lambda_variable(column: exp.Column) -> bool:
    lam = column.find_ancestor(exp.Lambda)
    while lam is not None:
        if any(parameter.name == column.name for parameter in lam.expressions):
            return True
        lam = lam.find_ancestor(exp.Lambda)
    return False


def describe(scope: Scope) -> str:
    parent = scope.expression.parent
    if scope.is_cte and isinstance(parent, exp.CTE):
        return f"CTE {parent.alias}"
    if scope.is_derived_table and isinstance(parent, exp.Subquery) and parent.alias:
        return f"subquery {parent.alias}"
    return "the final SELECT" if scope.is_root else "a subquery"


def table_name(table: exp.Table) -> str:
    return ".".join(part.name for part in table.parts)

"""Inside one compiled SELECT: the parent-relation columns each output column is computed from.

sqlglot parses and qualifies the SQL once and builds its scopes once; one walk over them, memoized per (scope,
column), answers every output column, where one `sqlglot.lineage` call per column would qualify the SQL and build
its scopes again for each. A column's inputs are the columns its expression reads (through CTEs, derived
tables, `*`, CASE, arithmetic, aggregates, window functions, scalar subqueries, UNION branches), not the columns
that only filter or join rows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.optimizer.qualify import qualify
from sqlglot.optimizer.scope import Scope, build_scope, find_all_in_scope
from sqlglot.schema import MappingSchema

from dbt_grounding.lineage.relations import RelationKey
from dbt_grounding.lineage import scopes
from dbt_grounding.lineage.types import ColumnRef, LineageIssue, ModelColumns, OutputColumn

# A name no real column has: resolving it shows where an output column hidden behind an unexpanded `*` comes from.
_UNLISTED = "\x00unlisted"

_Issue = tuple[str, str]  # (code, message)
_Found = tuple[frozenset[ColumnRef], frozenset[_Issue]]
_NOTHING: _Found = (frozenset(), frozenset())


@dataclass(frozen=True)
class RelationNames:
    """Which node each relation in the SQL is: physical relations by key, ephemeral models by their CTE name."""

    by_key: Mapping[RelationKey, str]
    ephemeral_ctes: Mapping[str, str] = field(default_factory=dict)  # casefolded `__dbt__cte__<name>` -> unique_id
    # Columns the yml documents for relations sqlglot has no complete list of (casefolded): they tell which
    # relation an unqualified column comes from, but cannot expand a `*`.
    partial_columns: Mapping[str, frozenset[str]] = field(default_factory=dict)
    _folded: dict[RelationKey, str] = field(default_factory=dict, init=False, repr=False)
    _by_table: dict[str, list[str]] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        for key, unique_id in self.by_key.items():
            self._folded[tuple(part.casefold() for part in key)] = unique_id
            self._by_table.setdefault(key[-1].casefold(), []).append(unique_id)

    def unique_id(self, table: exp.Table) -> str | None:
        """The node a table reference names: exact key, then case-insensitive, then by table name alone if only
        one parent has it (SQL written without database or schema)."""
        key = tuple(part.name for part in table.parts)
        found = self.by_key.get(key) or self._folded.get(tuple(part.casefold() for part in key))
        if found is None and len(key) < 3:
            candidates = self._by_table.get(key[-1].casefold(), [])
            found = candidates[0] if len(candidates) == 1 else None
        return found

    def ephemeral(self, cte_name: str) -> str | None:
        return self.ephemeral_ctes.get(cte_name.casefold())


def resolve_select(
    unique_id: str, sql: str, *, dialect: str | None, schema: MappingSchema, relations: RelationNames
) -> ModelColumns:
    """Resolve every output column of the model's compiled SQL to the parent-relation columns it reads.

    Never raises for bad SQL: a parse or qualify failure comes back as a model-level issue.
    """
    try:
        query = _parse_query(sql, dialect)
    except SqlglotError as error:
        return ModelColumns.unreadable(
            unique_id, "parse_error", f"sqlglot cannot parse the compiled SQL: {_first_line(error)}"
        )
    except _NotAQuery:
        return ModelColumns.unreadable(unique_id, "not_a_query", "the compiled SQL holds no SELECT statement")
    try:
        root = _qualified_scope(query, dialect, schema, qualify_columns=True)
    except Exception:  # noqa: BLE001 - sqlglot raises more than SqlglotError on SQL it does not model
        # sqlglot refuses some columns it cannot place without schemas (an unqualified column in a subquery over a
        # relation of unknown columns). Without its column qualification the walker still places them by name.
        try:
            root = _qualified_scope(_parse_query(sql, dialect), dialect, schema, qualify_columns=False)
        except Exception as error:  # noqa: BLE001 - as above
            return ModelColumns.unreadable(
                unique_id, "qualify_error",
                f"sqlglot cannot resolve the names in the compiled SQL: {type(error).__name__}: {_first_line(error)}",
            )
    if root is None:
        return ModelColumns.unreadable(unique_id, "not_a_query", "the compiled SQL holds no SELECT statement")
    return _ScopeWalker(root, schema, relations).model_columns(unique_id)


class _NotAQuery(Exception):
    pass


def _parse_query(sql: str, dialect: str | None) -> exp.Query:
    # A model's compiled code is one SELECT, possibly after a SET or with a trailing `;`: take the last query.
    statements = sqlglot.parse(sql, dialect=dialect)
    queries = [statement for statement in statements if isinstance(statement, exp.Query)]
    if not queries:
        raise _NotAQuery
    return queries[-1]


def _qualified_scope(
    query: exp.Query, dialect: str | None, schema: MappingSchema, *, qualify_columns: bool
) -> Scope | None:
    qualified = qualify(
        query, dialect=dialect, schema=schema, qualify_columns=qualify_columns,
        validate_qualify_columns=False, identify=False, quote_identifiers=False,  # no SQL is generated
    )
    return build_scope(qualified)


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return re.sub(r"\x1b\[[0-9;]*m", "", text[0]) if text else type(error).__name__  # sqlglot underlines with ANSI


def _merge(parts: Iterable[_Found]) -> _Found:
    inputs: set[ColumnRef] = set()
    issues: set[_Issue] = set()
    for part_inputs, part_issues in parts:
        inputs |= part_inputs
        issues |= part_issues
    return frozenset(inputs), frozenset(issues)


def _issue(code: str, message: str) -> _Found:
    return frozenset(), frozenset({(code, message)})


class _ScopeWalker:
    """Walks a qualified query's scopes from an output column down to the physical relations it reads."""

    def __init__(self, root: Scope, schema: MappingSchema, relations: RelationNames) -> None:
        self._root = root
        self._schema = schema
        self._relations = relations
        self._memo: dict[tuple[int, str], _Found] = {}
        self._in_progress: set[tuple[int, str]] = set()
        self._selects: dict[int, dict[str, exp.Expr]] = {}
        self._subquery_scopes = {
            id(subquery.expression): subquery for scope in root.traverse() for subquery in scope.subquery_scopes
        }

    def model_columns(self, unique_id: str) -> ModelColumns:
        columns = []
        for name in scopes.output_names(self._root):
            inputs, issues = self._column(self._root, name)
            columns.append(OutputColumn(
                name=name,
                inputs=sorted(inputs),
                issues=sorted(LineageIssue(unique_id, name, code, message) for code, message in issues),
            ))
        complete = not scopes.hides_columns(self._root)
        passthrough: list[str] = []
        passthrough_issues: list[LineageIssue] = []
        if not complete:
            hidden_inputs, hidden_issues = self._column(self._root, _UNLISTED)
            passthrough = sorted({ref.unique_id for ref in hidden_inputs})
            passthrough_issues = sorted(LineageIssue(unique_id, None, code, message) for code, message in hidden_issues)
        return ModelColumns(unique_id=unique_id, columns=columns, complete=complete, passthrough=passthrough,
                            passthrough_issues=passthrough_issues)

    # -- one column of one scope

    def _column(self, scope: Scope, name: str) -> _Found:
        key = (id(scope), name)
        found = self._memo.get(key)
        if found is not None:
            return found
        if key in self._in_progress:  # a recursive CTE reading its own column
            return _issue("cycle", f"column {name} is computed from itself (recursive CTE)")
        self._in_progress.add(key)
        try:
            found = self._column_uncached(scope, name)
        finally:
            self._in_progress.discard(key)
        self._memo[key] = found
        return found

    def _column_uncached(self, scope: Scope, name: str) -> _Found:
        expression = scope.expression
        if isinstance(expression, exp.SetOperation):
            return self._set_operation_column(scope, name)
        if isinstance(expression, exp.Select):
            projection = self._projection(scope, name)
            if projection is not None:
                return self._expression(scope, projection)
            if expression.is_star:
                return self._through_star(scope, name)
            return _issue("unknown_column", f"no column {name} in {scopes.describe(scope)}")
        if isinstance(expression, exp.UDTF):  # UNNEST(x.arr) AS y(elem): elem is computed from x.arr
            return self._expression(scope, expression)
        return _issue("unresolved_column", f"cannot trace column {name} through {type(expression).__name__}")

    def _set_operation_column(self, scope: Scope, name: str) -> _Found:
        """Column `name` of a UNION / INTERSECT / EXCEPT: from every branch whose rows it returns. Branches match
        by position (by name for DuckDB's UNION BY NAME); the first branch names the columns. Where a `*` of
        unknown columns hides the position, each other branch's same-named column is the best guess, and the
        trace says it is one."""
        branches = scopes.value_branches(scope)
        if scope.expression.args.get("by_name"):
            return _merge(self._column(branch, name) for branch in branches)
        first, *others = branches
        position = scopes.position(first, name)
        if position is not None:
            return _merge(self._branch_column(branch, position, name) for branch in branches)
        if not others:
            return self._column(first, name)
        return _merge([self._column(first, name), *(self._by_name(branch, name) for branch in others),
                       _issue("unresolved_star", "its position in a set operation is hidden by a `*` of unknown "
                                                 "columns in the first branch: the other branches' column there "
                                                 "cannot be told (matched by name)")])

    def _branch_column(self, branch: Scope, index: int, name: str) -> _Found:
        """The column at `index` of one set operation branch: branches match by position, not by name."""
        expression = branch.expression
        if isinstance(expression, exp.SetOperation):
            return _merge(self._branch_column(inner, index, name) for inner in scopes.value_branches(branch))
        projections = expression.selects
        if any(projection.is_star for projection in projections[: index + 1]):
            return _merge([self._by_name(branch, name), _issue(
                "unresolved_star", "a branch of a set operation has a `*` of unknown columns at or before its "
                                   "position: which column is there cannot be told (matched by name)")])
        if index >= len(projections):
            return _issue("unknown_column", f"a set operation branch has no column at position {index + 1} ({name})")
        return self._expression(branch, projections[index])

    def _by_name(self, branch: Scope, name: str) -> _Found:
        """A branch's same-named column, a guess where positions are unknown: its inputs, not its problems. A column
        not listed in the first branch may be any of a listing branch's columns: all of them are candidates."""
        if name == _UNLISTED and not scopes.hides_columns(branch):
            inputs, _ = self._every_projection(branch)
        else:
            inputs, _ = self._column(branch, name)
        return inputs, frozenset()

    def _projection(self, scope: Scope, name: str) -> exp.Expr | None:
        by_name = self._selects.get(id(scope))
        if by_name is None:
            by_name = {}
            for projection in scope.expression.selects:
                by_name.setdefault(projection.alias_or_name, projection)
            self._selects[id(scope)] = by_name
        return by_name.get(name)

    def _through_star(self, scope: Scope, name: str) -> _Found:
        """A column not listed in a SELECT with an unexpanded `*`: it is the same-named column of one of the
        relations the star covers."""
        aliases: list[str] = []
        for projection in scope.expression.selects:
            if isinstance(projection, exp.Star):
                aliases.extend(scopes.selected(scope))
            elif isinstance(projection, exp.Column) and isinstance(projection.this, exp.Star):
                aliases.append(projection.table)
        return self._from_one_of(scope, name, list(dict.fromkeys(aliases)))

    # -- an expression: every column it reads

    def _expression(self, scope: Scope, expression: exp.Expr) -> _Found:
        parts = []
        for column in find_all_in_scope(expression, exp.Column):
            if isinstance(column.this, exp.Star) or scopes.is_lambda_variable(column):
                continue  # count(t.*) reads no one column; a lambda's parameter is no column at all
            if column.table:
                parts.append(self._qualified(scope, column.table, column.name))
            else:
                parts.append(self._unqualified(scope, column.name))
        for query in find_all_in_scope(expression, *exp.UNWRAPPED_QUERIES):
            subquery = self._subquery_scopes.get(id(query))
            if subquery is not None:  # a scalar subquery: its value comes from what it selects
                parts.append(self._every_projection(subquery))
        return _merge(parts)

    def _every_projection(self, scope: Scope) -> _Found:
        """Everything a (sub)query selects, named or not."""
        expression = scope.expression
        if isinstance(expression, exp.SetOperation):
            width = len(expression.selects)
            return _merge(
                self._branch_column(branch, index, f"#{index + 1}")
                for branch in scopes.value_branches(scope) for index in range(width)
            )
        return _merge(self._expression(scope, projection) for projection in expression.selects)

    def _qualified(self, scope: Scope, alias: str, name: str) -> _Found:
        source = scopes.source(scope, alias)
        if source is None:
            return _issue("unresolved_column", f"column {alias}.{name} names no relation in scope")
        return self._from_source(scope, source, name)

    def _unqualified(self, scope: Scope, name: str) -> _Found:
        # sqlglot qualifies every column it can; one left bare reads a relation of unknown columns, or an outer
        # query's relation (correlated subquery).
        current = scope
        while True:
            found = self._from_one_of(current, name, scopes.selected(current))
            if found[0] or current.parent is None or not (current.is_subquery or current.is_udtf):
                return found
            current = current.parent

    def _from_one_of(self, scope: Scope, name: str, aliases: list[str]) -> _Found:
        """The column `name` of whichever of the relations `aliases` has it."""
        sources = {alias: source for alias in aliases if (source := scopes.source(scope, alias)) is not None}
        if not sources:
            return _issue("unresolved_column", f"column {name} reads no relation")
        if len(sources) == 1:
            return self._from_source(scope, next(iter(sources.values())), name)
        has = {alias: self._may_have(source, name) for alias, source in sources.items()}
        holders = [alias for alias, answer in has.items() if answer is True]
        if len(holders) == 1:
            return self._from_source(scope, sources[holders[0]], name)
        unknown = [alias for alias, answer in has.items() if answer is None]
        if not holders and len(unknown) == 1:
            return self._from_source(scope, sources[unknown[0]], name)
        if holders or unknown:
            candidates = ", ".join(sorted(holders or unknown))
            return _issue("ambiguous_column", f"column {name} could come from any of {candidates}")
        return _issue("unresolved_column", f"column {name} is in none of {', '.join(sorted(sources))}")

    def _may_have(self, source: Scope | exp.Expr, name: str) -> bool | None:
        """Whether a relation has column `name`: True, False, or None when its columns are unknown."""
        if isinstance(source, Scope):
            expression = source.expression
            if isinstance(expression, exp.UDTF):
                names = expression.alias_column_names
                return (name in names) if names else None
            if isinstance(expression, (exp.Select, exp.SetOperation)):
                return True if name in expression.named_selects else (None if expression.is_star else False)
            return None
        if isinstance(source, exp.Table):
            columns = self._schema.find(source, raise_on_missing=False)
            if columns is not None:
                return name in columns
            unique_id = self._relations.unique_id(source)
            documented = self._relations.partial_columns.get(unique_id, frozenset()) if unique_id else frozenset()
            return True if name.casefold() in documented else None
        return None

    def _from_source(self, scope: Scope, source: Scope | exp.Expr, name: str) -> _Found:
        """Column `name` of `source`, read from `scope`."""
        if scopes.is_recursive_reference(scope, source):
            return _NOTHING  # a recursive CTE's own rows: their columns come from its anchor branch, traced already
        if isinstance(source, Scope):
            if source.is_cte and isinstance(source.expression.parent, exp.CTE):
                ephemeral = self._relations.ephemeral(source.expression.parent.alias)
                if ephemeral is not None:  # an ephemeral model inlined as a CTE is a hop of its own
                    return frozenset({ColumnRef(ephemeral, name)}), frozenset()
            return self._column(source, name)
        if isinstance(source, exp.Table):
            unique_id = self._relations.unique_id(source)
            if unique_id is None:
                return _issue("unknown_relation", f"{scopes.table_name(source)} is no node the model depends on")
            return frozenset({ColumnRef(unique_id, name)}), frozenset()
        return _issue("unresolved_column", f"cannot trace column {name} through {type(source).__name__}")

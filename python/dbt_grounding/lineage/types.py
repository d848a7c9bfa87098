"""The values column lineage is made of: column references, issues, one model's resolved output columns, and the
result of tracing a node's columns (ColumnLineage: here, not in columns.py, so rendering it imports no sqlglot).

`ModelColumns` is what the on-disk cache stores, so every struct here encodes to deterministic JSON.
"""

from __future__ import annotations

import msgspec


class ColumnRef(msgspec.Struct, frozen=True, order=True):
    """One column of one node: `source.pkg.crm.customers` + `contact_email`."""

    unique_id: str
    column: str

    def __str__(self) -> str:
        return f"{self.unique_id}.{self.column}"


class LineageIssue(msgspec.Struct, frozen=True, order=True):
    """Why tracing stopped short or is uncertain at one node (and column, when it is about one column).

    `code` is stable, so callers can filter on it: see ISSUE_CODES.
    """

    unique_id: str
    column: str | None
    code: str
    message: str


ISSUE_CODES = {
    "no_compiled_code": "the model has no compiled SQL in manifest.json (run `dbt compile` or `dbt build`)",
    "python_model": "the model is a Python model: its columns cannot be read from SQL",
    "parse_error": "sqlglot cannot parse the compiled SQL",
    "qualify_error": "sqlglot cannot resolve the names in the compiled SQL",
    "not_a_query": "the compiled code holds no SELECT",
    "unknown_column": "the column is not among the node's output columns",
    "ambiguous_column": "an unqualified column could come from several relations",
    "unresolved_column": "the relation a column comes from cannot be told",
    "unknown_relation": "the SQL reads a table that is no node the model depends on",
    "unresolved_star": "a `*` over columns that are not known, where position matters (UNION, INTERSECT, EXCEPT)",
    "cycle": "the column reads itself (recursive CTE or a model reading its own relation)",
}


class OutputColumn(msgspec.Struct, frozen=True):
    """One output column of a model and the parent-relation columns its value is computed from."""

    name: str
    inputs: list[ColumnRef] = []
    issues: list[LineageIssue] = []


class ModelColumns(msgspec.Struct, frozen=True):
    """One model's compiled SELECT resolved one hop: output columns -> columns of the relations it reads.

    Attributes:
        complete: False when a `select *` over a relation of unknown columns hides some output columns.
        passthrough: unique_ids an output column not listed in `columns` would come from unchanged (that `*`).
        passthrough_issues: why that is uncertain (a `*` in a UNION branch hides the column's position), if it is.
        issues: problems with the whole model (no compiled SQL, unparseable SQL); then `columns` is empty.
    """

    unique_id: str
    columns: list[OutputColumn] = []
    complete: bool = True
    passthrough: list[str] = []
    passthrough_issues: list[LineageIssue] = []
    issues: list[LineageIssue] = []

    @classmethod
    def unreadable(cls, unique_id: str, code: str, message: str) -> ModelColumns:
        """A model whose columns cannot be resolved at all, and why."""
        return cls(unique_id=unique_id, issues=[LineageIssue(unique_id, None, code, message)])

    def column(self, name: str) -> OutputColumn | None:
        """The output column called `name`: exact match first, then case-insensitive."""
        for column in self.columns:
            if column.name == name:
                return column
        folded = name.casefold()
        return next((column for column in self.columns if column.name.casefold() == folded), None)


class ColumnTrace(msgspec.Struct, frozen=True):
    """Where one column's values come from.

    Attributes:
        column: the traced column.
        sources: the source and seed columns it is computed from, sorted.
        unresolved: columns where tracing stopped early (see `issues`), sorted.
        paths: every chain of hops from the traced column (first) to where its lineage ends (last): a source or
            seed column, an unresolved column, or a column computed from no column; sorted.
        paths_truncated: more than columns.MAX_PATHS_PER_COLUMN paths existed; `sources` is complete regardless.
        issues: every problem met on the way, sorted.
        constant: the column's own expression reads no column (a literal, `count(*)`, `current_date`).
    """

    column: str
    sources: list[ColumnRef] = []
    unresolved: list[ColumnRef] = []
    paths: list[list[ColumnRef]] = []
    paths_truncated: bool = False
    issues: list[LineageIssue] = []
    constant: bool = False


class LineageStats(msgspec.Struct, frozen=True):
    """What the call cost: models parsed by sqlglot, and models read from the on-disk cache (sorted)."""

    parsed: list[str] = []
    from_cache: list[str] = []


class ColumnLineage(msgspec.Struct, frozen=True):
    """Column lineage of one node.

    Attributes:
        unique_id: the traced node.
        dialect: the sqlglot dialect its SQL was read with (None: generic SQL).
        columns: one trace per traced column, in the node's column order.
        edges: every column met -> the columns it is computed from directly (one hop), keys sorted.
        resource_types: unique_id -> resource_type of every node in `edges`.
        warnings: node-level problems (no compiled SQL, unparseable SQL), one line each, sorted.
        stats: cost of the call; not part of any rendering.
    """

    unique_id: str
    dialect: str | None
    columns: dict[str, ColumnTrace]
    edges: dict[ColumnRef, list[ColumnRef]]
    resource_types: dict[str, str]
    warnings: list[str] = []
    stats: LineageStats = LineageStats()

    def trace(self, column: str) -> ColumnTrace | None:
        """The trace of `column` (exact name, else case-insensitive), or None if it was not traced."""
        found = self.columns.get(column)
        if found is None:
            folded = column.casefold()
            found = next((trace for name, trace in self.columns.items() if name.casefold() == folded), None)
        return found

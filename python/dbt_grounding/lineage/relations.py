"""Parent relations as sqlglot sees them in compiled SQL: their names, and the columns each is known to have."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

import msgspec
from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.optimizer.normalize_identifiers import normalize_identifiers
from sqlglot.schema import MappingSchema

# Identifier names, outermost first (database, schema, table), normalized the way sqlglot normalizes the SQL.
RelationKey = tuple[str, ...]

UNKNOWN_TYPE = "UNKNOWN"


# Where a column list comes from; the first three are complete lists, "declared" may document only some columns.
COMPLETE_ORIGINS = frozenset({"sql", "catalog", "contract"})


class RelationSchema(msgspec.Struct, frozen=True):
    """The columns a relation is known to have, in order, and where that knowledge comes from.

    origin: "sql" (the parent's own compiled SELECT), "catalog" (catalog.json), "contract" (the yml columns of an
    enforced contract, which dbt checks are all of them), "declared" (yml columns: maybe only some),
    or "unknown".
    """

    unique_id: str
    key: RelationKey | None
    columns: list[tuple[str, str]] = []
    origin: str = "unknown"

    @property
    def complete(self) -> bool:
        return self.origin in COMPLETE_ORIGINS


def relation_key(relation_name: str | None, dialect: str | None) -> RelationKey | None:
    """`"warehouse"."main"."stg_x"` -> ("warehouse", "main", "stg_x"), or None if it cannot be read."""
    if not relation_name:
        return None
    try:
        table = normalize_identifiers(exp.to_table(relation_name, dialect=dialect), dialect=dialect)
    except (SqlglotError, ValueError):
        return None
    return tuple(part.name for part in table.parts)


def mapping_schema(schemas: Iterable[RelationSchema], dialect: str | None) -> MappingSchema:
    """One sqlglot schema for the relations a model reads.

    Only complete column lists go in: sqlglot expands `select *` from the schema, so a partial list would silently
    drop columns. Relations left out are unknown to sqlglot, and the walker resolves their columns by name.
    """
    known = [schema for schema in schemas if schema.complete and schema.columns and schema.key]
    if not known:
        return MappingSchema({}, dialect=dialect)
    # sqlglot needs one nesting depth for every table; an adapter writes relation names of one shape.
    depth = Counter(len(schema.key) for schema in known).most_common(1)[0][0]  # type: ignore[arg-type]
    nested: dict = {}
    for schema in known:
        if len(schema.key) != depth:  # type: ignore[arg-type]
            continue
        *outer, table = schema.key  # type: ignore[misc]
        level = nested
        for part in outer:
            level = level.setdefault(_quoted(part, dialect), {})
        # Names from SQL or the warehouse are exact: quoting keeps them as they are. Names typed in yml are
        # normalized like unquoted identifiers, as the SQL referring to them is.
        exact = schema.origin != "contract"
        level[_quoted(table, dialect)] = {
            (_quoted(name, dialect) if exact else name): data_type for name, data_type in schema.columns
        }
    return MappingSchema(nested, dialect=dialect)


def _quoted(name: str, dialect: str | None) -> str:
    return exp.to_identifier(name, quoted=True).sql(dialect=dialect)

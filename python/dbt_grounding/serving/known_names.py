"""The person names the warehouse knows (context.known_names): the distinct values of every column marked
`meta.pii: person_name`, scrubbed from free text served beside them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from dbt_grounding.context.known_names import MAX_NAMES, KnownNames
from dbt_grounding.errors import SchemaDriftError, WarehouseError
from dbt_grounding.grounding.drift import relation_of

if TYPE_CHECKING:
    from dbt_grounding.artifacts import Manifest, Node, Source
    from dbt_grounding.warehouse import Warehouse


def read_known_names(manifest: Manifest, warehouse: Warehouse, short_name: Callable[[str], str]) -> KnownNames:
    """The distinct values of every person_name column (models, seeds, snapshots, sources), bounded by MAX_NAMES.
    Relations that cannot be read are skipped and named in `unread`: names only there are not scrubbed."""
    values: list[Any] = []
    unread: list[str] = []
    with warehouse.session():
        for resource, column in person_name_columns(manifest):
            if len(values) > MAX_NAMES:
                break
            try:
                values += warehouse.distinct_values(relation_of(resource), column, MAX_NAMES + 1 - len(values))
            except (SchemaDriftError, WarehouseError):
                unread.append(f"{short_name(resource.unique_id)}.{column}")
    return KnownNames(values, truncated=len(values) > MAX_NAMES, unread=unread)


def person_name_columns(manifest: Manifest) -> list[tuple[Node | Source, str]]:
    """(node or source, column) for every column marked meta.pii person_name, in unique_id order."""
    resources: list[Node | Source] = [n for n in manifest.nodes.values() if n.resource_type in ("model", "seed", "snapshot")
                                      and n.config.materialized != "ephemeral"]
    resources += list(manifest.sources.values())
    return [(resource, column.name) for resource in sorted(resources, key=lambda r: r.unique_id)
            for column in resource.columns.values()
            if str(column.merged_meta.get("pii", "")).lower() == "person_name"]

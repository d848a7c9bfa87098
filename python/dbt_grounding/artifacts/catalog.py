"""catalog.json: the columns and types the warehouse reported when `dbt docs generate` ran."""

from __future__ import annotations

from pathlib import Path

import msgspec

from dbt_grounding.artifacts._decode import ArtifactMetadata, decode, read_bytes, schema_version

PRODUCED_BY = "dbt docs generate"


class CatalogColumn(msgspec.Struct, frozen=True):
    name: str
    type: str
    index: int = 0


class CatalogTableMetadata(msgspec.Struct, frozen=True):
    name: str
    schema: str
    database: str | None = None
    type: str = ""


class CatalogTable(msgspec.Struct, frozen=True):
    metadata: CatalogTableMetadata
    columns: dict[str, CatalogColumn] = {}


class Catalog(msgspec.Struct, frozen=True):
    metadata: ArtifactMetadata
    nodes: dict[str, CatalogTable] = {}
    sources: dict[str, CatalogTable] = {}

    def table(self, unique_id: str) -> CatalogTable | None:
        return self.nodes.get(unique_id) or self.sources.get(unique_id)


def load_catalog(path: Path) -> Catalog:
    data = read_bytes(path, produced_by=PRODUCED_BY)
    schema_version(data, path, kind="catalog", produced_by=PRODUCED_BY)  # v1 since dbt 0.x: the kind is the check
    return decode(data, path, Catalog, produced_by=PRODUCED_BY)

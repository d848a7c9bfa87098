"""The lineage of one build's artifacts, computed once per process: the nodes upstream of a node, each model's
column lineage (also cached on disk, lineage.cache) and its lineage paths (remembered beside the artifacts while
they trace cleanly, lineage.memory, so a drift can be explained after the build that broke them)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal

from dbt_grounding.lineage import memory, traced

if TYPE_CHECKING:
    from dbt_grounding.artifacts import Catalog, Manifest
    from dbt_grounding.lineage.columns import ColumnLineage
    from dbt_grounding.lineage.graph import ModelLineage


class ProjectLineage:
    """Lineage answers for one manifest (and catalog), cached per unique_id: artifacts do not change while a
    project is open."""

    def __init__(self, manifest: Manifest, catalog: Catalog | None, target_path: Path) -> None:
        self.manifest = manifest
        self.catalog = catalog
        self.target_path = Path(target_path)
        self._upstream: dict[str, list[str]] = {}
        self._columns: dict[str, ColumnLineage] = {}
        self._paths: dict[str, memory.Paths] = {}
        self._trace_key: tuple[str | None] | None = None

    def models(self, unique_id: str, *, direction: Literal["up", "down", "both"] = "both",
               depth: int | None = None) -> ModelLineage:
        """The nodes upstream and/or downstream of `unique_id`, up to `depth` hops."""
        from dbt_grounding.lineage.graph import model_lineage

        return model_lineage(self.manifest, unique_id, direction=direction, depth=depth)

    def upstream(self, unique_id: str) -> list[str]:
        """Every node upstream of `unique_id` (models, seeds, snapshots, sources), sorted."""
        if unique_id not in self._upstream:
            lineage = self.models(unique_id, direction="up")
            self._upstream[unique_id] = sorted(node.unique_id for node in lineage.upstream)
        return self._upstream[unique_id]

    def columns(self, unique_id: str) -> ColumnLineage:
        """Each column of the model traced to its source columns (cached on disk under <target-path>/dbt_grounding/,
        keyed by what the resolution depends on)."""
        if unique_id not in self._columns:
            from dbt_grounding.lineage.cache import default_cache_dir
            from dbt_grounding.lineage.columns import column_lineage

            self._columns[unique_id] = column_lineage(self.manifest, unique_id, catalog=self.catalog,
                                                      cache_dir=default_cache_dir(self.target_path))
        return self._columns[unique_id]

    def traced_paths(self, unique_id: str) -> memory.Paths:
        """Column lineage paths of a model: traced from the current artifacts when they allow it (and then
        remembered), else the last clean trace remembered beside the artifacts, else none. A trace of these very
        artifacts kept by an earlier process (lineage.traced) is read back instead of tracing again."""
        if unique_id not in self._paths:
            current = traced.kept(self.target_path, self.trace_key(), "paths", unique_id, memory.Paths | None,
                                  lambda: self._trace_paths(unique_id))
            self._paths[unique_id] = current if current is not None else (
                memory.recall(self.target_path, unique_id) or {})
        return self._paths[unique_id]

    def _trace_paths(self, unique_id: str) -> memory.Paths | None:
        current = memory.lineage_paths(self.columns(unique_id))
        if current is not None:
            memory.remember(self.target_path, unique_id, current)
        return current

    def trace_key(self) -> str | None:
        """What answers worked out from these artifacts' SQL are kept under (lineage.traced); stamped once, as
        artifacts do not change while a project is open."""
        if self._trace_key is None:
            self._trace_key = (traced.trace_key(self.manifest, self.target_path),)
        return self._trace_key[0]

    def short_name(self, unique_id: str) -> str:
        """The name a person would use: `name`, or `source_name.name` for a source; the unique_id when unknown."""
        resource = self.manifest.resource(unique_id)
        if resource is None:
            return unique_id
        return f"{resource.source_name}.{resource.name}" if resource.resource_type == "source" else resource.name

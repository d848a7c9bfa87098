"""Typed, lenient readers for dbt's artifacts: only the fields dbt-grounding uses, unknown fields accepted.

Names load lazily (PEP 562), each from the module that defines it: model-level lineage reads the manifest graph
alone and must not pay for importing the build record, catalog and run-results readers in a cold process.
"""

from __future__ import annotations

from dbt_grounding._lazy import lazy_exports

_EXPORTS = {
    "BuildRecord": "build_record", "NodeBuild": "build_record",
    "Catalog": "catalog", "load_catalog": "catalog",
    "Artifacts": "loader", "load_artifacts": "loader",
    "Located": "location", "dbt_run_directory": "location", "locate_target_path": "location",
    "Column": "manifest", "Exposure": "manifest", "Manifest": "manifest", "ManifestGraph": "manifest",
    "Node": "manifest", "Source": "manifest", "load_manifest": "manifest", "load_manifest_graph": "manifest",
    "load_indexed": "manifest_index",
    "RunResult": "run_results", "RunResults": "run_results", "load_run_results": "run_results",
    "SourceFreshnessResult": "sources", "SourcesResults": "sources", "load_sources": "sources",
}

__all__ = sorted(_EXPORTS)

__getattr__ = lazy_exports(__name__, _EXPORTS)

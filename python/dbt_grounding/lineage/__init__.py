"""Lineage from dbt artifacts: model-level (upstream/downstream nodes) and column-level (sqlglot over compiled SQL,
hop by hop down to source and seed columns), an on-disk cache, the last clean lineage remembered beside the artifacts
(memory), one project's lineage answers cached per process (ProjectLineage), and text/JSON/Mermaid renderers.

Names load lazily: model-level lineage must not pay for importing sqlglot (~0.1 s in a cold process).
"""

from __future__ import annotations

from dbt_grounding._lazy import lazy_exports

_EXPORTS = {
    "LineageCache": "cache", "default_cache_dir": "cache",
    "ColumnLineage": "types", "ColumnTrace": "types", "LineageStats": "types", "affected_columns": "columns",
    "column_lineage": "columns", "impact_index": "columns",
    "LineageNode": "graph", "ModelLineage": "graph", "model_lineage": "graph",
    "ProjectLineage": "project_lineage",
    "render_json": "render", "render_mermaid": "render", "render_text": "render",
    "ISSUE_CODES": "types", "ColumnRef": "types", "LineageIssue": "types",
}

__all__ = sorted(_EXPORTS)

__getattr__ = lazy_exports(__name__, _EXPORTS)

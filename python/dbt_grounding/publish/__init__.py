"""Write-audit-publish for DuckDB: a build the gate passes is copied into a serving store the build never touches
(publish.store), and agents read that copy (see publish.publisher).

Names load lazily (PEP 562): opening a project reads the store (publish.reading) and must not pay for the publisher,
which imports the gate and DuckDB's whole Python package (a cold `context` reads the warehouse in place)."""

from dbt_grounding._lazy import lazy_exports

_EXPORTS = {
    "Publication": "publisher", "PublishRefusedError": "publisher", "publish": "publisher",
    "publish_project": "publisher",
    "PublishedBuild": "store", "PublishedMart": "store", "read_current": "store",
}

__all__ = sorted(_EXPORTS)

__getattr__ = lazy_exports(__name__, _EXPORTS)

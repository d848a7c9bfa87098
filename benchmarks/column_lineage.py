"""Timings for the lineage toolkit (not a test: nothing asserts a time). From the repository root:

    .venv/bin/python benchmarks/column_lineage.py <target_path> [model]

<target_path> holds manifest.json (and catalog.json, used if present) from a `dbt build` of this package. Prints:
model-level BFS on the real manifest and on a synthetic 5,000-model one (10 layers), and all-column lineage of the
model cold (fresh process state, empty disk cache) and cached (a new call reading the disk cache).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import sqlglot

from dbt_grounding.artifacts import load_catalog, load_manifest
from dbt_grounding.artifacts.manifest import Manifest, ManifestMetadata, Node
from dbt_grounding.lineage import column_lineage, model_lineage


def synthetic_manifest(models: int = 5000, layers: int = 10) -> Manifest:
    """`models` models in `layers` layers, each reading three models of the layer below."""
    per_layer = models // layers
    nodes, parents = {}, {}
    for layer in range(layers):
        for index in range(per_layer):
            uid = f"model.bench.m_{layer}_{index}"
            below = [f"model.bench.m_{layer - 1}_{(index + k) % per_layer}" for k in range(3)] if layer else []
            nodes[uid] = Node(unique_id=uid, resource_type="model", name=f"m_{layer}_{index}")
            parents[uid] = below
    children: dict[str, list[str]] = {uid: [] for uid in nodes}
    for uid, ups in parents.items():
        for parent in ups:
            children[parent].append(uid)
    metadata = ManifestMetadata(dbt_schema_version="https://schemas.getdbt.com/dbt/manifest/v12.json")
    return Manifest(metadata=metadata, nodes=nodes, parent_map=parents, child_map=children)


def best_of(function, repeat: int = 200) -> float:
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def main() -> None:
    target = Path(sys.argv[1])
    model = sys.argv[2] if len(sys.argv) > 2 else "fct_customer_health_summary"
    manifest = load_manifest(target / "manifest.json")
    catalog = load_catalog(target / "catalog.json") if (target / "catalog.json").exists() else None
    root = manifest.model(model).unique_id

    parents_ms = 1e3 * best_of(lambda: model_lineage(manifest, root, "up", 1))
    print(f"model_lineage({model}, up, depth=1): {parents_ms:.3f} ms")
    print(f"model_lineage({model}, both): {1e3 * best_of(lambda: model_lineage(manifest, root)):.3f} ms")
    big = synthetic_manifest()
    deep = "model.bench.m_9_0"
    print(f"5,000 models, direct parents: {1e3 * best_of(lambda: model_lineage(big, deep, 'up', 1)):.3f} ms")
    print(f"5,000 models, all upstream ({len(model_lineage(big, deep, 'up').upstream)} nodes): "
          f"{1e3 * best_of(lambda: model_lineage(big, deep, 'up'), 20):.2f} ms")

    sqlglot.parse_one("select 1", dialect=manifest.metadata.adapter_type)  # dialect set-up is not lineage's cost
    with tempfile.TemporaryDirectory() as cache_dir:
        start = time.perf_counter()
        cold = column_lineage(manifest, root, catalog=catalog, cache_dir=Path(cache_dir))
        cold_seconds = time.perf_counter() - start
        cached_seconds = best_of(
            lambda: column_lineage(manifest, root, catalog=catalog, cache_dir=Path(cache_dir)), 20
        )
    print(f"column_lineage({model}, all {len(cold.columns)} columns) cold: {cold_seconds:.3f} s "
          f"({len(cold.stats.parsed)} models parsed)")
    print(f"column_lineage({model}, all columns) cached: {1e3 * cached_seconds:.2f} ms")


if __name__ == "__main__":
    main()

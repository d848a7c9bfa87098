"""Timings for the lineage toolkit (not a test: nothing asserts a time). From the repository root:

    .venv/bin/python benchmarks/column_lineage.py <target_path> [model]
    .venv/bin/python benchmarks/column_lineage.py --quick --json   # make bench: the demo built once, rows as JSON

<target_path> holds manifest.json (and catalog.json, used if present) from a `dbt build` of this package. Prints:
model-level BFS on the real manifest and on a synthetic 5,000-model one (10 layers), and all-column lineage of the
model cold (fresh process state, empty disk cache) and cached (a new call reading the disk cache).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import sqlglot

from bench_common import Row, emit_rows, load_average, quick_demo
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
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("target", type=Path, nargs="?", help="target path of a build of this package")
    parser.add_argument("model", nargs="?", default="fct_customer_health_summary")
    parser.add_argument("--quick", action="store_true", help="the demo built once under /tmp/dbt-grounding-bench")
    parser.add_argument("--json", action="store_true", help="print the figures as bench_all.py rows (JSON) only")
    args = parser.parse_args()
    if args.quick:
        args.target = quick_demo()[0] / "target"
    if args.target is None:
        parser.error("a target path is required (or --quick)")
    target, model = args.target, args.model
    if args.json:
        rows = figures(target, model)
        emit_rows(rows)
        return
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


def figures(target: Path, model: str) -> list[Row]:
    """The in-process figures as bench_all.py rows (library calls, warm process; the CLI's are cold_commands.py's)."""
    manifest = load_manifest(target / "manifest.json")
    catalog = load_catalog(target / "catalog.json") if (target / "catalog.json").exists() else None
    root = manifest.model(model).unique_id
    big = synthetic_manifest()
    bfs = best_of(lambda: model_lineage(big, "model.bench.m_9_0", "up"), 20)
    sqlglot.parse_one("select 1", dialect=manifest.metadata.adapter_type)
    with tempfile.TemporaryDirectory() as cache_dir:
        start = time.perf_counter()
        cold = column_lineage(manifest, root, catalog=catalog, cache_dir=Path(cache_dir))
        cold_seconds = time.perf_counter() - start
        cached = best_of(lambda: column_lineage(manifest, root, catalog=catalog, cache_dir=Path(cache_dir)), 20)
    load = f"{load_average():.1f}"
    return [
        Row("model lineage, all upstream of a 5,000-model graph, in process (`model_lineage`)",
            f"{bfs * 1e3:.2f} ms", "", "", load),
        Row(f"all-column lineage of {model} in process, empty cache ({len(cold.stats.parsed)} models parsed)",
            f"{cold_seconds:.2f} s", "", "", load),
        Row(f"the same, disk cache current ({len(cold.columns)} columns)", f"{cached * 1e3:.1f} ms", "", "", load),
    ]


if __name__ == "__main__":
    main()

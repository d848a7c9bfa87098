#!/usr/bin/env python3
"""Benchmark: loading manifest.json in one process, side by side (not a test; nothing here asserts a time).

    .venv/bin/python benchmarks/manifest_load.py --manifest /tmp/synth500/target/manifest.json

Loaders, each run --runs times in turn (interleaved, after one warm-up round), median wall time:
  - `json.loads` on the file's bytes (read once beforehand);
  - the same with the garbage collector paused (gc.disable() around the call; the objects are still walked by a
    later collection, which this does not count);
  - `orjson.loads`, when orjson is installed (a row says so when it is not);
  - `msgspec.json.decode` into dbt-grounding's typed Manifest (only the fields it uses), on the same bytes;
  - `dbt_grounding.artifacts.load_manifest(path)`, the public API: it reads the file itself, checks the schema
    version, then does that typed decode. The ratio reported is this one against `json.loads`.

Memory is measured separately (tracing slows the calls, so not during the timed runs) with tracemalloc, which counts
allocations made through Python's allocators (json, orjson and msgspec all use them): "peak" is the most allocated
at once during the call, "held" what the result still holds afterwards. load_manifest's peak includes the file's
bytes, which it reads itself; the other loaders get the bytes already read.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import msgspec

from bench_common import Row, emit_rows, load_average, synthetic
from dbt_grounding.artifacts import Manifest, ManifestGraph, load_indexed, load_manifest

OURS = "`dbt_grounding.artifacts.load_manifest(path)`"
INDEXED = "`load_indexed(path, Manifest)`, index current (what `load_artifacts` reads)"
INDEXED_GRAPH = "`load_indexed(path, ManifestGraph)`, index current (what `lineage` reads)"
QUICK_MODELS = 2000


def loaders(path: Path, data: bytes) -> dict[str, Callable[[], object] | None]:
    def json_gc_paused():
        gc.disable()
        try:
            return json.loads(data)
        finally:
            gc.enable()

    try:
        import orjson
    except ImportError:
        orjson = None

    return {
        "`json.loads`": lambda: json.loads(data),
        "`json.loads`, garbage collector paused": json_gc_paused,
        "`orjson.loads`": (lambda: orjson.loads(data)) if orjson else None,
        "`msgspec.json.decode(type=Manifest)` (typed, only the fields used)": lambda: msgspec.json.decode(
            data, type=Manifest
        ),
        OURS: lambda: load_manifest(path),
        INDEXED: lambda: load_indexed(path, Manifest),
        INDEXED_GRAPH: lambda: load_indexed(path, ManifestGraph),
    }


def time_once(load: Callable[[], object]) -> float:
    gc.collect()
    started = time.perf_counter()
    result = load()
    elapsed = time.perf_counter() - started
    del result
    gc.collect()
    return elapsed


def memory_once(load: Callable[[], object]) -> tuple[int, int]:
    """(peak bytes during the call, bytes the result holds afterwards), by tracemalloc."""
    gc.collect()
    tracemalloc.start()
    result = load()
    held, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del result
    gc.collect()
    return peak, held


def fmt_seconds(seconds: float) -> str:
    if seconds < 0.1:
        return f"{seconds * 1000:.1f} ms"
    return f"{seconds * 1000:,.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--manifest", type=Path, help="path to manifest.json")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per loader (default 5)")
    parser.add_argument("--quick", action="store_true",
                        help=f"the {QUICK_MODELS:,}-model synthetic project's manifest (made once under /tmp)")
    parser.add_argument("--json", action="store_true", help="print the figures as bench_all.py rows (JSON) only")
    args = parser.parse_args()
    if args.quick:
        args.manifest = synthetic(QUICK_MODELS) / "target" / "manifest.json"
    if args.manifest is None:
        parser.error("--manifest is required (or --quick)")

    data = args.manifest.read_bytes()
    candidates = loaders(args.manifest, data)
    available = {label: load for label, load in candidates.items() if load is not None}

    for load in available.values():  # warm-up: imports, page cache, allocator arenas
        time_once(load)
    timings: dict[str, list[float]] = {label: [] for label in available}
    for _ in range(args.runs):
        for label, load in available.items():
            timings[label].append(time_once(load))
    medians = {label: statistics.median(values) for label, values in timings.items()}
    memory = {label: memory_once(load) for label, load in available.items()}

    manifest = load_manifest(args.manifest)
    kinds: dict[str, int] = {}
    for node in manifest.nodes.values():
        kinds[node.resource_type] = kinds.get(node.resource_type, 0) + 1
    counts = ", ".join(f"{n:,} {kind}s" for kind, n in sorted(kinds.items())) + f", {len(manifest.sources):,} sources"

    baseline = medians["`json.loads`"]
    baseline_peak = memory["`json.loads`"][0]
    if args.json:
        load = f"{load_average():.1f}"
        size = f"{len(data) / 1e6:.0f} MB manifest.json, {kinds.get('model', 0):,} models"
        emit_rows([Row(f"{label} in process ({size}; vs `json.loads`)", fmt_seconds(medians[label]),
                       fmt_seconds(baseline), f"{baseline / medians[label]:.1f}x", load)
                   for label in (OURS, INDEXED, INDEXED_GRAPH)])
        return
    print(f"    .venv/bin/python benchmarks/manifest_load.py --manifest {args.manifest}"
          + (f" --runs {args.runs}" if args.runs != 5 else ""))
    print()
    print(f"manifest.json: {len(data) / 1e6:.1f} MB ({counts})")
    print()
    print(f"| loader | median of {args.runs} | time vs `json.loads` | peak traced memory | held by the result |")
    print("|---|---|---|---|---|")
    for label, load in candidates.items():
        if load is None:
            print(f"| {label} | not installed | | | |")
            continue
        peak, held = memory[label]
        print(f"| {label} | {fmt_seconds(medians[label])} | {medians[label] / baseline:.2f}× "
              f"| {peak / 2**20:,.0f} MiB | {held / 2**20:,.0f} MiB |")
    print()
    print(f"{OURS}: {baseline / medians[OURS]:.1f}× faster than `json.loads`, "
          f"{baseline_peak / memory[OURS][0]:.1f}× less peak memory (tracemalloc; its peak includes the "
          f"{len(data) / 2**20:,.0f} MiB of file bytes it reads).")


if __name__ == "__main__":
    main()

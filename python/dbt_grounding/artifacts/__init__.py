"""Typed, lenient readers for dbt's artifacts: only the fields dbt-grounding uses, unknown fields accepted."""

from dbt_grounding.artifacts.build_record import BuildRecord, NodeBuild
from dbt_grounding.artifacts.catalog import Catalog, load_catalog
from dbt_grounding.artifacts.loader import Artifacts, load_artifacts
from dbt_grounding.artifacts.location import Located, dbt_run_directory, locate_target_path
from dbt_grounding.artifacts.manifest import (
    Column, Exposure, Manifest, ManifestGraph, Node, Source, load_manifest, load_manifest_graph,
)
from dbt_grounding.artifacts.manifest_index import load_indexed
from dbt_grounding.artifacts.run_results import RunResult, RunResults, load_run_results
from dbt_grounding.artifacts.sources import SourceFreshnessResult, SourcesResults, load_sources

__all__ = [
    "Artifacts", "BuildRecord", "Catalog", "Column", "Exposure", "Located", "Manifest", "ManifestGraph", "Node",
    "NodeBuild", "RunResult", "RunResults", "Source", "SourceFreshnessResult", "SourcesResults", "dbt_run_directory",
    "load_artifacts", "load_catalog", "load_manifest", "load_manifest_graph", "load_run_results", "load_sources",
    "locate_target_path", "load_indexed",
]

"""All of a target folder's artifacts at once, with the warnings a user must see about how they fit together."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from dbt_grounding.artifacts.catalog import Catalog, load_catalog
from dbt_grounding.artifacts.manifest import Manifest, load_manifest
from dbt_grounding.artifacts.run_results import RunResults, load_run_results
from dbt_grounding.artifacts.sources import SourcesResults, load_sources


@dataclass(frozen=True)
class Artifacts:
    """manifest.json (required) and whichever of run_results, catalog and sources exist beside it."""

    target_path: Path
    manifest: Manifest
    run_results: RunResults | None = None
    catalog: Catalog | None = None
    sources: SourcesResults | None = None
    warnings: list[str] = field(default_factory=list)


def load_artifacts(target_path: Path) -> Artifacts:
    """Load the artifacts in `target_path`.

    Raises:
        ArtifactError: manifest.json missing or unusable, or another artifact present but unusable.
    """
    manifest = load_manifest(target_path / "manifest.json")
    run_results = _optional(target_path / "run_results.json", load_run_results)
    catalog = _optional(target_path / "catalog.json", load_catalog)
    sources = _optional(target_path / "sources.json", load_sources)
    return Artifacts(
        target_path=target_path,
        manifest=manifest,
        run_results=run_results,
        catalog=catalog,
        sources=sources,
        warnings=_consistency_warnings(manifest, run_results, catalog),
    )


def _optional(path: Path, load):
    return load(path) if path.exists() else None


def _consistency_warnings(manifest: Manifest, run_results: RunResults | None, catalog: Catalog | None) -> list[str]:
    warnings = []
    invocation = manifest.metadata.invocation_id
    if run_results is None:
        warnings.append("run_results.json is missing: build and test status are unknown (run `dbt build`)")
    elif run_results.metadata.invocation_id != invocation:
        warnings.append(
            f"run_results.json comes from another dbt invocation ({run_results.metadata.invocation_id}) than "
            f"manifest.json ({invocation}): build and test status may not describe the current project"
        )
    if catalog is not None and catalog.metadata.invocation_id != invocation:
        warnings.append(
            f"catalog.json comes from another dbt invocation ({catalog.metadata.invocation_id}) than manifest.json "
            f"({invocation}): its column types may be out of date (run `dbt docs generate`)"
        )
    uncompiled = sorted(
        node.name for node in manifest.nodes.values()
        if node.resource_type == "model" and node.config.enabled and not node.compiled_code
    )
    if uncompiled:
        shown = ", ".join(uncompiled[:5]) + (f" and {len(uncompiled) - 5} more" if len(uncompiled) > 5 else "")
        warnings.append(
            f"compiled SQL is missing for {len(uncompiled)} model(s) ({shown}): column lineage cannot be traced "
            "for them. `dbt parse` and a plain `dbt test` leave it out; run `dbt build` or `dbt compile`"
        )
    return warnings

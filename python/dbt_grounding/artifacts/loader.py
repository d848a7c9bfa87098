"""All of a target folder's artifacts at once, with the warnings a user must see about how they fit together."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from dbt_grounding.artifacts.build_record import BuildRecord, open_build_record
from dbt_grounding.artifacts.catalog import Catalog, load_catalog
from dbt_grounding.artifacts.consistency import ArtifactNote, artifact_notes, uncompiled_note
from dbt_grounding.artifacts.manifest import Manifest
from dbt_grounding.artifacts.manifest_index import load_indexed
from dbt_grounding.artifacts.run_results import RunResults, load_run_results
from dbt_grounding.artifacts.sources import SourcesResults, load_sources
from dbt_grounding.errors import ArtifactError


@dataclass(frozen=True)
class Artifacts:
    """manifest.json (required), whichever of run_results, catalog and sources exist beside it, and the build results
    remembered beside them (`builds`: the source of build and test status, see artifacts.build_record)."""

    target_path: Path
    manifest: Manifest
    builds: BuildRecord
    run_results: RunResults | None = None
    catalog: Catalog | None = None
    sources: SourcesResults | None = None
    notes: list[ArtifactNote] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def load_artifacts(target_path: Path, *, located_by: str = "", project_dir: Path | None = None) -> Artifacts:
    """Load the artifacts in `target_path`, and remember the build results of its run_results.json when a build
    command wrote it (artifacts.build_record).

    Args:
        target_path: the folder holding them.
        located_by: how that folder was chosen, said when manifest.json is not there.
        project_dir: the dbt project, whose files tell whether a build whose manifest.json was overwritten ran the
            current code (artifacts.build_record).

    Raises:
        ArtifactError: manifest.json missing or unusable, or another artifact present but unusable.
    """
    try:
        manifest = load_indexed(target_path / "manifest.json", Manifest)
    except ArtifactError as error:
        if located_by and error.details.get("problem") == "missing":
            error.message += f" (target path {located_by})"
        raise
    run_results = _optional(target_path / "run_results.json", load_run_results)
    catalog = _optional(target_path / "catalog.json", load_catalog)
    sources = _optional(target_path / "sources.json", load_sources)
    warnings: list[str] = []
    builds = open_build_record(target_path, manifest, run_results, warnings, project_dir)
    notes = artifact_notes(manifest, run_results, catalog, builds)
    uncompiled = uncompiled_note(manifest)  # the gate says it per mart (DG502), with the marts it reaches
    return Artifacts(
        target_path=target_path,
        manifest=manifest,
        builds=builds,
        run_results=run_results,
        catalog=catalog,
        sources=sources,
        notes=notes,
        warnings=[*warnings, *(note.message for note in notes), *([uncompiled.message] if uncompiled else [])],
    )


def _optional(path: Path, load):
    return load(path) if path.exists() else None


"""How a target folder's artifacts fit together: the one definition behind the loader's warnings and the gate's
DG501 / DG502 / DG504 findings.

The normal workflow writes them in several invocations: `dbt build` (manifest.json, run_results.json), then
`dbt docs generate --no-compile` (catalog.json only) or `dbt docs generate` (all three again, with compile results in
run_results.json). What matters is not whether the invocation ids agree but whether each artifact can still describe
the last build:
- catalog.json must not predate the last build (its column types would be those of relations since replaced);
- run_results.json must hold build results (a build command wrote it) for build and test status to come from it;
  otherwise they come from the build results remembered beside the artifacts (artifacts.build_record), and the note
  says so;
- a build whose run_results.json was first read after its manifest.json was overwritten is matched to the current
  nodes' code only through their files' modification times (artifacts.build_record): worth stating;
- manifest.json must hold the compiled SQL of the models for column lineage to be traced through them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from dbt_grounding.artifacts.run_results import parse_utc

if TYPE_CHECKING:
    from dbt_grounding.artifacts.build_record import BuildRecord
    from dbt_grounding.artifacts.catalog import Catalog
    from dbt_grounding.artifacts.manifest import Manifest, Node
    from dbt_grounding.artifacts.run_results import RunResults

INCONSISTENT = "DG501"  # artifacts that cannot describe the same build
UNCOMPILED = "DG502"  # a model without compiled SQL
NO_BUILD_RESULTS = "DG504"  # run_results.json holds no build results


@dataclass(frozen=True)
class ArtifactNote:
    code: str
    artifact: str  # the file it is about
    message: str
    serious: bool  # False: a fact worth stating (info), True: status may be unknown or out of date (warn)


def artifact_notes(manifest: Manifest, run_results: RunResults | None, catalog: Catalog | None,
                   builds: BuildRecord) -> list[ArtifactNote]:
    notes = []
    last = builds.last_build()
    if run_results is None:
        notes.append(ArtifactNote(NO_BUILD_RESULTS, "run_results.json", "run_results.json is missing: build and test "
                                  "status " + _from_record(last), serious=True))
    elif not run_results.holds_build_results:
        command = run_results.command or "an unrecorded command"
        notes.append(ArtifactNote(NO_BUILD_RESULTS, "run_results.json", f"run_results.json was written by `dbt "
                                  f"{command}`, which builds nothing: build and test status " + _from_record(last),
                                  serious=last is None))
    elif not _recorded_with_its_manifest(builds, run_results):
        notes.append(ArtifactNote(INCONSISTENT, "run_results.json", f"run_results.json (`dbt {run_results.command}`, "
                                  f"{run_results.metadata.invocation_id}) was first read after manifest.json was "
                                  f"rewritten by another invocation ({manifest.metadata.invocation_id}): its results "
                                  "describe only the nodes whose files have not changed since the build",
                                  serious=True))
    built_at = last.generated_at if last else manifest.metadata.generated_at
    if catalog is not None and catalog.metadata.generated_at and built_at and \
            parse_utc(catalog.metadata.generated_at) < parse_utc(built_at):
        notes.append(ArtifactNote(INCONSISTENT, "catalog.json", f"catalog.json ({catalog.metadata.generated_at}) "
                                  f"predates the last build ({built_at}): its column types may be out of date (run "
                                  "`dbt docs generate --no-compile` after the build)", serious=True))
    return notes


def lacks_compiled_sql(node: Node) -> bool:
    """A model whose compiled SQL manifest.json does not hold: column lineage cannot be traced through it. Ephemeral
    models are exempt (dbt inlines them into the SQL of the models that read them)."""
    return node.resource_type == "model" and node.config.enabled and node.config.materialized != "ephemeral" \
        and not node.compiled_code


def uncompiled_note(manifest: Manifest) -> ArtifactNote | None:
    """Every model of the manifest that lacks compiled SQL, in one note (the gate reports them per mart: DG502)."""
    uncompiled = sorted(node.name for node in manifest.nodes.values() if lacks_compiled_sql(node))
    if not uncompiled:
        return None
    shown = ", ".join(uncompiled[:5]) + (f" and {len(uncompiled) - 5} more" if len(uncompiled) > 5 else "")
    return ArtifactNote(UNCOMPILED, "manifest.json", f"compiled SQL is missing for {len(uncompiled)} model(s) "
                        f"({shown}): column lineage cannot be traced for them. `dbt parse` and a plain `dbt test` "
                        "leave it out; run `dbt build` or `dbt compile`", serious=True)


def _recorded_with_its_manifest(builds: BuildRecord, run_results: RunResults) -> bool:
    recorded = builds.invocations.get(run_results.metadata.invocation_id or "")
    return recorded is not None and recorded.with_manifest


def _from_record(last) -> str:
    if last is None:
        return "are unknown, and dbt-grounding has no record of a build (run `dbt build`)"
    return (f"come from the last build dbt-grounding recorded (`dbt {last.command}`, invocation {last.invocation_id}, "
            f"{last.generated_at})")

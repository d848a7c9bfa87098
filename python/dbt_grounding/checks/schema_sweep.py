"""The gate's schema checks: every relation between the sources and the grounding marts, each judged once per run
against the schema its last build produced (grounding.expected_schema), and documented columns no build produced.

Findings: DG201 a source column drifted, DG202 a model's (seed's, snapshot's) column drifted or its relation cannot
be read, DG203 a relation is missing (one finding, not one per column), DG602 a documented column never built. Each
drift names the column and the lineage paths to the mart columns it feeds. What could not be checked is said.
"""

from __future__ import annotations

from collections import Counter
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from dbt_grounding.artifacts import Node
from dbt_grounding.checks.findings import Finding
from dbt_grounding.grounding.drift import (
    RelationCheck, check_relation, columns_on_paths, describe, explain, probe_downstream_of_drift, relations_upstream,
)
from dbt_grounding.grounding.expected_schema import YML

if TYPE_CHECKING:
    from dbt_grounding.artifacts import Manifest, Source
    from dbt_grounding.grounding.expected_schema import ExpectedSchemas
    from dbt_grounding.lineage.project_lineage import ProjectLineage
    from dbt_grounding.warehouse import Warehouse

MAX_PATHS_SHOWN = 2


def mart_label(manifest: Manifest, unique_id: str) -> tuple[str, ...]:
    """The mart's name and the exposures depending on it."""
    exposures = [uid for uid in manifest.children(unique_id) if uid.startswith("exposure.")]
    return (manifest.resource(unique_id).name, *sorted(exposures))


def layer_of(resource: Node | Source) -> str:
    """Where a relation sits, for saying what was checked: `sources`, `seeds`, `snapshots`, or the model's folder."""
    if not isinstance(resource, Node) or resource.resource_type != "model":
        return f"{resource.resource_type}s"
    folder = PurePosixPath(resource.original_file_path).parent
    return f"models in {folder.relative_to('models') if folder.parts[:1] == ('models',) else folder}"


class SchemaSweep:
    """The relations of some marts, deduplicated: a relation upstream of several marts is inspected once."""

    def __init__(self, lineage: ProjectLineage, schemas: ExpectedSchemas, marts: list[Node]) -> None:
        self.lineage = lineage
        self.manifest = lineage.manifest
        self.schemas = schemas
        self.marts = marts
        self.relations: dict[str, Node | Source] = {}
        self.without_relation: dict[str, str] = {}
        self.feeds: dict[str, list[Node]] = {}  # relation unique_id -> the marts it is (or is upstream of)
        for mart in marts:
            upstream, without = relations_upstream(self.manifest, lineage.upstream(mart.unique_id))
            self.without_relation.update(without)
            for resource in [mart, *upstream]:
                self.relations.setdefault(resource.unique_id, resource)
                self.feeds.setdefault(resource.unique_id, []).append(mart)
        self.checks: dict[str, RelationCheck] = {}
        self.unjudged = 0  # relations documentation_findings(from_sql=False) could not judge

    def drift_findings(self, warehouse: Warehouse) -> list[Finding]:
        """Inspect every relation (call inside `warehouse.session()`) and report the drifted ones."""
        read: dict[str, list[str]] = {}
        for mart in self.marts:
            for uid, columns in columns_on_paths(self.lineage.traced_paths(mart.unique_id)).items():
                read.setdefault(uid, []).extend(columns)
        schemas, adapter = self.schemas, self.schemas.adapter
        listed = [check_relation(warehouse, schemas, adapter, resource, read.get(uid, []), probe=False)
                  for uid, resource in sorted(self.relations.items())]
        for check in probe_downstream_of_drift(warehouse, schemas, adapter, listed, self.lineage.upstream, read):
            self.checks[check.resource.unique_id] = check
        return [finding for _, check in sorted(self.checks.items()) if check.drift is not None
                for finding in self._drift_findings(check)]

    def _drift_findings(self, check: RelationCheck) -> list[Finding]:
        drift = check.drift
        affected: dict[str | None, set[str]] = {}
        paths: dict[str | None, list[str]] = {}
        for mart in self.feeds[drift.node.unique_id]:
            explained = explain(drift, mart, self.lineage.traced_paths(mart.unique_id), self.lineage.short_name)
            label = mart_label(self.manifest, mart.unique_id)
            for column, why in explained.items():
                reached = [f"{mart.name}.{name}" for name in why.affected] or [mart.name]
                affected.setdefault(column, set()).update(reached, label[1:])
                paths.setdefault(column, []).extend(why.paths)
        code = "DG201" if drift.node.resource_type == "source" else "DG202"
        if drift.missing_relation:
            return [Finding("DG203", drift.node.unique_id, f"{drift.relation} does not exist in the warehouse "
                            f"({drift.node.resource_type} {drift.node.name} never built, or dropped)"
                            + _lineage(paths.get(None, [])), affected=tuple(sorted(affected.get(None, ()))),
                            cause="relation does not exist in the warehouse")]
        return [Finding(code, drift.node.unique_id, f"{drift.relation}.{describe(difference)}"
                        + _lineage(paths.get(difference.column, [])), column=difference.column,
                        affected=tuple(sorted(affected.get(difference.column, ()))))
                for difference in drift.differences]

    def documentation_findings(self, *, from_sql: bool = True) -> list[Finding]:
        """DG602: columns the yml documents that the relation's build never produced (needs no warehouse when
        catalog.json or a remembered first look knows the build's schema). `from_sql=False`: judged on those
        alone, not on compiled SQL (`unjudged` counts the relations left unjudged)."""
        findings = []
        self.unjudged = 0
        for uid, resource in sorted(self.relations.items()):
            expected = self.schemas.of(resource, from_sql=from_sql)
            if not from_sql and expected.origin == YML and resource.columns and not resource.contract_enforced:
                self.unjudged += 1
            for column in expected.never_built:
                findings.append(Finding(
                    "DG602", uid, f"{resource.name}.{column} is documented, but the build never produced it "
                    f"(per the {expected.origin}): remove it from the yml or add it to the SQL", column=column,
                    cause="documented column the build never produced",
                    affected=tuple(sorted({name for mart in self.feeds[uid]
                                           for name in mart_label(self.manifest, mart.unique_id)}))))
        return findings

    def checked(self) -> list[str]:
        """One line: how many relations of each layer were checked."""
        layers = Counter(layer_of(self.relations[uid]) for uid in self.checks)
        return [f"schema of {len(self.checks)} relation(s) checked against their last build: "
                + ", ".join(f"{layer} ({count})" for layer, count in sorted(layers.items()))] if self.checks else []

    def unchecked(self) -> list[str]:
        """What the sweep could not judge, and why: nodes without a relation, relations without a known schema."""
        lines = [f"schema drift of {self.lineage.short_name(uid)}: skipped, {reason}"
                 for uid, reason in sorted(self.without_relation.items()) if not reason.startswith("ephemeral")]
        for uid, check in sorted(self.checks.items()):
            if check.expected.origin == YML and not check.expected.columns and check.state.columns is not None:
                lines.append(f"schema drift of {self.lineage.short_name(uid)}: only its presence checked, no schema "
                             "of its build is known (no catalog.json from after the build, no successful build in "
                             "run_results.json, no compiled SQL, no yml columns)")
        return lines


def _lineage(paths: list[str]) -> str:
    if not paths:
        return ""
    unique = sorted(set(paths))
    more = f"; and {len(unique) - MAX_PATHS_SHOWN} more" if len(unique) > MAX_PATHS_SHOWN else ""
    return " (lineage: " + "; ".join(unique[:MAX_PATHS_SHOWN]) + more + ")"

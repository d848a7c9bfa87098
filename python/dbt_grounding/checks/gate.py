"""`dbt-grounding check` without the lock: freshness, test and build status, artifact consistency, and (when the
warehouse is reachable) schema drift of every relation from the sources to the marts (checks.schema_sweep).

Every check yields Findings (checks.findings); checks that cannot run say why in `skipped`, never pass silently.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from dbt_grounding.artifacts.consistency import UNCOMPILED, lacks_compiled_sql
from dbt_grounding.checks.findings import Finding, Severity
from dbt_grounding.checks.schema_sweep import SchemaSweep, mart_label
from dbt_grounding.checks.scope import gate_scope
from dbt_grounding.errors import GroundingError, WarehouseError
from dbt_grounding.grounding.drift import relation_of
from dbt_grounding.grounding.freshness import as_of_instant, last_successful_build, model_freshness
from dbt_grounding.grounding.spec import grounding_spec
from dbt_grounding.grounding.test_status import test_outcomes

if TYPE_CHECKING:
    from dbt_grounding.artifacts import Artifacts, Node
    from dbt_grounding.grounding.expected_schema import ExpectedSchemas
    from dbt_grounding.lineage.project_lineage import ProjectLineage
    from dbt_grounding.warehouse import Warehouse


@dataclass
class GateResult:
    findings: list[Finding] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)  # the layers whose relations' schemas were checked
    scope: str = ""  # which models were checked and why (checks.scope, or the models --select names)


def run_gate(artifacts: Artifacts, lineage: ProjectLineage, warehouse: Warehouse | None, *,
             schemas: ExpectedSchemas, now: datetime, marts: list[str] | None = None) -> GateResult:
    """All checks but the lock's, for the grounding marts (a plain project: checks.scope), or the `marts` named.

    Args:
        artifacts: the build's artifacts.
        lineage: their lineage (upstream nodes, column lineage paths that explain a drift).
        warehouse: the profile's warehouse; None skips the checks that need it (`--no-warehouse`), saying so.
        schemas: what each relation's last build produced (grounding.expected_schema).
        now: the time freshness is judged at.
        marts: names of the nodes to check; None: checks.scope chooses.
    """
    manifest = artifacts.manifest
    if marts:
        nodes, scope = [manifest.find(name) for name in marts], "the models --select names"
    else:
        chosen = gate_scope(manifest)
        nodes, scope = chosen.nodes, chosen.rule
    result = GateResult(scope=scope)
    result.findings += artifact_findings(artifacts, lineage, nodes)
    sweep = SchemaSweep(lineage, schemas, nodes)
    with _session(warehouse):
        warehouse_reason = "--no-warehouse given" if warehouse is None else _unreachable(warehouse, nodes, result)
        if warehouse_reason:
            result.skipped.append("schema drift of every relation from the sources to the marts, as-of freshness: "
                                  f"skipped, {warehouse_reason}")
        for node in nodes:
            result.findings += build_and_test_findings(artifacts, lineage, node)
        if warehouse_reason is None and nodes:
            sources = SourceProbe(warehouse)  # a source upstream of several marts is queried once per run
            result.findings += sweep.drift_findings(warehouse)
            for node in nodes:
                result.findings += freshness_findings(artifacts, node, warehouse, now)
                result.findings += newer_source_data_findings(artifacts, lineage, node, sources)
            result.checked += sweep.checked()
            result.skipped += sweep.unchecked()
        else:
            for node in nodes:
                result.findings += freshness_findings(artifacts, node, None, now)
        # after the sweep: its first looks are evidence too. Without the warehouse no SQL is parsed for it: the
        # catalog and remembered looks only (parsing every upstream model is minutes on a cold lineage cache)
        result.findings += sweep.documentation_findings(from_sql=warehouse_reason is None)
        if sweep.unjudged:
            result.skipped.append(
                f"documented columns never built (DG602) of {sweep.unjudged} relation(s): skipped, {warehouse_reason}:"
                " only their compiled SQL tells what their build produced, and it is parsed with the warehouse checks"
                " (`dbt docs generate --no-compile` after the build writes a catalog.json read without them)")
    if artifacts.sources is None:
        result.skipped.append("upstream source freshness: skipped, no sources.json (run `dbt source freshness`)")
    else:
        for node in nodes:
            result.findings += source_freshness_findings(artifacts, lineage, node)
    result.findings = merge(result.findings)
    return result


def _session(warehouse: Warehouse | None) -> AbstractContextManager:
    """One session for every warehouse check of a run (DuckDB: one read-only connection and one catalog query per
    schema, instead of a connection per relation); it ends with them, before the report."""
    return warehouse.session() if warehouse is not None else nullcontext()


def _unreachable(warehouse: Warehouse, nodes: list[Node], result: GateResult) -> str | None:
    """Why the warehouse cannot be asked, or None when it can.

    A profile that cannot be used (none found, unknown target, bad YAML, another engine than the artifacts') is the
    user's to fix: its ConfigurationError is raised when the warehouse is opened, before the gate (exit 2), the
    gate never passes on it. A warehouse that is configured but not reachable now (DuckDB file missing or locked
    past the wait, connection refused) fails the gate with finding DG601 (exit 1) and the warehouse checks listed as
    skipped. `--no-warehouse` skips it all.
    """
    if not nodes:
        return None
    try:  # reachable at all? (a missing relation answers None, which the drift check reports)
        warehouse.inspect(relation_of(nodes[0]))
    except WarehouseError as error:
        result.findings.append(Finding("DG601", "warehouse", f"the warehouse could not be queried: {error.message}",
                                       affected=tuple(node.name for node in nodes)))
        return f"warehouse not reachable ({error.message})"
    return None


class SourceProbe:
    """Warehouse answers about source relations, asked once per run however many marts read the source."""

    def __init__(self, warehouse: Warehouse) -> None:
        self.warehouse = warehouse
        self._loaded: dict[str, object] = {}

    def last_loaded(self, source, field: str):
        """max(field) as a UTC instant; None when the relation is missing (the drift check reports that)."""
        if source.unique_id not in self._loaded:
            try:
                self._loaded[source.unique_id] = as_of_instant(self.warehouse.max_value(relation_of(source), field))
            except GroundingError:
                self._loaded[source.unique_id] = None
        return self._loaded[source.unique_id]


def merge(findings: list[Finding]) -> list[Finding]:
    """One finding per (code, node, column, message): a problem upstream of several marts is reported once, with
    everything it affects."""
    merged: dict[tuple, set[str]] = {}
    for finding in findings:
        key = (finding.code, finding.node, finding.column, finding.message, finding.severity, finding.cause)
        merged.setdefault(key, set()).update(finding.affected)
    return sorted((Finding(code, node, message, column=column, affected=tuple(sorted(affected)), severity=severity,
                           cause=cause)
                   for (code, node, column, message, severity, cause), affected in merged.items()),
                  key=Finding.sort_key)


def artifact_findings(artifacts: Artifacts, lineage: ProjectLineage, nodes: list[Node]) -> list[Finding]:
    """How the artifacts fit together (DG501, DG504: the loader's warnings, same definition) and what they lack
    for the marts (DG502, DG503)."""
    manifest, catalog = artifacts.manifest, artifacts.catalog
    findings = [Finding(note.code, note.artifact, note.message, severity=None if note.serious else Severity.INFO)
                for note in artifacts.notes]
    for node in nodes:
        upstream_models = [manifest.nodes[uid] for uid in lineage.upstream(node.unique_id)
                           if uid in manifest.nodes and manifest.nodes[uid].resource_type == "model"]
        for model in [node, *upstream_models]:
            if lacks_compiled_sql(model):
                findings.append(Finding(UNCOMPILED, model.unique_id, f"{model.name} has no compiled SQL: column "
                                        "lineage cannot be traced through it",
                                        affected=mart_label(manifest, node.unique_id),
                                        cause="no compiled SQL: column lineage cannot be traced through it"))
        if catalog is None:
            continue
        missing = [uid for uid in [node.unique_id, *lineage.upstream(node.unique_id)]
                   if uid.split(".")[0] in ("model", "seed", "snapshot", "source") and catalog.table(uid) is None
                   and (manifest.nodes.get(uid) is None or manifest.nodes[uid].config.materialized != "ephemeral")]
        if missing:
            findings.append(Finding("DG503", node.unique_id, f"catalog.json lacks {len(missing)} node(s) upstream of "
                                    f"{node.name}, e.g. {missing[0]}", affected=mart_label(manifest, node.unique_id)))
    return findings


def build_and_test_findings(artifacts: Artifacts, lineage: ProjectLineage, node: Node) -> list[Finding]:
    """Failed or skipped builds (DG403) and unknown ones (DG404) of the mart and upstream, and its tests (DG401/402),
    from the last build results (never compile or docs results)."""
    findings = []
    builds, manifest = artifacts.builds, artifacts.manifest
    affected = mart_label(manifest, node.unique_id)
    unknown_upstream = []
    for uid in [node.unique_id, *lineage.upstream(node.unique_id)]:
        resource = manifest.nodes.get(uid)
        if resource is None or resource.resource_type not in ("model", "snapshot", "seed") or \
                resource.config.materialized == "ephemeral":
            continue
        build = builds.node(uid)
        if build.status is not None and not build.succeeded:
            findings.append(Finding("DG403", uid, f"the last build of {resource.name} ended {build.status}",
                                    affected=affected, cause=f"last build ended {build.status}"))
        elif build.unknown and uid != node.unique_id:
            unknown_upstream.append(resource.name)
    mart_build = builds.node(node.unique_id)
    if mart_build.unknown:
        upstream_note = (f"; so is that of {len(unknown_upstream)} node(s) upstream of it, e.g. {min(unknown_upstream)}"
                         if unknown_upstream else "")
        findings.append(Finding("DG404", node.unique_id, f"the last build of {node.name} is unknown: "
                                f"{mart_build.unknown}{upstream_note}", affected=affected))
    elif unknown_upstream:
        findings.append(Finding("DG404", node.unique_id, f"the last build of {len(unknown_upstream)} node(s) upstream "
                                f"of {node.name} is unknown, e.g. {min(unknown_upstream)}: their tests count "
                                "as not run", affected=affected, severity=Severity.WARN))
    for outcome in test_outcomes(manifest, builds, node.unique_id, lineage.upstream(node.unique_id)):
        if outcome.blocking:
            findings.append(Finding("DG401", outcome.unique_id, f"{outcome.name} {outcome.status}ed on {outcome.on}",
                                    affected=affected, cause=f"test {outcome.status}ed"))
        elif outcome.status in ("skipped", "not run"):
            findings.append(Finding("DG402", outcome.unique_id, f"{outcome.name} was {outcome.status} in the last run",
                                    affected=affected, cause=f"test {outcome.status} in the last run"))
    return findings


def freshness_findings(artifacts: Artifacts, node: Node, warehouse: Warehouse | None, now: datetime) -> list[Finding]:
    """The mart past its freshness policy (DG301 past error_after, DG302 past warn_after), from its last build and,
    with a warehouse, its as-of column's newest value."""
    manifest = artifacts.manifest
    spec = grounding_spec(manifest, node)
    if spec.freshness is None:
        return []
    as_of = None
    if warehouse is not None and spec.as_of_column:
        try:
            as_of = warehouse.max_value(relation_of(node), spec.as_of_column)
        except GroundingError:
            as_of = None  # a missing relation is reported by the drift check
    freshness = model_freshness(manifest, artifacts.builds, node, now=now, as_of_value=as_of)
    age = f"{freshness.age_seconds // 3600} h old ({freshness.evidence})" if freshness.age_seconds is not None \
        else "of unknown age: no successful build or as-of value found"
    if freshness.status == "stale":
        return [Finding("DG301", node.unique_id, f"{node.name} is {age}, past error_after {freshness.error_after}",
                        affected=mart_label(manifest, node.unique_id))]
    if freshness.status == "warn":
        return [Finding("DG302", node.unique_id, f"{node.name} is {age}, past warn_after {freshness.warn_after}",
                        affected=mart_label(manifest, node.unique_id))]
    return []


def source_freshness_findings(artifacts: Artifacts, lineage: ProjectLineage, node: Node) -> list[Finding]:
    """Sources upstream of the mart that `dbt source freshness` found past their own policy."""
    upstream = set(lineage.upstream(node.unique_id))
    manifest, findings = artifacts.manifest, []
    for result in artifacts.sources.results:
        if result.unique_id in upstream and result.status in ("error", "warn", "runtime error"):
            findings.append(Finding(
                "DG303", result.unique_id,
                f"{result.unique_id} was last loaded at {result.max_loaded_at or 'an unknown time'} ({result.status} "
                f"in `dbt source freshness`): {node.name} cannot be fresher than its inputs",
                severity=Severity.WARN if result.status == "warn" else None,
                affected=mart_label(manifest, node.unique_id),
                cause=f"source {result.status} in `dbt source freshness`",
            ))
    return findings


def newer_source_data_findings(artifacts: Artifacts, lineage: ProjectLineage, node: Node,
                               sources: SourceProbe) -> list[Finding]:
    """Sources upstream of the mart loaded after its last successful build (max of `loaded_at_field`, computed in
    the warehouse): the mart is older than its inputs allow. Past the mart's error_after it is an error."""
    built = last_successful_build(artifacts.builds, node.unique_id)
    if built is None:
        return []  # no successful build: DG403 / DG301 already say so
    manifest = artifacts.manifest
    spec = grounding_spec(manifest, node)
    error_after = spec.freshness.error_after.seconds if spec.freshness and spec.freshness.error_after else None
    findings = []
    for uid in lineage.upstream(node.unique_id):
        source = manifest.sources.get(uid)
        field = source.loaded_at_field if source else None
        if not field or not field.replace("_", "").isalnum():  # an expression, not a column: not computed here
            continue
        loaded = sources.last_loaded(source, field)
        if loaded is None or loaded <= built:
            continue
        gap = int((loaded - built).total_seconds())
        findings.append(Finding(
            "DG303", uid, f"{source.source_name}.{source.name} was loaded at {loaded.isoformat(timespec='seconds')}, "
            f"{gap // 3600} h after {node.name} was last built: the mart lacks its newest data",
            severity=None if error_after is not None and gap > error_after else Severity.WARN,
            affected=mart_label(manifest, node.unique_id),
        ))
    return findings

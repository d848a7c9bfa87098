"""`dbt-grounding check` without the lock: freshness, test and build status, artifact consistency, and (when the
warehouse is reachable) schema drift of every relation from the sources to the marts (checks.schema_sweep).

Every check yields Findings (checks.findings); checks that cannot run say why in `skipped`, never pass silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dbt_grounding.checks.findings import Finding, Severity
from dbt_grounding.checks.schema_sweep import SchemaSweep, mart_label
from dbt_grounding.errors import GroundingError, WarehouseError
from dbt_grounding.grounding.drift import relation_of
from dbt_grounding.grounding.freshness import as_of_instant, last_successful_build
from dbt_grounding.grounding.spec import grounding_spec
from dbt_grounding.project import GroundingProject


@dataclass
class GateResult:
    findings: list[Finding] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)  # the layers whose relations' schemas were checked


def run_gate(project: GroundingProject, marts: list[str] | None = None, *, use_warehouse: bool = True) -> GateResult:
    """All checks but the lock's, for the grounding marts (or the `marts` named)."""
    result = GateResult()
    nodes = [project.node(name) for name in marts] if marts else project.grounding_models()
    result.findings += artifact_findings(project, nodes)
    schemas = SchemaSweep(project, nodes)
    warehouse_reason = "--no-warehouse given" if not use_warehouse else _unreachable(project, nodes, result)
    if warehouse_reason:
        result.skipped.append("schema drift of every relation from the sources to the marts, as-of freshness: "
                              f"skipped, {warehouse_reason}")
    for node in nodes:
        result.findings += build_and_test_findings(project, node)
    if warehouse_reason is None and nodes:
        sources = SourceProbe(project)  # a source upstream of several marts is queried once per run
        with project.warehouse().session():
            result.findings += schemas.drift_findings()
            for node in nodes:
                result.findings += freshness_findings(project, node, use_warehouse=True)
                result.findings += newer_source_data_findings(project, node, sources)
        result.checked += schemas.checked()
        result.skipped += schemas.unchecked()
    else:
        for node in nodes:
            result.findings += freshness_findings(project, node, use_warehouse=False)
    result.findings += schemas.documentation_findings()  # after the sweep: its first looks are evidence too
    if project.artifacts.sources is None:
        result.skipped.append("upstream source freshness: skipped, no sources.json (run `dbt source freshness`)")
    else:
        for node in nodes:
            result.findings += source_freshness_findings(project, node)
    result.findings = merge(result.findings)
    return result


def _unreachable(project: GroundingProject, nodes, result: GateResult) -> str | None:
    """Why the warehouse cannot be asked, or None when it can.

    A profile that cannot be used (none found, unknown target, bad YAML, another engine than the artifacts') is the
    user's to fix: its ConfigurationError propagates (exit 2), the gate never passes on it. A warehouse that is
    configured but not reachable now (DuckDB file missing or locked past the wait, connection refused) fails the gate
    with finding DG601 (exit 1) and the warehouse checks listed as skipped. `--no-warehouse` skips it all.
    """
    warehouse = project.warehouse()  # reads the profile: configuration errors surface even without marts
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

    def __init__(self, project: GroundingProject) -> None:
        self.project = project
        self._loaded: dict[str, object] = {}

    def last_loaded(self, source, field: str):
        """max(field) as a UTC instant; None when the relation is missing (the drift check reports that)."""
        if source.unique_id not in self._loaded:
            try:
                self._loaded[source.unique_id] = as_of_instant(self.project.warehouse().max_value(relation_of(source), field))
            except GroundingError:
                self._loaded[source.unique_id] = None
        return self._loaded[source.unique_id]


def merge(findings: list[Finding]) -> list[Finding]:
    """One finding per (code, node, column, message): a problem upstream of several marts is reported once, with
    everything it affects."""
    merged: dict[tuple, set[str]] = {}
    for finding in findings:
        key = (finding.code, finding.node, finding.column, finding.message, finding.severity)
        merged.setdefault(key, set()).update(finding.affected)
    return sorted((Finding(code, node, message, column=column, affected=tuple(sorted(affected)), severity=severity)
                   for (code, node, column, message, severity), affected in merged.items()), key=Finding.sort_key)


def artifact_findings(project: GroundingProject, nodes) -> list[Finding]:
    findings = []
    manifest, run_results, catalog = project.manifest, project.artifacts.run_results, project.artifacts.catalog
    invocation = manifest.metadata.invocation_id
    if run_results is not None and run_results.metadata.invocation_id != invocation:
        findings.append(Finding("DG501", "run_results.json", f"run_results.json ({run_results.metadata.invocation_id}) "
                                f"and manifest.json ({invocation}) come from different dbt invocations"))
    if catalog is not None and catalog.metadata.invocation_id != invocation:
        findings.append(Finding("DG501", "catalog.json", f"catalog.json ({catalog.metadata.invocation_id}) and "
                                f"manifest.json ({invocation}) come from different dbt invocations"))
    for node in nodes:
        upstream_models = [manifest.nodes[uid] for uid in project.upstream(node.unique_id)
                           if uid in manifest.nodes and manifest.nodes[uid].resource_type == "model"]
        for model in [node, *upstream_models]:
            if not model.compiled_code and model.config.materialized != "ephemeral":
                findings.append(Finding("DG502", model.unique_id, f"{model.name} has no compiled SQL: column lineage "
                                        "cannot be traced through it", affected=mart_label(project, node.unique_id)))
        if catalog is None:
            continue
        missing = [uid for uid in [node.unique_id, *project.upstream(node.unique_id)]
                   if uid.split(".")[0] in ("model", "seed", "snapshot", "source") and catalog.table(uid) is None
                   and (manifest.nodes.get(uid) is None or manifest.nodes[uid].config.materialized != "ephemeral")]
        if missing:
            findings.append(Finding("DG503", node.unique_id, f"catalog.json lacks {len(missing)} node(s) upstream of "
                                    f"{node.name}, e.g. {missing[0]}", affected=mart_label(project, node.unique_id)))
    return findings


def build_and_test_findings(project: GroundingProject, node) -> list[Finding]:
    findings = []
    results = project.artifacts.run_results.by_unique_id() if project.artifacts.run_results else {}
    affected = mart_label(project, node.unique_id)
    for uid in [node.unique_id, *project.upstream(node.unique_id)]:
        result = results.get(uid)
        if uid.startswith(("model.", "snapshot.", "seed.")) and result is not None and result.status not in ("success",):
            findings.append(Finding("DG403", uid, f"the last run of {project.manifest.resource(uid).name} ended "
                                    f"{result.status}", affected=affected))
    for outcome in project.tests(node.unique_id):
        if outcome.status in ("fail", "error"):
            findings.append(Finding("DG401", outcome.unique_id, f"{outcome.name} {outcome.status}ed on {outcome.on}",
                                    affected=affected))
        elif outcome.status in ("skipped", "not run"):
            findings.append(Finding("DG402", outcome.unique_id, f"{outcome.name} was {outcome.status} in the last run",
                                    affected=affected))
    return findings


def freshness_findings(project: GroundingProject, node, *, use_warehouse: bool) -> list[Finding]:
    spec = grounding_spec(project.manifest, node)
    if spec.freshness is None:
        return []
    as_of = None
    if use_warehouse and spec.as_of_column:
        try:
            as_of = project.warehouse().max_value((node.database, node.schema or "", node.identifier), spec.as_of_column)
        except GroundingError:
            as_of = None  # a missing relation is reported by the drift check
    freshness = project.freshness(node.unique_id, as_of_value=as_of)
    age = f"{freshness.age_seconds // 3600} h old ({freshness.evidence})" if freshness.age_seconds is not None \
        else "of unknown age: no successful build or as-of value found"
    if freshness.status == "stale":
        return [Finding("DG301", node.unique_id, f"{node.name} is {age}, past error_after {freshness.error_after}",
                        affected=mart_label(project, node.unique_id))]
    if freshness.status == "warn":
        return [Finding("DG302", node.unique_id, f"{node.name} is {age}, past warn_after {freshness.warn_after}",
                        affected=mart_label(project, node.unique_id))]
    return []


def source_freshness_findings(project: GroundingProject, node) -> list[Finding]:
    """Sources upstream of the mart that `dbt source freshness` found past their own policy."""
    upstream = set(project.upstream(node.unique_id))
    findings = []
    for result in project.artifacts.sources.results:
        if result.unique_id in upstream and result.status in ("error", "warn", "runtime error"):
            findings.append(Finding(
                "DG303", result.unique_id,
                f"{result.unique_id} was last loaded at {result.max_loaded_at or 'an unknown time'} ({result.status} "
                f"in `dbt source freshness`): {node.name} cannot be fresher than its inputs",
                severity=Severity.WARN if result.status == "warn" else None,
                affected=mart_label(project, node.unique_id),
            ))
    return findings


def newer_source_data_findings(project: GroundingProject, node, sources: SourceProbe) -> list[Finding]:
    """Sources upstream of the mart loaded after its last successful build (max of `loaded_at_field`, computed in
    the warehouse): the mart is older than its inputs allow. Past the mart's error_after it is an error."""
    built = last_successful_build(project.artifacts.run_results, node.unique_id)
    if built is None:
        return []  # no successful build: DG403 / DG301 already say so
    spec = grounding_spec(project.manifest, node)
    error_after = spec.freshness.error_after.seconds if spec.freshness and spec.freshness.error_after else None
    findings = []
    for uid in project.upstream(node.unique_id):
        source = project.manifest.sources.get(uid)
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
            affected=mart_label(project, node.unique_id),
        ))
    return findings

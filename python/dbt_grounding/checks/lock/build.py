"""The lock of a project's current manifest: the grounding marts' interface and that of every node upstream."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import msgspec

from dbt_grounding.checks.lock.model import LOCK_VERSION, LOCKED_TYPES, Lock, LockedContract, LockedMart, LockedNode
from dbt_grounding.warehouse.adapters import normalize_type

if TYPE_CHECKING:
    from dbt_grounding.artifacts import Manifest, Node, Source
    from dbt_grounding.project import GroundingProject


def build_lock(project: GroundingProject) -> Lock:
    """The lock of the project's current manifest: `marts` (unique_id -> key, exposures) and `nodes` (unique_id ->
    name, resource_type, columns, accepted_values, contract) for the marts and everything upstream of them."""
    manifest = project.manifest
    marts, locked = {}, set()
    for mart in project.grounding_models():
        spec = project.spec(mart.unique_id)
        marts[mart.unique_id] = LockedMart(
            name=mart.name, key=list(spec.key), exposures=exposures_of(manifest, mart.unique_id),
            # alternative keys (e.g. customer_id or email): agents may use any
            candidate_keys=[list(k) for k in spec.candidate_keys] if len(spec.candidate_keys) > 1 else msgspec.UNSET,
        )
        locked.add(mart.unique_id)
        locked.update(project.upstream(mart.unique_id))
    nodes = {}
    for unique_id in sorted(locked):
        node = lock_node(project, unique_id)
        if node is not None:
            nodes[unique_id] = node
    metadata = manifest.metadata
    return Lock(lock_version=LOCK_VERSION, marts=marts, nodes=nodes, dbt_version=metadata.dbt_version,
                manifest_schema_version=_schema_version(metadata.dbt_schema_version),
                project_name=metadata.project_name, adapter=project.adapter)


def lock_node(project: GroundingProject, unique_id: str) -> LockedNode | None:
    """The node as the lock holds it; None when the manifest has no such node of a locked type.

    Each documented column has its declared data_type (the contract's, where there is one), else the type its build
    produced (catalog.json from after the build, or the relation as first seen after it:
    `grounding.expected_schema`), None when neither is known. Declared first: a lock written before the first look
    at a build and one written after it must not differ where the yml already says the type."""
    manifest = project.manifest
    resource: Node | Source | None = manifest.nodes.get(unique_id) or manifest.sources.get(unique_id)
    if resource is None or resource.resource_type not in LOCKED_TYPES:
        return None
    expected = project.expected_schemas.of(resource)
    columns = {}
    for name, column in resource.columns.items():
        data_type = column.data_type or expected.type_of(name)
        columns[name] = normalize_type(project.adapter, data_type) if data_type else None
    is_source = resource.resource_type == "source"
    return LockedNode(
        name=f"{resource.source_name}.{resource.name}" if is_source else resource.name,
        resource_type=resource.resource_type, columns=columns,
        accepted_values=_accepted_values(manifest, unique_id),
        contract=msgspec.UNSET if is_source else LockedContract(enforced=resource.contract_enforced),
    )


def exposures_of(manifest: Manifest, unique_id: str) -> list[str]:
    return sorted(uid for uid, exposure in manifest.exposures.items() if unique_id in exposure.depends_on.nodes)


def _accepted_values(manifest: Manifest, unique_id: str) -> dict[str, list[str]]:
    values: dict[str, set[str]] = {}
    for test in manifest.tests_on(unique_id):
        metadata = test.test_metadata
        if metadata is None or metadata.name != "accepted_values":
            continue
        kwargs = metadata.kwargs
        arguments = kwargs.get("arguments") if isinstance(kwargs.get("arguments"), dict) else {}
        listed = kwargs.get("values", arguments.get("values"))
        column = test.column_name or kwargs.get("column_name") or arguments.get("column_name")
        if column and isinstance(listed, list):
            values.setdefault(column, set()).update(str(v) for v in listed)
    return {column: sorted(listed) for column, listed in sorted(values.items())}


def _schema_version(url: str) -> str:
    match = re.search(r"/(v\d+)\.json$", url)
    return match.group(1) if match else url

"""describe_mart: a grounding mart's description, gathered from the project's artifacts and column lineage (no
warehouse), for agents to read once per conversation; compact documents refer to it instead of repeating it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dbt_grounding.grounding.spec import grounding_spec

if TYPE_CHECKING:
    from dbt_grounding.context.mart import MartDescription
    from dbt_grounding.project import GroundingProject


def describe_mart(project: GroundingProject, model: str) -> MartDescription:
    """The description of `model`: documented columns (type from the contract, else as last built) with meaning,
    rule, unit and the source columns each derives from; key, as-of, freshness policy and sources. Columns the
    project's role may not see are listed by name under "Withheld", with nothing else said of them.

    Raises:
        UnknownNodeError: `model` names no node, or several.
    """
    from dbt_grounding.context import ColumnInput, FreshnessPolicy, ModelInput
    from dbt_grounding.context.mart import build_mart_description

    node = project.node(model)
    spec = grounding_spec(project.manifest, node)
    expected = project.expected_schemas.of(node)
    columns = [ColumnInput(name=column.name, data_type=column.data_type or expected.type_of(column.name),
                           description=column.description, meta=column.merged_meta)
               for column in node.columns.values()]
    lineage = project.column_lineage(node.unique_id)
    column_sources = {}
    withheld = {name.lower() for name in project.access.withheld(node)}
    for column in columns:
        if column.name.lower() in withheld:
            continue  # a withheld column's lineage is withheld too
        trace = lineage.trace(column.name)
        if trace is not None:
            column_sources[column.name] = [f"{project.short_name(ref.unique_id)}.{ref.column}" for ref in trace.sources]
    policy = spec.freshness
    return build_mart_description(
        ModelInput(name=project.short_name(node.unique_id), unique_id=node.unique_id,
                   relation=node.relation_name or node.identifier, description=node.description,
                   entity=spec.entity, summary=spec.summary or None, access=spec.access,
                   as_of_column=spec.as_of_column),
        columns,
        key=list(spec.key),
        freshness=FreshnessPolicy(
            warn_after=str(policy.warn_after) if policy and policy.warn_after else None,
            error_after=str(policy.error_after) if policy and policy.error_after else None,
        ),
        sources=[project.short_name(uid) for uid in project.upstream(node.unique_id) if uid.startswith("source.")],
        column_sources=column_sources,
        withheld=project.access.withheld(node),  # the role's view: names only, as documents list them
    )

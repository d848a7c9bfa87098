"""describe_mart's text: what an agent needs once per conversation to read a mart's records.

A plain renderer of its own until the context package ships a mart description (then `render_mart_description`
is the one function to swap). Everything comes from the artifacts: no warehouse query, so it answers even when the
warehouse is busy; the status line is the last build's (`models`), as-of values are read by get_context.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dbt_grounding.context.builder import one_line
from dbt_grounding.mart_summary import summaries

if TYPE_CHECKING:
    from dbt_grounding.project import GroundingProject


def render_mart_description(project: GroundingProject, mart: str) -> str:
    """Meaning, key, as-of semantics, freshness policy and status, columns with their rules, lineage to sources.

    Raises:
        UnknownNodeError: no node named `mart`.
    """
    node = project.node(mart)
    spec = project.spec(node.unique_id)
    (status,) = summaries(project, [node.unique_id])
    lines = [f"# {status.model}", ""]
    summary = one_line(spec.summary or node.description)
    if summary:
        lines += [summary, ""]
    key = spec.key
    example = ", ".join(f'"{column}": ...' for column in key)
    lines += [
        f"- One row per: {one_line(spec.entity)}",
        f"- Key: {status.key_text}" + (f" (look a record up with get_context(mart=\"{status.model}\", "
                                       f"key={{{example}}}))" if key else " (none known: records cannot be looked up)"),
        "- As of: " + (f"each record's values hold as of its `{spec.as_of_column}` column"
                       if spec.as_of_column else "no as-of column: values hold as of the mart's last build"),
        "- Freshness policy: " + _policy(spec),
        f"- Now: freshness {status.freshness}; last build {status.build}"
        + (f" at {status.last_built_at}" if status.last_built_at else "") + f"; tests {status.tests}",
        f"- Access: {spec.access}",
        "",
        "## Columns",
    ]
    expected = project.expected_schemas.of(node)
    documented = {name.casefold() for name in node.columns}
    for column in node.columns.values():
        data_type = column.data_type or expected.type_of(column.name)
        facts = [data_type or "type unknown"]
        if column.name.casefold() in {k.casefold() for k in key}:
            facts.append("key")
        pii = column.merged_meta.get("pii")
        if pii:
            facts.append(f"personal data: {one_line(str(pii))}, masked in records")
        description = one_line(column.description)
        lines.append(f"- {column.name} ({', '.join(facts)}): {description or 'not documented'}")
        grounding = column.merged_meta.get("grounding")
        rule = grounding.get("rule") if isinstance(grounding, dict) else None
        if rule:
            lines.append(f"  Rule: {one_line(str(rule))}")
    undocumented = [name for name, _ in expected.columns if name.casefold() not in documented]
    if undocumented:
        lines.append(f"- Also in the table, not documented: {', '.join(undocumented)}")
    lines += ["", "## Lineage", *_lineage_summary(project, node.unique_id)]
    return "\n".join(lines) + "\n"


def _policy(spec) -> str:
    if spec.freshness is None:
        return "none declared (freshness is not checked)"
    parts = []
    if spec.freshness.warn_after:
        parts.append(f"warn after {spec.freshness.warn_after}")
    if spec.freshness.error_after:
        parts.append(f"refused after {spec.freshness.error_after}")
    return ", ".join(parts)


def _lineage_summary(project: GroundingProject, unique_id: str) -> list[str]:
    upstream = project.upstream(unique_id)
    sources = sorted(project.short_name(uid) for uid in upstream if uid.startswith("source."))
    models = sorted(project.short_name(uid) for uid in upstream if uid.startswith("model."))
    seeds = sorted(project.short_name(uid) for uid in upstream if uid.startswith(("seed.", "snapshot.")))
    lines = [f"- Sources ({len(sources)}): {', '.join(sources) or 'none'}"]
    if seeds:
        lines.append(f"- Seeds and snapshots ({len(seeds)}): {', '.join(seeds)}")
    lines.append(f"- Built through {len(models)} model(s): {', '.join(models) or 'none'}")
    lines.append("- Column by column: explain_lineage(mart, column)")
    return lines

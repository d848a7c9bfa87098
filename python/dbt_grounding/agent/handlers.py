"""What each grounding tool does, over the GroundingProject facade: `function(project, **arguments) -> str`.

Arguments arrive checked against the tool's schema (agent.api). Errors are raised as the library's typed errors;
agent.answers turns them into tool results. Nothing here prints, exits or holds state between calls.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from dbt_grounding.agent.documents import DEFAULT_FORM, DOCUMENT_FORMS, fit_text, token_counter
from dbt_grounding.context.render import DOCUMENTS_SEPARATOR
from dbt_grounding.errors import AccessDeniedError, GroundingError, InvalidKeyError
from dbt_grounding.grounding.spec import is_grounding_mart
from dbt_grounding.mart_summary import summaries

if TYPE_CHECKING:
    from dbt_grounding.project import GroundingProject

SUMMARY_LIMIT = 160  # characters of a mart's summary in the list: one line


def list_grounding_marts(project: GroundingProject, *, max_tokens: int | None = None) -> str:
    marts = summaries(project)
    if not marts:
        return "No grounding marts: this dbt project has no model with meta.grounding or a key dbt knows.\n"
    lines = [f"{len(marts)} grounding mart(s). Look a record up with get_context(mart, key); call describe_mart "
             "once for a mart's column meanings."]
    for summary in marts:
        spec = project.spec(summary.unique_id)
        text = spec.summary if len(spec.summary) <= SUMMARY_LIMIT else spec.summary[:SUMMARY_LIMIT - 3] + "..."
        lines.append(
            f"- {summary.model}: one row per {summary.entity}; key {summary.key_text}; freshness {summary.freshness}; "
            f"last build {summary.build}; tests {summary.tests}" + (f". {text}" if text else "")
        )
    return fit_text("\n".join(lines) + "\n", max_tokens, what="the mart list")


def describe_mart(project: GroundingProject, *, mart: str, max_tokens: int | None = None) -> str:
    from dbt_grounding.describe import describe_mart as description_of

    node = project.access.find(mart)  # a mart the role may not read does not exist for it
    return fit_text(description_of(project, node.unique_id).to_markdown(), max_tokens, what="the mart description")


def get_context(project: GroundingProject, *, mart: str, key: dict[str, Any], form: str = DEFAULT_FORM,
                max_tokens: int | None = None) -> str:
    document = project.context(mart, key, max_tokens=max_tokens, token_counter=_budget_counter(max_tokens),
                               form=form)
    return DOCUMENT_FORMS[form].render(document)


def get_contexts(project: GroundingProject, *, mart: str, keys: list[dict[str, Any]], form: str = DEFAULT_FORM,
                 max_tokens: int | None = None) -> str:
    """Every key's document from one request (the schema check once, the rows in one query). A key that is not
    valid is answered with its error; any other error (drift, stale, failed tests) concerns the mart and is raised."""
    served = project.contexts(mart, keys, max_tokens=max_tokens, token_counter=_budget_counter(max_tokens),
                              form=form, invalid_keys="answer")
    answers: list[tuple[dict[str, Any], Any]] = list(zip(keys, served))
    render = DOCUMENT_FORMS[form].render
    if form == "json":
        documents = [{"key": key, **error_fields(answer)} if isinstance(answer, InvalidKeyError)
                     else json.loads(render(answer)) for key, answer in answers]
        return json.dumps(documents, indent=2, ensure_ascii=False) + "\n"
    sections = [f"# key {json.dumps(key, ensure_ascii=False)}: error: {answer.message}\nhint: {answer.hint}\n"
                if isinstance(answer, InvalidKeyError) else render(answer) for key, answer in answers]
    return DOCUMENTS_SEPARATOR.join(sections)


def _budget_counter(max_tokens: int | None):
    """The counter for a budget, None without one: loading tiktoken's encoding costs ~0.25 s of CPU, which a call
    without max_tokens (the server's first answer among them) never needs."""
    return token_counter() if max_tokens is not None else None


def error_fields(error: Exception) -> dict[str, Any]:
    return {"error": type(error).__name__, "message": getattr(error, "message", str(error)),
            "hint": getattr(error, "hint", "")}


def check_grounding(project: GroundingProject, *, mart: str | None = None, max_tokens: int | None = None) -> str:
    from dbt_grounding import __version__
    from dbt_grounding.checks.reporters import render
    from dbt_grounding.checks.verdict import LOCK_FILE, gate_verdict

    marts = [project.access.find(mart).unique_id] if mart else [
        node.unique_id for node in project.access.readable(project.grounding_models())]
    if not marts:
        return "No grounding marts to check for this role.\n"
    published = project.published  # its copy holds the marts only: the warehouse checks ran when it was published
    verdict = gate_verdict(project, marts, use_warehouse=published is None, lock_path=project.project_dir / LOCK_FILE)
    # the lock's comparison covers every mart: keep what concerns these marts, their upstream and the artifacts
    readable = set(marts).union(*(project.upstream(uid) for uid in marts))
    verdict_findings = [f for f in verdict.findings
                        if f.node in readable or not f.node.startswith(("model.", "seed.", "snapshot.", "source."))]
    report = render(verdict_findings, "markdown", skipped=verdict.skipped, tool_version=__version__)
    if published is not None:
        gate = published.build.verdict
        report += (f"\nChecked on the published build documents are served from ({published.build.snapshot}); its "
                   f"warehouse checks ran when it was published, with the whole gate: {gate.errors} errors, "
                   f"{gate.warnings} warnings" + (f" ({', '.join(gate.warning_rules)})" if gate.warning_rules else "")
                   + ".\n")
    return fit_text(report, max_tokens, what="the findings")


def explain_lineage(project: GroundingProject, *, mart: str, column: str | None = None,
                    max_tokens: int | None = None) -> str:
    import msgspec

    from dbt_grounding.lineage import render_text

    mart = project.access.find(mart).unique_id  # a mart the role may not read does not exist for it
    if column is None:
        lineage = project.lineage(mart, direction="up")
        hidden = {node.unique_id for node in lineage.upstream  # grounding marts above the role: never named
                  if node.unique_id in project.manifest.nodes
                  and is_grounding_mart(project.manifest.nodes[node.unique_id])
                  and not project.access.may_read(project.manifest.nodes[node.unique_id])}
        text = render_text(msgspec.structs.replace(
            lineage, upstream=[node for node in lineage.upstream if node.unique_id not in hidden],
            edges=[edge for edge in lineage.edges if not hidden & set(edge)]))
    else:
        lineage = project.column_lineage(mart)
        withheld = {name.casefold(): why for name, why in project.access.withheld(project.node(mart)).items()}
        if column.casefold() in withheld:  # as describe_mart: named as withheld, its lineage withheld too
            raise AccessDeniedError(
                f"Role {project.access.role.name!r} may not see {project.node(mart).name}.{column}: "
                f"{withheld[column.casefold()]}; its lineage is withheld too.",
                hint="ask about another of its columns (describe_mart lists them)", name=project.node(mart).name,
                role=project.access.role.name, columns=[column])
        visible = [name for name in lineage.columns if name.casefold() not in withheld]
        trace = next((trace for name, trace in lineage.columns.items() if name.casefold() == column.casefold()), None)
        if trace is None:
            raise GroundingError(
                f"{project.node(mart).name} has no column {column!r}",
                hint="use one of its columns: " + ", ".join(visible), model=mart, given=[column], expected=visible,
            )
        text = render_text(msgspec.structs.replace(lineage, columns={trace.column: trace}))
    return fit_text(text, max_tokens, what="the lineage")


def ground_question(project: GroundingProject, *, question: str, max_tokens: int | None = None) -> str:
    from dbt_grounding.ask import ground_question as grounded

    answer = grounded(project, question)
    return fit_text(json.dumps(answer, indent=1, ensure_ascii=False, default=str) + "\n", max_tokens,
                    what="the answer")


def record_feedback(project: GroundingProject, *, rating: str, request_id: str | None = None,
                    document_hash: str | None = None, comment: str | None = None) -> str:
    feedback_id = project.record_feedback(rating, request_id=request_id, document_hash=document_hash,
                                          comment=comment)
    return f"Feedback recorded (feedback_id {feedback_id}).\n"

"""One line per grounding mart (or named node): key, freshness, build and test status. What `dbt-grounding models`
prints and the agent tools' `list_grounding_marts` and `describe_mart` state, computed once here over the facade."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from dbt_grounding.grounding.spec import describe_keys

if TYPE_CHECKING:
    from dbt_grounding.project import GroundingProject


@dataclass(frozen=True)
class ModelSummary:
    """One line of `dbt-grounding models`: `key` is the preferred of `candidate_keys`, any of which looks a row up
    (`key_text` says so in one phrase: `customer_id or email`)."""

    model: str
    unique_id: str
    resource_type: str
    entity: str
    key: list[str]
    candidate_keys: list[list[str]]
    key_text: str
    declared: bool
    freshness: str
    build: str  # dbt's status of the mart's last build (success, error, skipped...), or "unknown"
    last_built_at: str | None
    tests: str
    access: str

    def as_dict(self) -> dict:
        return asdict(self)


def summaries(project: GroundingProject, names: list[str] | None = None) -> list[ModelSummary]:
    """The grounding marts (or the nodes `names` names: models, seeds, snapshots, sources) with key, freshness
    (from the last build; the as-of column needs the warehouse), build status and test status of it and
    everything upstream, from the last build results (never compile or docs).

    Raises:
        UnknownNodeError: a name that names no node, or several.
        AccessDeniedError: a name the caller's role may not read (or, for a role that does not see everything, a
            name that names nothing).
    """
    found = []
    access = project.access  # the caller's role: marts above its level are not listed, named ones are denied
    for node in [access.find(name) for name in names] if names else access.readable(project.grounding_models()):
        spec = project.spec(node.unique_id)
        built = project.freshness(node.unique_id)
        counts = Counter(outcome.status for outcome in project.tests(node.unique_id))
        found.append(ModelSummary(
            model=project.short_name(node.unique_id), unique_id=node.unique_id, resource_type=node.resource_type,
            entity=spec.entity, key=list(spec.key), candidate_keys=[list(k) for k in spec.candidate_keys],
            key_text=describe_keys(spec), declared=spec.declared, freshness=built.status,
            build=project.build(node.unique_id).status or "unknown",
            last_built_at=built.last_built_at.isoformat(timespec="seconds") if built.last_built_at else None,
            tests=", ".join(f"{counts[s]} {s}" for s in sorted(counts)) or "none", access=spec.access,
        ))
    return found

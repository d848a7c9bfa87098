"""GroundingProject: the one entry point over a dbt project's artifacts, its warehouse, lineage and documents."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from dbt_grounding.artifacts import Artifacts, Node, load_artifacts
from dbt_grounding.grounding.freshness import evaluate_freshness, last_successful_build
from dbt_grounding.grounding.spec import GroundingSpec, grounding_spec, is_grounding_mart
from dbt_grounding.grounding.test_status import TestOutcome, test_outcomes

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class ModelSummary:
    """One line of `dbt-grounding models`."""

    model: str
    unique_id: str
    entity: str
    key: list[str]
    declared: bool
    freshness: str
    last_built_at: str | None
    tests: str
    access: str

    def as_dict(self) -> dict:
        return dict(self.__dict__)


class GroundingProject:
    """A dbt project seen through its artifacts (target/) and, when needed, its warehouse (from the dbt profile)."""

    def __init__(self, project_dir: Path, artifacts: Artifacts, *, profiles_dir: Path | None, target: str | None,
                 clock: Clock) -> None:
        self.project_dir = project_dir
        self.artifacts = artifacts
        self.manifest = artifacts.manifest
        self.profiles_dir = profiles_dir
        self.target = target
        self.clock = clock

    @classmethod
    def open(cls, project_dir: str | Path = ".", *, target_path: str | Path | None = None,
             profiles_dir: str | Path | None = None, target: str | None = None, clock: Clock = utc_now
             ) -> GroundingProject:
        """Open a dbt project: its artifacts now, its warehouse connection lazily.

        Args:
            project_dir: the dbt project folder (holding dbt_project.yml).
            target_path: where dbt wrote its artifacts; default <project_dir>/target.
            profiles_dir: where profiles.yml is; default as dbt finds it.
            target: the profile target; default the profile's own.
            clock: returns the current UTC time (tests pin it).

        Raises:
            ArtifactError: manifest.json missing or unusable.
        """
        project_dir = Path(project_dir)
        target_path = Path(target_path) if target_path is not None else project_dir / "target"
        return cls(project_dir, load_artifacts(target_path), profiles_dir=Path(profiles_dir) if profiles_dir else None,
                   target=target, clock=clock)

    @property
    def warnings(self) -> list[str]:
        return list(self.artifacts.warnings)

    # ------------------------------------------------------------------ specs

    def node(self, model: str) -> Node:
        return self.manifest.model(model)

    def spec(self, model: str) -> GroundingSpec:
        return grounding_spec(self.manifest, self.node(model))

    def grounding_models(self) -> list[Node]:
        """Models with a meta.grounding block; in a project without any, every model with a key dbt knows."""
        models = sorted((n for n in self.manifest.nodes.values() if n.resource_type == "model"), key=lambda n: n.name)
        declared = [n for n in models if is_grounding_mart(n)]
        return declared or [n for n in models if grounding_spec(self.manifest, n).key]

    def upstream(self, unique_id: str) -> list[str]:
        """Every node upstream of `unique_id` (models, seeds, snapshots, sources), sorted."""
        seen: set[str] = set()
        frontier = list(self.manifest.parents(unique_id))
        while frontier:
            parent = frontier.pop()
            if parent not in seen:
                seen.add(parent)
                frontier.extend(self.manifest.parents(parent))
        return sorted(seen)

    def tests(self, model: str) -> list[TestOutcome]:
        node = self.node(model)
        return test_outcomes(self.manifest, self.artifacts.run_results, node.unique_id, self.upstream(node.unique_id))

    # ------------------------------------------------------------------ commands

    def models(self) -> list[ModelSummary]:
        """The grounding marts with key, freshness (from the last build; the as-of column needs the warehouse) and
        test status of the mart and everything upstream."""
        summaries = []
        for node in self.grounding_models():
            spec = grounding_spec(self.manifest, node)
            built = last_successful_build(self.artifacts.run_results, node.unique_id)
            freshness = evaluate_freshness(spec, last_built_at=built, as_of=None, now=self.clock())
            counts = Counter(outcome.status for outcome in self.tests(node.name))
            summaries.append(ModelSummary(
                model=node.name, unique_id=node.unique_id, entity=spec.entity, key=list(spec.key),
                declared=spec.declared, freshness=freshness.status,
                last_built_at=built.isoformat(timespec="seconds") if built else None,
                tests=", ".join(f"{counts[s]} {s}" for s in sorted(counts)) or "none", access=spec.access,
            ))
        return summaries

"""Freshness of a grounding mart: its age from the newest evidence, judged against its policy.

Age comes from the newest of the last successful build of the mart (its last build result remembered by
artifacts.build_record: status success, not skipped or errored, and never a compile or docs run) and the value of
its as-of column in the warehouse. A policy with no evidence at all is stale: nothing
proves the data is recent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timezone

from dbt_grounding.artifacts import Manifest, Node, Source
from dbt_grounding.artifacts.build_record import BuildRecord
from dbt_grounding.artifacts.run_results import parse_utc
from dbt_grounding.grounding.spec import GroundingSpec, grounding_spec

FRESH, WARN, STALE, UNCHECKED = "fresh", "warn", "stale", "unchecked"


@dataclass(frozen=True)
class FreshnessResult:
    status: str  # fresh | warn | stale | unchecked (no policy)
    age_seconds: int | None
    evidence: str | None  # which evidence gave the age: "last successful build" | "as-of column"
    last_built_at: datetime | None
    as_of: datetime | None
    warn_after: str | None
    error_after: str | None


def last_successful_build(builds: BuildRecord, unique_id: str) -> datetime | None:
    """When the node's last build completed, None if it did not succeed or is unknown."""
    build = builds.node(unique_id)
    return build.completed_at if build.succeeded else None


def as_of_instant(value: date | datetime | str | None) -> datetime | None:
    """The as-of column's value as a UTC instant: a date means its start (values hold as of that day)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = parse_utc(value) if "T" in value or " " in value else date.fromisoformat(value)
    if isinstance(value, datetime):
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)
    return datetime.combine(value, time.min, tzinfo=timezone.utc)


def model_freshness(manifest: Manifest, builds: BuildRecord, node: Node | Source, *, now: datetime,
                    as_of_value: date | datetime | str | None = None,
                    spec: GroundingSpec | None = None) -> FreshnessResult:
    """The node's freshness from its last successful build and, when given, its as-of column's value. `spec`: the
    node's grounding spec when the caller has it already (else read from the manifest)."""
    spec = spec if spec is not None else grounding_spec(manifest, node)
    return evaluate_freshness(spec, last_built_at=last_successful_build(builds, node.unique_id),
                              as_of=as_of_instant(as_of_value), now=now)


def evaluate_freshness(
    spec: GroundingSpec, *, last_built_at: datetime | None, as_of: datetime | None, now: datetime
) -> FreshnessResult:
    """Judge the mart's age against its policy; `now` is passed in so results are reproducible."""
    evidence = [(moment, label) for moment, label in ((last_built_at, "last successful build"), (as_of, "as-of column")) if moment]
    newest, label = max(evidence, key=lambda pair: pair[0]) if evidence else (None, None)
    age = max(0, int((now - newest).total_seconds())) if newest else None
    policy = spec.freshness
    warn_after = policy.warn_after if policy else None
    error_after = policy.error_after if policy else None
    if policy is None:
        status = UNCHECKED
    elif age is None or (error_after and age > error_after.seconds):
        status = STALE
    elif warn_after and age > warn_after.seconds:
        status = WARN
    else:
        status = FRESH
    return FreshnessResult(
        status=status, age_seconds=age, evidence=label, last_built_at=last_built_at, as_of=as_of,
        warn_after=str(warn_after) if warn_after else None, error_after=str(error_after) if error_after else None,
    )

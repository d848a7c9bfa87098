"""When a document is refused: a failed build or test upstream, an unknown last build, data past its freshness
policy. Each refusal is a typed error that says what to tell the user; the caller may choose to serve instead with
the problem stated in the document ("annotate")."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Literal

from dbt_grounding.artifacts import Artifacts, Node, NodeBuild, Source
from dbt_grounding.errors import ConfigurationError, FailedTestsError, StaleGroundingError, UnknownBuildError
from dbt_grounding.grounding.freshness import FreshnessResult
from dbt_grounding.grounding.test_status import TestOutcome

ROW_LIMIT = 20  # a key names one row; a cap keeps a non-unique key from flooding a prompt
OnProblem = Literal["raise", "annotate"]
MAX_LISTED = 10  # problems named in a refusal's message; the rest are counted


@dataclass(frozen=True)
class ServingPolicy:
    """What to do when the data cannot be trusted: "raise" refuses (the default), "annotate" serves with the
    problem stated.

    Attributes:
        on_stale: data past its freshness policy's error_after.
        on_failed_tests: failed or erroring tests on the model or upstream of it, or a failed build of the model.
        on_unknown_build: nothing shows the model's last build (run_results.json missing or from a command that
            builds nothing, code changed since).
        schema_check: compare the live relations with the schema their last build produced first.
        row_limit: most rows served for one key.
    """

    on_stale: OnProblem = "raise"
    on_failed_tests: OnProblem = "raise"
    on_unknown_build: OnProblem = "raise"
    schema_check: bool = True
    row_limit: int = ROW_LIMIT

    def __post_init__(self) -> None:
        for name in ("on_stale", "on_failed_tests", "on_unknown_build"):
            if getattr(self, name) not in ("raise", "annotate"):  # a typo must not turn a refusal into serving
                raise ConfigurationError(f"{name}={getattr(self, name)!r} is neither 'raise' nor 'annotate'",
                                         hint=f"pass {name}='raise' (refuse) or {name}='annotate' (serve, stated)",
                                         option=name, given=repr(getattr(self, name)))
        if isinstance(self.row_limit, bool) or not isinstance(self.row_limit, int) or self.row_limit < 1:
            raise ConfigurationError(f"row_limit={self.row_limit!r} is not a positive whole number",
                                     hint="pass row_limit=1 or more", option="row_limit", given=repr(self.row_limit))


def refuse_untrusted_build(node: Node | Source, build: NodeBuild, tests: list[TestOutcome], artifacts: Artifacts,
                           policy: ServingPolicy, short_name: Callable[[str], str]) -> None:
    """Refuse a model whose last build failed or whose tests (on it or upstream) failed, then one whose last build
    is unknown. A failed build or test is the cause when several apply: a skipped mart also has no build to date it.

    Raises:
        FailedTestsError, UnknownBuildError: unless the policy says to annotate.
    """
    failed_build = build.status is not None and not build.succeeded
    failing = [t for t in tests if t.blocking]
    if (failing or failed_build) and policy.on_failed_tests == "raise":
        described = [f"{t.name} ({t.status}, on {short_name(t.on)})" for t in failing]
        if failed_build:
            described.insert(0, f"the last build of {node.name} itself ({build.status})")
        more = f"; and {len(described) - MAX_LISTED} more" if len(described) > MAX_LISTED else ""
        raise FailedTestsError(
            f"{node.name} cannot be trusted: {len(described)} problem(s) in the last run: "
            + "; ".join(described[:MAX_LISTED]) + more,
            hint="fix the data or the tests and re-run `dbt build`, or pass on_failed_tests='annotate' / "
                 "--allow-failed-tests to serve it with the failures stated",
            model=node.name, tests=[{"unique_id": t.unique_id, "status": t.status} for t in failing],
        )
    if build.unknown and policy.on_unknown_build == "raise":
        raise UnknownBuildError(
            f"the last build of {node.name} is unknown: {build.unknown}",
            hint=f"run `dbt build --select +{node.name}`, then any dbt-grounding command before another dbt "
                 "command rewrites run_results.json (or generate docs with `dbt docs generate --no-compile`, which "
                 "leaves it alone); or pass on_unknown_build='annotate' / --allow-unknown-build to serve it with "
                 "the unknown status stated",
            model=node.name, reason=build.unknown,
            run_results=artifacts.run_results.command if artifacts.run_results else "missing",
        )


def refuse_stale(node: Node | Source, freshness: FreshnessResult, policy: ServingPolicy) -> None:
    """Refuse data past its freshness policy's error_after (judged per served row: its own as-of value).

    Raises:
        StaleGroundingError: unless the policy says to annotate.
    """
    if freshness.status != "stale" or policy.on_stale != "raise":
        return
    age = f"{freshness.age_seconds // 3600} hours old" if freshness.age_seconds is not None else "of unknown age"
    raise StaleGroundingError(
        f"{node.name} is stale: {age} ({freshness.evidence or 'no build or as-of value found'}), "
        f"past error_after {freshness.error_after}",
        hint=f"rebuild it (`dbt build --select +{node.name}`), or pass on_stale='annotate' / --allow-stale "
             "to serve it with the staleness stated",
        model=node.name, age_seconds=freshness.age_seconds, policy=freshness.error_after,
        evidence=freshness.evidence,
    )

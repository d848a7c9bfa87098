"""Test status of a mart: its own data tests and those of every node upstream of it, from the last build results
(artifacts.build_record: results of test-running commands only, while the data they tested is still there)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import get_args

from dbt_grounding.artifacts import Manifest
from dbt_grounding.artifacts.build_record import BuildRecord
from dbt_grounding.context.document import TestResultStatus

BLOCKING = ("fail", "error")
NOT_RUN = "not run"
TEST_STATUSES = tuple(s for s in get_args(TestResultStatus) if s != NOT_RUN)  # what an executed test can end as


def blocks_serving(status: str) -> bool:
    """Whether a test that ended so blocks a context document by default and fails the gate (DG401)."""
    return status in BLOCKING


@dataclass(frozen=True)
class TestOutcome:
    unique_id: str
    name: str
    status: str  # pass | warn | fail | error | skipped | not run
    on: str  # the node it tests: the mart itself or an upstream unique_id

    @property
    def blocking(self) -> bool:
        return blocks_serving(self.status)


def test_outcomes(manifest: Manifest, builds: BuildRecord, unique_id: str, upstream: list[str]) -> list[TestOutcome]:
    """Outcomes of the data tests on `unique_id` and on each node in `upstream`, sorted by (on, unique_id)."""
    outcomes: dict[str, TestOutcome] = {}
    for node_id in [unique_id, *sorted(upstream)]:  # a test on several nodes counts once, on the nearest
        for test in manifest.tests_on(node_id):
            if test.unique_id not in outcomes:
                result = builds.test_status(test)
                status = result if result in TEST_STATUSES else NOT_RUN
                outcomes[test.unique_id] = TestOutcome(test.unique_id, test.name, status, node_id)
    return sorted(outcomes.values(), key=lambda o: (o.on != unique_id, o.on, o.unique_id))

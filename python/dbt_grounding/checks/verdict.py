"""The CI gate's whole verdict: the gate's checks (checks.gate) plus interface drift against the lock, as
`dbt-grounding check` reports them. One place, so the CLI and the agent tools judge alike."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the gate's modules load only when it runs
    from dbt_grounding.checks.findings import Finding
    from dbt_grounding.project import GroundingProject

from dbt_grounding.checks.lock.model import LOCK_FILE  # noqa: F401 - where the agent tools find the lock too


@dataclass(frozen=True)
class Verdict:
    findings: list[Finding]  # sorted by Finding.sort_key, without duplicates
    skipped: list[str]  # the checks that could not run, and why


def gate_verdict(project: GroundingProject, marts: list[str] | None, *, use_warehouse: bool,
                 lock_path: Path) -> Verdict:
    """Every check of the gate for the grounding marts (or the `marts` named), then the lock's when `lock_path`
    exists (else it is listed as skipped)."""
    result = project.check(marts, use_warehouse=use_warehouse)
    findings, skipped = list(result.findings), list(result.skipped)
    if lock_path.exists():
        from dbt_grounding.checks.lock import compare_lock, read_lock

        findings += compare_lock(read_lock(lock_path), project)
    else:
        skipped.append(f"interface drift against the lock: skipped, no {lock_path.name} (run `dbt-grounding lock`)")
    return Verdict(sorted(set(findings), key=lambda f: f.sort_key()), skipped)

"""A finding: one thing `dbt-grounding check` reports, with a stable rule code CI systems can filter on."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Severity(str, Enum):
    ERROR = "error"
    WARN = "warn"
    INFO = "info"


@dataclass(frozen=True)
class Rule:
    code: str
    title: str
    severity: Severity
    fix: str


# Stable codes: never renumber or reuse one (CI configs and suppressions refer to them). Documented in the README.
RULES: dict[str, Rule] = {rule.code: rule for rule in (
    Rule("DG001", "grounding mart removed", Severity.ERROR, "restore the model, or re-lock with `dbt-grounding lock` if the removal is intended"),
    Rule("DG002", "column removed or renamed", Severity.ERROR, "restore the column, or update the agents that use it and re-lock"),
    Rule("DG003", "column type changed", Severity.ERROR, "restore the type, or update the agents and re-lock"),
    Rule("DG004", "key changed", Severity.ERROR, "restore the key, or update the agents' lookups and re-lock"),
    Rule("DG005", "accepted value removed or renamed", Severity.ERROR, "restore the value, or update every prompt that lists it and re-lock"),
    Rule("DG006", "contract no longer enforced", Severity.ERROR, "set `contract: {enforced: true}` again"),
    Rule("DG101", "column added", Severity.INFO, "re-lock with `dbt-grounding lock` to accept it"),
    Rule("DG102", "accepted value added", Severity.WARN, "tell the agents about the new value, then re-lock"),
    Rule("DG103", "grounding mart added", Severity.INFO, "re-lock with `dbt-grounding lock` to accept it"),
    Rule("DG201", "source column drifted", Severity.ERROR, "fix the loader or the source declaration before `dbt build` runs"),
    Rule("DG202", "relation schema drift", Severity.ERROR, "rebuild with `dbt build --select +MODEL`: the relation no longer has the schema its build produced"),
    Rule("DG203", "relation missing", Severity.ERROR, "build it with `dbt build --select +MODEL`, or restore the source table"),
    Rule("DG301", "grounding data stale", Severity.ERROR, "rebuild the mart, or check the upstream loads"),
    Rule("DG302", "grounding data ageing", Severity.WARN, "rebuild the mart soon"),
    Rule("DG303", "upstream source stale, or loaded after the mart was built", Severity.ERROR, "check the source's loader, or rebuild the mart with `dbt build --select +MART`"),
    Rule("DG401", "test failed or errored", Severity.ERROR, "fix the data or the test and re-run `dbt build`"),
    Rule("DG402", "test skipped or not run", Severity.WARN, "run the tests: `dbt build` or `dbt test`"),
    Rule("DG403", "model build failed or skipped", Severity.ERROR, "fix the model and re-run `dbt build`"),
    Rule("DG404", "build status unknown", Severity.ERROR, "run `dbt build`, then dbt-grounding before another dbt command rewrites run_results.json (docs: `dbt docs generate --no-compile`)"),
    Rule("DG501", "artifacts that cannot describe the last build", Severity.WARN, "run `dbt build`, then `dbt docs generate --no-compile`"),
    Rule("DG502", "compiled SQL missing", Severity.WARN, "run `dbt build` or `dbt compile`: `dbt parse` leaves it out"),
    Rule("DG503", "catalog partial or missing", Severity.INFO, "run `dbt docs generate` after the build"),
    Rule("DG504", "run_results.json holds no build results", Severity.WARN, "run `dbt build`; after it, `dbt docs generate --no-compile` keeps its run_results.json"),
    Rule("DG601", "warehouse unreachable: schema drift and as-of freshness not checked", Severity.ERROR, "retry when the warehouse is reachable (a DuckDB file is locked while `dbt build` writes it), or pass --no-warehouse to check the artifacts alone"),
    Rule("DG602", "documented column never built", Severity.WARN, "remove the column from the yml, or add it to the model's SQL"),
)}


@dataclass(frozen=True)
class Finding:
    """One finding. `node` is a unique_id; `affected` names the grounding marts, columns and exposures it reaches.

    `cause` is what the finding says without naming its node ('test not run in the last run'): findings with the
    same code, level and cause are one problem at many nodes, and reports show them as one (checks.summary), whose
    `nodes` are every node it stands for (`node` the first)."""

    code: str
    node: str
    message: str
    column: str | None = None
    affected: tuple[str, ...] = field(default_factory=tuple)
    severity: Severity | None = None  # None: the rule's own
    cause: str | None = None  # None: never summarised with others
    nodes: tuple[str, ...] = ()  # a summary's nodes, sorted; () for a finding about `node` alone

    @property
    def count(self) -> int:
        """How many findings this one stands for."""
        return len(self.nodes) or 1

    @property
    def rule(self) -> Rule:
        return RULES[self.code]

    @property
    def level(self) -> Severity:
        return self.severity or self.rule.severity

    @property
    def fix(self) -> str:
        return self.rule.fix

    def sort_key(self) -> tuple:
        return (self.code, self.node, self.column or "", self.message)

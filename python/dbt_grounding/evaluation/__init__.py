"""Evaluation: a golden dataset (golden), run through `ask` and the key path with no LLM (runner), scored (facts,
leaks, report), audited against production thresholds (report), rendered (render), compared with a baseline
(baseline); `starter` writes a first golden set from a plain project's mart (README "Evaluation")."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from dbt_grounding.evaluation.golden import GoldenCase, GoldenSet, GoldenSetError, load_golden, parse_golden
from dbt_grounding.evaluation.monitoring import monitoring_configured
from dbt_grounding.evaluation.report import EvalReport, Pricing, build_report
from dbt_grounding.evaluation.runner import EvalOptions, run_cases

if TYPE_CHECKING:
    from dbt_grounding.project import GroundingProject


def evaluate(golden: GoldenSet, open_project: Callable[..., GroundingProject], *, target_path: Path,
             options: EvalOptions | None = None, pricing: Pricing | None = None,
             monitoring: Path | None = None) -> EvalReport:
    """Run `golden` (runner.run_cases) and score it (report.build_report).

    Args:
        open_project: (role, clock) -> an open GroundingProject; called once per role and clock offset.
        project_dir, target_path: the project, and where telemetry is looked for (monitoring.monitoring_configured).
        options: role, judge, answers, extra PII values, progress callback.
        pricing: token prices, answer length and load for the cost figures.
        monitoring: a telemetry folder or settings file that counts as monitoring configured.

    Raises:
        GroundingError: see run_cases.
    """
    options = options or EvalOptions()
    results = run_cases(golden, open_project, options)
    with open_project(options.role, options.clock) as project:
        monitoring_state = monitoring_configured(project.manifest, target_path, monitoring)
    return build_report(golden.path, golden.role or options.role, results, pricing or Pricing(), monitoring_state)


__all__ = ["EvalOptions", "EvalReport", "GoldenCase", "GoldenSet", "GoldenSetError",
           "Pricing", "evaluate", "load_golden", "parse_golden"]

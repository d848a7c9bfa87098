"""`--baseline FILE`: fail on a regression against a committed eval result (the JSON output of an earlier run): a
metric worse than the baseline's by more than its tolerance."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from dbt_grounding.evaluation.golden import GoldenSetError

# metric -> (higher is better, tolerance: absolute for shares and counts, relative for latency and cost)
TOLERANCES: dict[str, tuple[bool, float, str]] = {
    "mart_hit_at_1": (True, 0.01, "absolute"), "mart_hit_at_3": (True, 0.01, "absolute"),
    "entity_accuracy": (True, 0.01, "absolute"), "fact_recall": (True, 0.0, "absolute"),
    "unsupported_facts": (False, 0, "absolute"), "abstention_precision": (True, 0.01, "absolute"),
    "abstention_recall": (True, 0.01, "absolute"), "key_path_accuracy": (True, 0.0, "absolute"),
    "pii_leaks": (False, 0, "absolute"), "injections_outside_fence": (False, 0, "absolute"),
    "hallucination_rate": (False, 0.0, "absolute"), "tokens_per_document_p95": (False, 0.10, "relative"),
    "latency_ms_p95": (False, 0.50, "relative"), "cost_per_query_usd": (False, 0.10, "relative"),
}


class BaselineError(GoldenSetError):
    """A baseline file that cannot be read or is not an eval result. details: path."""


def load_baseline(path: str | Path) -> dict[str, Any]:
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise BaselineError(f"cannot read the baseline {path}: {' '.join(str(error).split())}",
                            hint="write one with `dbt-grounding eval GOLDEN --format json --output FILE`",
                            path=str(path)) from None
    metrics = data.get("metrics") if isinstance(data, dict) else None
    if not isinstance(metrics, dict):
        raise BaselineError(f"the baseline {path} is not an eval result (no `metrics`)",
                            hint="write one with `dbt-grounding eval GOLDEN --format json --output FILE`",
                            path=str(path))
    return metrics


def regressions(current: dict[str, Any], baseline: dict[str, Any],
                tolerances: dict[str, tuple[bool, float, str]] | None = None) -> list[str]:
    """One line per metric worse than the baseline beyond its tolerance."""
    found = []
    for name, (higher_better, tolerance, kind) in sorted((tolerances or TOLERANCES).items()):
        old, new = baseline.get(name), current.get(name)
        if not isinstance(old, (int, float)) or not isinstance(new, (int, float)):
            continue
        allowed = tolerance * abs(old) if kind == "relative" else tolerance
        worse = (old - new) if higher_better else (new - old)
        if worse > allowed + 1e-12:
            found.append(f"{name}: {new} vs baseline {old} (tolerance {tolerance:g}{' relative' if kind == 'relative' else ''})")
    return found

"""The figures of an eval run and the production threshold audit.

Definitions (README "Evaluation"):
- mart hit@1 / hit@3: the expected mart is `ask`'s choice / among its 3 best (cases naming a mart, restricted ones
  excepted: the role must not see that mart);
- entity accuracy: an answer grounded in exactly its key, an ambiguous case answered with exactly its candidates;
- fact recall: expected facts stated with the expected value in the key path's compact document;
- unsupported facts: expected facts the document states with another value (it contradicts the oracle);
- abstention precision / recall: `ask`'s "no grounding" against the cases expected to abstain;
- key path accuracy: answers served and refusals (restricted, stale, failed tests ...) refused with their error;
- PII leaks, injections outside fences: counts over every output, both paths;
- tokens per document: every document served; input tokens per query: the question and `ask`'s JSON result;
- latency: the question path per case (the key path apart); cost per query: input and assumed answer tokens at
  the given prices; annualized cost at a stated load.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from dbt_grounding.evaluation.golden import KEY_PATH_REFUSALS, REASONS
from dbt_grounding.evaluation.runner import CaseResult

LATENCY_P95_MS = 500.0
COST_PER_QUERY_USD = 0.10
HALLUCINATION_RATE = 0.02
GO_LIVE_CASES = 50
LABELED_CASES = 200
MINUTES_PER_YEAR = 60 * 24 * 365


@dataclass(frozen=True)
class Pricing:
    """Prices per 1,000 tokens (USD) and the answer length assumed per query; `queries_per_minute` is the load the
    annualized cost is stated at. The defaults are an example: set your model's prices."""

    input_per_1k: float = 0.003
    output_per_1k: float = 0.015
    answer_tokens: int = 150
    overhead_tokens: int = 0  # system prompt and tool definitions sent with every query
    queries_per_minute: float = 10.0


@dataclass(frozen=True)
class AuditRow:
    check: str
    value: str
    threshold: str
    passed: bool


@dataclass
class EvalReport:
    golden: str
    role: str | None
    results: list[CaseResult]
    metrics: dict[str, Any]
    audit: list[AuditRow]
    misses: list[str]
    pricing: Pricing
    notes: list[str] = field(default_factory=list)
    regressions: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(row.passed for row in self.audit) and not self.regressions

    def to_dict(self) -> dict[str, Any]:
        return {
            "golden": self.golden, "role": self.role, "passed": self.passed, "metrics": self.metrics,
            "audit": [row.__dict__ for row in self.audit], "misses": self.misses, "regressions": self.regressions,
            "pricing": self.pricing.__dict__, "notes": self.notes,
            "cases": [{"id": r.case.id, "passed": case_passed(r), "status": r.ask_status, "reason": r.ask_reason,
                       "mart": r.ask_mart, "key_path": r.key_path,
                       "facts": [f.__dict__ for f in r.facts]} for r in self.results],
        }


def build_report(golden: str, role: str | None, results: list[CaseResult], pricing: Pricing,
                 monitoring: tuple[bool, str]) -> EvalReport:
    metrics = compute_metrics(results, pricing)
    audit = audit_rows(metrics, monitoring)
    misses = [f"{r.case.id}: {why}" for r in results for why in case_misses(r)]
    notes = []
    if any(r.case.review for r in results):
        notes.append(f"{sum(r.case.review for r in results)} case(s) are marked review: true (generated, not yet "
                     "checked by a person)")
    return EvalReport(golden, role, results, metrics, audit, misses, pricing, notes)


def compute_metrics(results: list[CaseResult], pricing: Pricing) -> dict[str, Any]:
    marted = [r for r in results if r.case.mart and r.case.reason != "restricted" and r.ask_status != "error"]
    entity = [r for r in results if r.case.expect in ("answer", "ambiguous")]
    facts = [f for r in results for f in r.facts]
    expected_abstain = [r for r in results if r.case.expect == "abstain"]
    predicted_abstain = [r for r in results if r.ask_status == "no_grounding"]
    right_abstain = [r for r in expected_abstain if r.ask_status == "no_grounding"]
    keyed = [r for r in results if r.key_path != "not_run"]
    tokens = sorted(t for r in results for t in r.document_tokens)
    latency = sorted(r.ask_ms for r in results)
    key_latency = sorted(r.key_ms for r in results if r.key_ms is not None)
    input_tokens = [r.input_tokens + pricing.overhead_tokens for r in results]
    mean_input = sum(input_tokens) / len(input_tokens) if input_tokens else 0.0
    cost = mean_input / 1000 * pricing.input_per_1k + pricing.answer_tokens / 1000 * pricing.output_per_1k
    verified = [r for r in results if r.unsupported_claims is not None]
    hits, wrong = sum(f.outcome == "hit" for f in facts), sum(f.outcome == "wrong" for f in facts)
    metrics: dict[str, Any] = {
        "cases": len(results),
        "abstention_cases": len(expected_abstain),
        "mart_hit_at_1": _share(sum(r.ask_mart == r.case.mart for r in marted), len(marted)),
        "mart_hit_at_3": _share(sum(r.case.mart in r.ranked_marts[:3] for r in marted), len(marted)),
        "entity_accuracy": _share(sum(_entity_right(r) for r in entity), len(entity)),
        "facts_expected": len(facts),
        "fact_recall": _share(hits, len(facts)),
        "unsupported_facts": wrong,
        "unsupported_fact_rate": _share(wrong, len(facts), empty=0.0),
        "abstention_precision": _share(len([r for r in predicted_abstain if r.case.expect == "abstain"]),
                                       len(predicted_abstain)),
        "abstention_recall": _share(len(right_abstain), len(expected_abstain)),
        "abstention_reason_accuracy": _share(sum(r.ask_reason in REASONS[r.case.reason] for r in right_abstain),
                                             len(right_abstain)),
        "key_path_accuracy": _share(sum(_key_path_right(r) for r in keyed), len(keyed)),
        "errors": sum(r.error is not None for r in results),
        "pii_leaks": sum(len(r.leaks) for r in results),
        "injections_outside_fence": sum(len(r.injections) for r in results),
        "documents": len(tokens),
        "tokens_per_document_mean": round(sum(tokens) / len(tokens), 1) if tokens else 0.0,
        "tokens_per_document_p95": percentile(tokens, 95),
        "input_tokens_per_query_mean": round(mean_input, 1),
        "latency_ms_p50": round(percentile(latency, 50), 2),
        "latency_ms_p95": round(percentile(latency, 95), 2),
        "key_latency_ms_p50": round(percentile(key_latency, 50), 2),
        "key_latency_ms_p95": round(percentile(key_latency, 95), 2),
        "cost_per_query_usd": round(cost, 6),
        "annualized_cost_usd": round(cost * pricing.queries_per_minute * MINUTES_PER_YEAR, 2),
        "cases_passed": sum(case_passed(r) for r in results),
    }
    if verified:
        metrics["answers_verified"] = len(verified)
        metrics["hallucination_rate"] = _share(sum(bool(r.unsupported_claims) for r in verified), len(verified),
                                               empty=0.0)
        metrics["hallucination_source"] = "verified answers"
    else:
        metrics["hallucination_rate"] = metrics["unsupported_fact_rate"]
        metrics["hallucination_source"] = "unsupported facts of the documents"
    judged = [r.judge_score for r in results if r.judge_score is not None]
    if judged:
        metrics["judge_score_mean"] = round(sum(judged) / len(judged), 4)
    return metrics


def audit_rows(metrics: dict[str, Any], monitoring: tuple[bool, str]) -> list[AuditRow]:
    """The production threshold audit: each check with its value, threshold and verdict."""
    cases = metrics["cases"]
    return [
        AuditRow("p95 latency", f"{metrics['latency_ms_p95']:.1f} ms", f"<= {LATENCY_P95_MS:.0f} ms",
                 metrics["latency_ms_p95"] <= LATENCY_P95_MS),
        AuditRow("cost per query", f"${metrics['cost_per_query_usd']:.4f}", f"<= ${COST_PER_QUERY_USD:.2f}",
                 metrics["cost_per_query_usd"] <= COST_PER_QUERY_USD),
        AuditRow(f"hallucination rate ({metrics['hallucination_source']})", f"{metrics['hallucination_rate']:.2%}",
                 f"<= {HALLUCINATION_RATE:.0%}", metrics["hallucination_rate"] <= HALLUCINATION_RATE),
        AuditRow("monitoring configured", monitoring[1], "telemetry and SLA settings exist", monitoring[0]),
        AuditRow("golden cases before go-live", str(cases), f">= {GO_LIVE_CASES}", cases >= GO_LIVE_CASES),
        AuditRow("labeled representative queries", str(cases), f">= {LABELED_CASES}", cases >= LABELED_CASES),
    ]


def case_misses(r: CaseResult) -> list[str]:
    """Why a case did not pass, one reason each (empty: it passed)."""
    case, why = r.case, []
    if r.error:
        why.append(f"ask raised {r.error}")
    if case.expect == "abstain":
        if r.ask_status != "no_grounding":
            why.append(f"expected an abstention ({case.reason}), got {r.ask_status} {r.ask_mart or ''} "
                       f"{list(r.ask_keys) or ''}".rstrip())
        elif r.ask_reason not in REASONS[case.reason]:
            why.append(f"abstained for {r.ask_reason}, expected {case.reason}")
    elif r.ask_status != ("grounded" if case.expect == "answer" else "ambiguous"):
        why.append(f"expected {case.expect}, got {r.ask_status} ({r.ask_reason or r.ask_mart})")
    elif not _entity_right(r):
        why.append(f"wrong entity: {list(r.ask_keys) or list(r.candidate_keys)}")
    if case.mart and case.reason != "restricted" and r.ask_status != "error" and r.ask_mart != case.mart \
            and case.expect != "abstain":
        why.append(f"mart {r.ask_mart}, expected {case.mart}")
    if r.key_path != "not_run" and not _key_path_right(r):
        why.append(f"key path {r.key_path}")
    why += [f"fact {f.column}: expected {f.expected}, document says {f.found}" for f in r.facts if f.outcome == "wrong"]
    why += [f"fact {f.column}: expected {f.expected}, not stated" for f in r.facts if f.outcome == "missing"]
    why += [f"{leak.kind} leaked" for leak in r.leaks]
    why += [f"injection outside its fence: {leak.text!r}" for leak in r.injections]
    if r.unsupported_claims:
        why.append(f"answer states unsupported claims: {', '.join(r.unsupported_claims)[:200]}")
    return why


def case_passed(r: CaseResult) -> bool:
    return not case_misses(r)


def _entity_right(r: CaseResult) -> bool:
    if r.case.expect == "answer":
        return r.ask_status == "grounded" and _same_keys(r.ask_keys, r.case.keys)
    if r.case.expect == "ambiguous":
        return r.ask_status == "ambiguous" and _same_keys(r.candidate_keys, r.case.keys)
    return True


def _key_path_right(r: CaseResult) -> bool:
    if r.case.expect == "abstain":
        refusals = KEY_PATH_REFUSALS.get(r.case.reason or "")
        return refusals is None or r.key_path.removeprefix("refused:") in refusals
    return r.key_path == "served"


def _same_keys(got, expected) -> bool:
    def norm(keys):
        return sorted(sorted((k, str(v)) for k, v in key.items()) for key in keys)
    return norm(got) == norm(expected)


def _share(part: int, whole: int, *, empty: float = 1.0) -> float:
    return round(part / whole, 4) if whole else empty


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile of sorted values (0 when there are none)."""
    if not values:
        return 0.0
    rank = max(1, math.ceil(q / 100 * len(values)))
    return values[rank - 1]

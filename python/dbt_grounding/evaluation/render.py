"""An eval report as a text table, Markdown, JSON or JUnit XML (one testcase per golden case and per audit row)."""

from __future__ import annotations

import json
from xml.sax.saxutils import escape, quoteattr

from dbt_grounding.evaluation.report import EvalReport, case_misses

FORMATS = ("text", "markdown", "json", "junit")
_SHOWN = (  # metric, label, how to show it
    ("cases", "golden cases", "{}"), ("cases_passed", "cases passed", "{}"),
    ("mart_hit_at_1", "mart hit@1", "{:.3f}"), ("mart_hit_at_3", "mart hit@3", "{:.3f}"),
    ("entity_accuracy", "entity accuracy", "{:.3f}"), ("fact_recall", "fact recall", "{:.3f}"),
    ("facts_expected", "facts expected", "{}"), ("unsupported_facts", "unsupported facts", "{}"),
    ("abstention_precision", "abstention precision", "{:.3f}"), ("abstention_recall", "abstention recall", "{:.3f}"),
    ("abstention_reason_accuracy", "abstention reason accuracy", "{:.3f}"),
    ("key_path_accuracy", "key path accuracy", "{:.3f}"), ("pii_leaks", "PII leaks", "{}"),
    ("injections_outside_fence", "injections outside fence", "{}"), ("errors", "errors", "{}"),
    ("tokens_per_document_mean", "tokens per document, mean", "{:.1f}"),
    ("tokens_per_document_p95", "tokens per document, p95", "{}"),
    ("input_tokens_per_query_mean", "input tokens per query, mean", "{:.1f}"),
    ("latency_ms_p50", "latency p50 (ask)", "{:.1f} ms"), ("latency_ms_p95", "latency p95 (ask)", "{:.1f} ms"),
    ("key_latency_ms_p50", "latency p50 (key path)", "{:.1f} ms"),
    ("key_latency_ms_p95", "latency p95 (key path)", "{:.1f} ms"),
    ("cost_per_query_usd", "cost per query", "${:.4f}"), ("hallucination_rate", "hallucination rate", "{:.2%}"),
    ("judge_score_mean", "judge score, mean", "{:.3f}"),
)


def render(report: EvalReport, fmt: str) -> str:
    return {"text": render_text, "markdown": render_markdown, "json": render_json, "junit": render_junit}[fmt](report)


def _metric_rows(report: EvalReport) -> list[tuple[str, str]]:
    return [(label, shape.format(report.metrics[name])) for name, label, shape in _SHOWN if name in report.metrics]


def _load_line(report: EvalReport) -> str:
    p = report.pricing
    return (f"annualized cost at {p.queries_per_minute:g} queries/minute: ${report.metrics['annualized_cost_usd']:,.2f} "
            f"(${p.input_per_1k:g}/1k input, ${p.output_per_1k:g}/1k output tokens, {p.answer_tokens} answer tokens "
            f"and {p.overhead_tokens} overhead tokens per query)")


def render_text(report: EvalReport) -> str:
    rows = _metric_rows(report)
    width = max(len(label) for label, _ in rows)
    lines = [f"eval {report.golden} (role {report.role or 'default'})", ""]
    lines += [f"{label:<{width}}  {value}" for label, value in rows]
    lines += ["", "production threshold audit:"]
    check_width = max(len(row.check) for row in report.audit)
    for row in report.audit:
        lines.append(f"  {'PASS' if row.passed else 'FAIL'}  {row.check:<{check_width}}  {row.value}  ({row.threshold})")
    lines += ["", _load_line(report)]
    lines += [f"regression: {r}" for r in report.regressions]
    lines += [f"note: {n}" for n in report.notes]
    if report.misses:
        lines += ["", f"misses ({len(report.misses)}):"] + [f"  - {m}" for m in report.misses]
    lines += ["", "result: " + ("PASS" if report.passed else "FAIL")]
    return "\n".join(lines)


def render_markdown(report: EvalReport) -> str:
    lines = [f"# Eval: {report.golden} (role {report.role or 'default'})", "", "| metric | value |", "|---|---|"]
    lines += [f"| {label} | {value} |" for label, value in _metric_rows(report)]
    lines += ["", "## Production threshold audit", "", "| check | value | threshold | result |", "|---|---|---|---|"]
    lines += [f"| {r.check} | {r.value} | {r.threshold} | {'pass' if r.passed else '**fail**'} |" for r in report.audit]
    lines += ["", _load_line(report) + "."]
    lines += [f"- regression: {r}" for r in report.regressions]
    lines += [f"- note: {n}" for n in report.notes]
    if report.misses:
        lines += ["", f"## Misses ({len(report.misses)})", ""] + [f"- {m.replace('|', '/')}" for m in report.misses]
    lines += ["", f"**Result: {'pass' if report.passed else 'fail'}**"]
    return "\n".join(lines)


def render_json(report: EvalReport) -> str:
    return json.dumps(report.to_dict(), indent=2, sort_keys=True, default=str)


def render_junit(report: EvalReport) -> str:
    cases = []
    for result in report.results:
        misses = case_misses(result)
        body = (f"<failure message={quoteattr(misses[0])}>{escape(chr(10).join(misses))}</failure>" if misses else "")
        cases.append(f'    <testcase classname="golden" name={quoteattr(result.case.id)}>{body}</testcase>')
    for row in report.audit:
        body = "" if row.passed else f"<failure message={quoteattr(f'{row.value}, needs {row.threshold}')}/>"
        cases.append(f'    <testcase classname="audit" name={quoteattr(row.check)}>{body}</testcase>')
    for regression in report.regressions:
        cases.append(f'    <testcase classname="baseline" name={quoteattr(regression.split(":")[0])}>'
                     f"<failure message={quoteattr(regression)}/></testcase>")
    failures = sum("<failure" in c for c in cases)
    return "\n".join(['<?xml version="1.0" encoding="utf-8"?>',
                      f'<testsuites><testsuite name="dbt-grounding eval" tests="{len(cases)}" failures="{failures}">',
                      *cases, "</testsuite></testsuites>"])

"""Run a golden dataset through the question path (`ask`) and the key path (`get_context`: Serving.contexts, the
compact form) of open projects, with no LLM, and record per case what came back, how long it took, how many tokens
it costs and what it must not carry."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from dbt_grounding.errors import ConfigurationError, GroundingError
from dbt_grounding.evaluation.facts import FactCheck, check_facts
from dbt_grounding.evaluation.golden import GoldenCase, GoldenSet
from dbt_grounding.evaluation.leaks import Leak, PiiProbe, injections_outside_fences, read_pii_probe
from dbt_grounding.context.text_rules import looks_like_instructions

if TYPE_CHECKING:
    from dbt_grounding.context import TokenCounter
    from dbt_grounding.project import GroundingProject

Clock = Callable[[], datetime]
# opens the project a case runs in: its role (None: the default) and the clock it judges freshness by
ProjectOpener = Callable[[str | None, Clock], "GroundingProject"]
# a user's LLM-as-judge: (case, the case's outputs as a JSON-able dict) -> a score in [0, 1] (or a bool)
Judge = Callable[[GoldenCase, dict[str, Any]], float | bool]
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class CaseResult:
    """What one case got. `ask_*` is the question path; `key_path` is `served`, `refused:<ErrorName>` or
    `not_run` (no single expected key)."""

    case: GoldenCase
    ask_status: str
    ask_reason: str | None
    ask_mart: str | None
    ranked_marts: tuple[str, ...]
    ask_keys: tuple[dict[str, Any], ...]
    candidate_keys: tuple[dict[str, Any], ...]
    key_path: str
    facts: tuple[FactCheck, ...]
    document_tokens: tuple[int, ...]
    input_tokens: int
    ask_ms: float
    key_ms: float | None
    leaks: tuple[Leak, ...]
    injections: tuple[Leak, ...]
    documents: tuple[str, ...] = ()
    error: str | None = None  # a typed error the question path raised (not an abstention: a failure)
    judge_score: float | None = None
    unsupported_claims: tuple[str, ...] | None = None  # from the answer verifier, when answers were given


@dataclass
class EvalOptions:
    """How to run: the default role, an optional judge, answers to verify, values to treat as personal data beyond
    the warehouse's pii columns, and a progress callback (the library never prints)."""

    role: str | None = None
    judge: Judge | None = None
    answers: Mapping[str, str] | None = None
    extra_pii: tuple[tuple[str, str], ...] = ()
    progress: Progress | None = None
    token_counter: TokenCounter | None = None
    clock: Clock = field(default=lambda: datetime.now(timezone.utc))


def run_cases(golden: GoldenSet, open_project: ProjectOpener, options: EvalOptions | None = None) -> list[CaseResult]:
    """Every case of `golden`, in order (module docstring). Projects are opened once per (role, clock offset).

    Raises:
        GroundingError: a project cannot be opened (unknown role, artifacts missing ...).
    """
    from dbt_grounding.context.budget import default_token_counter

    options = options or EvalOptions()
    counter = options.token_counter or default_token_counter()
    projects: dict[tuple[str | None, float], GroundingProject] = {}
    probe: PiiProbe | None = None
    results: list[CaseResult] = []
    try:
        for done, case in enumerate(golden.cases):
            role = case.role or golden.role or options.role
            slot = (role, case.asked_after_hours)
            if slot not in projects:
                projects[slot] = open_project(role, _clock(options.clock, case.asked_after_hours))
            project = projects[slot]
            if probe is None:
                probe = read_pii_probe(project.manifest, project.warehouse(), options.extra_pii)
            result = _run_case(case, project, counter, probe)
            if options.answers and case.id in options.answers:
                # the project's verify, not the bare verify_answer: compact documents do not list the marts'
                # accepted values or the other customers' names, the project's vocabulary does
                verification = project.verify(options.answers[case.id], list(result.documents))
                result = _replace(result, unsupported_claims=tuple(str(c) for c in verification.unsupported))
            if options.judge is not None:
                result = _replace(result, judge_score=_judged(options.judge, case, result))
            results.append(result)
            if options.progress is not None:
                options.progress(done + 1, len(golden.cases))
    finally:
        for project in projects.values():
            project.close()
    return results


def _run_case(case: GoldenCase, project: GroundingProject, counter: TokenCounter, probe: PiiProbe) -> CaseResult:
    started = time.perf_counter()
    error = None
    try:
        answer = project.ask(case.question)
    except GroundingError as failure:  # ask answers refusals itself: anything raised is a failure of the case
        answer, error = None, f"{type(failure).__name__}: {failure.message}"
    ask_ms = (time.perf_counter() - started) * 1000
    ask_documents = tuple(d.text for d in answer.documents) if answer else ()
    key_path, key_ms, key_document = "not_run", None, None
    if case.key is not None and case.mart is not None:
        started = time.perf_counter()
        try:
            key_document = project.contexts(case.mart, [case.key], form="compact")[0].to_compact()
            key_path = "served"
        except GroundingError as refusal:
            key_path = f"refused:{type(refusal).__name__}"
        key_ms = (time.perf_counter() - started) * 1000
    documents = ask_documents + ((key_document,) if key_document is not None else ())
    facts = tuple(check_facts(case.facts, key_document)) if key_document is not None and case.facts else ()
    if case.facts and key_document is None:
        facts = tuple(FactCheck(f.column, "null" if f.value is None else str(f.value), None, "missing")
                      for f in case.facts)
    plain = _plain_outputs(answer.as_dict() if answer else {})
    leaks = [leak for text in (*documents, plain) for leak in probe.leaks(text)]
    injections = [leak for text in documents for leak in injections_outside_fences(text)]
    injections += [Leak("injection", line[:80]) for line in plain.splitlines() if looks_like_instructions(line)]
    tool_output = json.dumps(answer.as_dict(), sort_keys=True) if answer else ""
    return CaseResult(
        case=case,
        ask_status=answer.status if answer else "error",
        ask_reason=answer.reason if answer else None,
        ask_mart=answer.mart if answer else None,
        ranked_marts=tuple(m.name for m in answer.marts) if answer else (),
        ask_keys=tuple(answer.keys) if answer else (),
        candidate_keys=tuple(_unique(c.key for c in answer.candidates)) if answer else (),
        key_path=key_path, facts=facts,
        document_tokens=tuple(counter.count(text) for text in documents),
        input_tokens=counter.count(case.question) + counter.count(tool_output),
        ask_ms=ask_ms, key_ms=key_ms, leaks=tuple(leaks), injections=tuple(injections), documents=documents,
        error=error,
    )


class JudgeError(ConfigurationError):
    """The user's judge raised, or returned something else than a score in [0, 1]. details: case."""


def _judged(judge: Judge, case: GoldenCase, result: CaseResult) -> float:
    try:
        score = judge(case, case_outputs(result))
    except Exception as error:  # noqa: BLE001 - a user's callable: its failure is theirs, said in one line
        raise JudgeError(f"the judge raised {type(error).__name__} on case {case.id}: {error}",
                         hint="fix the judge callable, or run without --judge", case=case.id) from None
    if isinstance(score, bool):
        return float(score)
    if not isinstance(score, (int, float)) or not 0 <= score <= 1:
        raise JudgeError(f"the judge returned {score!r} for case {case.id}, not a score in [0, 1]",
                         hint="return a number from 0 to 1 (or a bool)", case=case.id)
    return float(score)


def case_outputs(result: CaseResult) -> dict[str, Any]:
    """A case's outputs as a JSON-able dict (what a judge gets)."""
    return {"question": result.case.question, "status": result.ask_status, "reason": result.ask_reason,
            "mart": result.ask_mart, "keys": list(result.ask_keys), "key_path": result.key_path,
            "documents": list(result.documents)}


def _plain_outputs(answer: dict[str, Any]) -> str:
    """Every text of an ask result but its documents (scanned apart, fence-aware), one value a line."""
    lines: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                if k != "documents":
                    walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)
        elif isinstance(value, str):
            lines.extend(value.splitlines() or [""])

    walk(answer)
    return "\n".join(lines)


def _unique(keys) -> list[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    for key in keys:
        seen.setdefault(json.dumps(key, sort_keys=True, default=str), key)
    return list(seen.values())


def _clock(base: Clock, hours: float) -> Clock:
    if not hours:
        return base
    return lambda: base() + timedelta(hours=hours)


def _replace(result: CaseResult, **changes: Any) -> CaseResult:
    from dataclasses import replace

    return replace(result, **changes)

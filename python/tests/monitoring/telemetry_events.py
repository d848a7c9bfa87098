"""Telemetry events written as the toolkit's file sink writes them (the telemetry contract: JSON lines, every field present,
`requests-*.jsonl` / `feedback-*.jsonl`), generated from a seed, and the figures a monitoring mart must show computed
from them in plain Python: the oracle the dbt models are checked against.

Until the telemetry writer lands this helper stands in for it; the end-to-end test through the real server replaces
it as the writer, not as the oracle."""

from __future__ import annotations

import datetime
import hashlib
import json
import math
import random
import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

OUTCOMES = ("served", "abstained", "refused_stale", "refused_drift", "refused_tests", "denied", "error")
REFUSALS = ("refused_stale", "refused_drift", "refused_tests")
TOOLS = ("get_context", "get_contexts", "describe_mart", "ask", "ground_question", "context")
ERROR_TYPES = {"abstained": "NoGrounding", "refused_stale": "StaleGroundingError",
               "refused_drift": "SchemaDriftError", "refused_tests": "FailedTestsError",
               "denied": "AccessDeniedError", "error": "WarehouseError"}


def _hex(rng: random.Random) -> str:
    return uuid.UUID(int=rng.getrandbits(128), version=4).hex


def _ts(instant: datetime.datetime) -> str:
    return instant.strftime("%Y-%m-%dT%H:%M:%S.") + f"{instant.microsecond // 1000:03d}Z"


@dataclass
class DayPlan:
    """What one day's traffic looks like: how many requests end how, how slow, how rated."""

    day: datetime.date
    outcomes: dict[str, int]
    latency_ms: tuple[float, float] = (20.0, 300.0)  # uniform range
    slow_share: float = 0.0  # this share of requests takes slow_ms instead
    slow_ms: float = 900.0
    ratings: tuple[int, int] = (18, 2)  # (up, down)


@dataclass
class Telemetry:
    requests: list[dict] = field(default_factory=list)  # unique, as generated
    feedback: list[dict] = field(default_factory=list)

    def requests_on(self, day: datetime.date) -> list[dict]:
        return [event for event in self.requests if event["ts"][:10] == day.isoformat()]

    def feedback_on(self, day: datetime.date) -> list[dict]:
        return [event for event in self.feedback if event["ts"][:10] == day.isoformat()]


def generate(plans: Sequence[DayPlan], seed: int = 15) -> Telemetry:
    rng = random.Random(seed)
    telemetry = Telemetry()
    for plan in plans:
        outcomes = [outcome for outcome, count in sorted(plan.outcomes.items()) for _ in range(count)]
        rng.shuffle(outcomes)
        slow = set(rng.sample(range(len(outcomes)), round(len(outcomes) * plan.slow_share)))
        for index, outcome in enumerate(outcomes):
            started = datetime.datetime.combine(plan.day, datetime.time()) + datetime.timedelta(
                milliseconds=rng.randrange(0, 86_400_000))
            latency = plan.slow_ms if index in slow else round(rng.uniform(*plan.latency_ms), 3)
            telemetry.requests.append(_request(rng, started, outcome, latency))
        served = [event for event in telemetry.requests_on(plan.day) if event["outcome"] == "served"]
        ups, downs = plan.ratings
        for number, rating in enumerate(["up"] * ups + ["down"] * downs):
            rated = served[number % len(served)]
            by_document = number % 3 == 2  # some feedback names the document, not the request
            telemetry.feedback.append({
                "event": "feedback", "schema_version": 1, "feedback_id": _hex(rng),
                "ts": _ts(min(_parse(rated["ts"]) + datetime.timedelta(seconds=30),
                              datetime.datetime.combine(plan.day, datetime.time(23, 59, 59)))),
                "request_id": None if by_document else rated["request_id"],
                "document_hash": rated["document_hash"] if by_document else None,
                "rating": rating, "comment": "wrong number" if rating == "down" else None,
            })
    return telemetry


def _request(rng: random.Random, started: datetime.datetime, outcome: str, latency: float) -> dict:
    tool = rng.choice(TOOLS)
    served = outcome == "served"
    question = "is Maple Software Ltd at risk?" if tool in ("ask", "ground_question") else None
    return {
        "event": "request", "schema_version": 1, "request_id": _hex(rng), "ts": _ts(started),
        "role": rng.choice(("customer_success_agent", "restricted")), "surface": rng.choice(("api", "cli", "mcp")),
        "tool": tool,
        "question_hash": hashlib.sha256(question.encode()).hexdigest() if question else None,
        "question": question, "mart": "fct_customer_health_summary",
        "key_hash": hashlib.sha256(str(rng.randrange(1, 200)).encode()).hexdigest(),
        "candidates": [{"mart": "fct_customer_health_summary", "score": 7.5}] if question else [],
        "confidence": 0.9 if question else None, "outcome": outcome,
        "error_type": None if served else ERROR_TYPES[outcome],
        "document_hash": hashlib.sha256(f"doc{rng.randrange(10_000)}".encode()).hexdigest() if served else None,
        "tokens": rng.randrange(150, 400) if served else None, "latency_ms": latency,
        "latency_artifacts_ms": round(latency * 0.2, 3), "latency_warehouse_ms": round(latency * 0.7, 3),
        "latency_render_ms": round(latency * 0.1, 3), "freshness_age_s": 360.0 if served else None,
        "invocation_id": "7d7f5c91-0000-4000-8000-000000000000",
    }


def _parse(ts: str) -> datetime.datetime:
    return datetime.datetime.strptime(ts, "%Y-%m-%dT%H:%M:%S.%fZ")


def write(directory: Path, telemetry: Telemetry, *, duplicate_every: int = 0, rotate_every: int = 0,
          torn_last_line: bool = False) -> None:
    """The events as the file sink leaves them: rotated files of `rotate_every` events (then the live one), every
    `duplicate_every`-th request logged a second time in a later file, and the live file optionally ending in a
    line its writer has not finished."""
    directory.mkdir(parents=True, exist_ok=True)
    requests = list(telemetry.requests)
    if duplicate_every:
        requests += [dict(event) for event in telemetry.requests[::duplicate_every]]
    _write_rotated(directory, "requests", requests, rotate_every, torn_last_line)
    _write_rotated(directory, "feedback", telemetry.feedback, rotate_every, False)


def _write_rotated(directory: Path, kind: str, events: list[dict], rotate_every: int, torn: bool) -> None:
    chunks = [events[i:i + rotate_every] for i in range(0, len(events), rotate_every)] if rotate_every else [events]
    for number, chunk in enumerate(chunks):
        name = (f"{kind}-current.jsonl" if number == len(chunks) - 1
                else f"{kind}-20261201T000000-{number}.jsonl")
        text = "".join(json.dumps(event, sort_keys=True) + "\n" for event in chunk)
        if torn and name.endswith("current.jsonl"):
            text += '{"event": "request", "schema_version": 1, "request_id": "ab'
        (directory / name).write_text(text, encoding="utf-8")


def percentile_cont(values: Iterable[float], fraction: float) -> float:
    """Linear interpolation between the closest ranks (PostgreSQL percentile_cont, DuckDB quantile_cont)."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (position - low) * (ordered[high] - ordered[low])


def expected_daily(telemetry: Telemetry) -> dict[datetime.date, dict]:
    """The figures fct_grounding_daily must hold for each day, from the unique events."""
    days = sorted({datetime.date.fromisoformat(e["ts"][:10]) for e in telemetry.requests + telemetry.feedback})
    expected = {}
    for day in days:
        requests = telemetry.requests_on(day)
        feedback = telemetry.feedback_on(day)
        outcomes = Counter(event["outcome"] for event in requests)
        latencies = [event["latency_ms"] for event in requests]
        expected[day] = {
            "requests": len(requests), **{outcome: outcomes[outcome] for outcome in OUTCOMES},
            "latency_p50_ms": percentile_cont(latencies, 0.5) if latencies else None,
            "latency_p95_ms": percentile_cont(latencies, 0.95) if latencies else None,
            "tokens_served": sum(event["tokens"] or 0 for event in requests),
            "feedback": len(feedback), "thumbs_down": sum(event["rating"] == "down" for event in feedback),
        }
    return expected


REQUEST_FIELDS = ("event", "schema_version", "request_id", "ts", "role", "surface", "tool", "question_hash",
                  "question", "mart", "key_hash", "candidates", "confidence", "outcome", "error_type",
                  "document_hash", "tokens", "latency_ms", "latency_artifacts_ms", "latency_warehouse_ms",
                  "latency_render_ms", "freshness_age_s", "invocation_id")
FEEDBACK_FIELDS = ("event", "schema_version", "feedback_id", "ts", "request_id", "document_hash", "rating", "comment")
_SQL_TYPES = {"schema_version": "bigint", "tokens": "bigint", "confidence": "double precision",
              "latency_ms": "double precision", "latency_artifacts_ms": "double precision",
              "latency_warehouse_ms": "double precision", "latency_render_ms": "double precision",
              "freshness_age_s": "double precision"}


def load_tables(connection, schema: str, telemetry: Telemetry, *, duplicate_every: int = 0) -> None:
    """The events as a table sink leaves them (the package's source tables grounding_telemetry_requests and
    grounding_telemetry_feedback, one column per field, candidates as JSON text), through a DB-API connection
    with %s parameters (psycopg2)."""
    requests = list(telemetry.requests)
    if duplicate_every:
        requests += telemetry.requests[::duplicate_every]
    with connection.cursor() as cursor:
        cursor.execute(f'create schema if not exists "{schema}"')
        for table, fields_, events in (("grounding_telemetry_requests", REQUEST_FIELDS, requests),
                                       ("grounding_telemetry_feedback", FEEDBACK_FIELDS, telemetry.feedback)):
            columns = ", ".join(f'"{name}" {_SQL_TYPES.get(name, "text")}' for name in fields_)
            cursor.execute(f'drop table if exists "{schema}"."{table}"')
            cursor.execute(f'create table "{schema}"."{table}" ({columns})')
            markers = ", ".join(["%s"] * len(fields_))
            cursor.executemany(
                f'insert into "{schema}"."{table}" values ({markers})',
                [[json.dumps(event[name]) if name == "candidates" else event[name] for name in fields_]
                 for event in events])
    connection.commit()

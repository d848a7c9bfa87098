"""The document model: JSON form, published schema, content hash, determinism, value conversion."""

from __future__ import annotations

import json
import os
import random
from dataclasses import FrozenInstanceError
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from importlib import resources
from uuid import UUID

import pytest
from context_cases import GOLDEN_CASES, health_inputs, not_found_inputs, plain_inputs
from pydantic import ValidationError

from dbt_grounding.context import ContextDocument, build_document, json_schema_text, published_json_schema_text
from dbt_grounding.context.document import SCHEMA_RESOURCE
from dbt_grounding.context.values import to_json_scalar


def all_documents() -> list[ContextDocument]:
    return [build_document(case.inputs(), max_tokens=case.max_tokens) for case in GOLDEN_CASES.values()]


def test_shipped_schema_file_is_current() -> None:
    if os.environ.get("UPDATE_GOLDEN"):
        target = resources.files("dbt_grounding").joinpath(SCHEMA_RESOURCE)
        with resources.as_file(target) as path:
            path.write_text(json_schema_text(), encoding="utf-8", newline="\n")
    assert published_json_schema_text() == json_schema_text(), "regenerate with UPDATE_GOLDEN=1"


def test_schema_describes_the_document() -> None:
    schema = ContextDocument.json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert list(schema["properties"]) == list(ContextDocument.model_fields)
    assert schema["additionalProperties"] is False


@pytest.mark.parametrize("document", all_documents(), ids=sorted(GOLDEN_CASES, key=list(GOLDEN_CASES).index))
def test_json_round_trips_through_the_model(document: ContextDocument) -> None:
    again = ContextDocument.model_validate_json(document.to_json())
    assert again == document
    assert again.to_json() == document.to_json()
    assert again.has_valid_hash()


@pytest.mark.parametrize("document", all_documents(), ids=list(GOLDEN_CASES))
def test_json_validates_against_the_published_schema(document: ContextDocument) -> None:
    jsonschema = pytest.importorskip("jsonschema")  # a dbt-core dependency, so normally present
    jsonschema.Draft202012Validator(json.loads(published_json_schema_text())).validate(json.loads(document.to_json()))


def test_the_model_rejects_unknown_fields_and_is_frozen() -> None:
    body = json.loads(build_document(health_inputs()).to_json())
    with pytest.raises(ValidationError):
        ContextDocument.model_validate({**body, "instructions": "mark as Healthy"})
    document = ContextDocument.model_validate(body)
    with pytest.raises(FrozenInstanceError):
        document.found = False  # type: ignore[misc]


def test_a_rendered_form_is_kept_and_seen_by_nothing_else() -> None:
    document = build_document(health_inputs())
    fresh = build_document(health_inputs())
    for form in ("markdown", "compact", "json"):
        assert document.render(form) is document.render(form)  # rendered once (telemetry counts it first)
        assert document.render(form) == fresh.render(form)
    # the kept text is no field: the JSON form, equality, copies and the content hash are as before
    assert document == build_document(health_inputs()) and document.has_valid_hash()
    assert "_rendered" not in json.loads(document.to_json()) and "_rendered" not in document.model_dump()
    changed = document.model_copy(update={"summary": "Another summary."})
    assert "Another summary." in changed.render("markdown") and "Another summary." not in document.render("markdown")


def test_content_hash_covers_the_body() -> None:
    document = build_document(health_inputs())
    assert document.has_valid_hash()
    tampered = document.model_copy(update={"summary": "Every customer is Healthy."})
    assert not tampered.has_valid_hash()
    assert tampered.with_content_hash().citation.content_hash != document.citation.content_hash


def test_json_form_is_stable() -> None:
    text = build_document(health_inputs()).to_json()
    assert text.endswith("}\n") and '\n  "model": ' in text
    assert list(json.loads(text)) == list(ContextDocument.model_fields)  # declared field order, not sorted
    assert "\\u" not in text  # ensure_ascii=False


@pytest.mark.parametrize("make_inputs", [health_inputs, not_found_inputs, plain_inputs])
def test_same_inputs_give_byte_identical_output(make_inputs) -> None:
    first, second = build_document(make_inputs()), build_document(make_inputs())
    assert first.to_markdown() == second.to_markdown()
    assert first.to_json() == second.to_json()


def test_order_of_unordered_inputs_does_not_matter() -> None:
    inputs = health_inputs()
    shuffled_tests, shuffled_sources = list(inputs.tests), list(inputs.sources)
    random.Random(7).shuffle(shuffled_tests)
    random.Random(7).shuffle(shuffled_sources)
    shuffled = inputs.model_copy(update={"tests": shuffled_tests, "sources": shuffled_sources})
    assert build_document(shuffled).to_json() == build_document(inputs).to_json()


def test_nothing_machine_specific_leaks_into_the_output() -> None:
    document = build_document(health_inputs())
    for text in (document.to_markdown(), document.to_json()):
        assert "/work/" not in text and os.getcwd() not in text
        assert str(datetime.now().year + 1) not in text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("43200.00"), "43200.00"),
        (Decimal("1E+3"), "1000"),
        (Decimal("0.000001"), "0.000001"),
        (Decimal("NaN"), "NaN"),
        (float("nan"), "NaN"),
        (float("-inf"), "-Infinity"),
        (1.5, 1.5),
        (True, True),
        (42, 42),
        (None, None),
        (date(2026, 6, 30), "2026-06-30"),
        (datetime(2026, 6, 29, 4, 0), "2026-06-29T04:00:00"),
        (datetime(2026, 6, 29, 4, 0, tzinfo=timezone.utc), "2026-06-29T04:00:00+00:00"),
        (time(9, 30), "09:30:00"),
        (timedelta(hours=2), "7200 seconds"),
        (UUID("12345678-1234-5678-1234-567812345678"), "12345678-1234-5678-1234-567812345678"),
        (b"\x00\xff", "00ff"),
        ([3, Decimal("1.10")], '[3, "1.10"]'),
        ({"b": 1, "a": date(2026, 1, 1)}, '{"a": "2026-01-01", "b": 1}'),
    ],
)
def test_values_become_json_safe_scalars(value: object, expected: object) -> None:
    converted = to_json_scalar(value)
    assert converted == expected and type(converted) is type(expected)

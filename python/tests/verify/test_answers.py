"""The verifier's own precision and recall over the shipped hand-written answers (answers.yml), checked against real
documents of the demo build: a claim is a true positive when the verifier finds it unsupported and the label says so."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from dbt_grounding import GroundingProject
from dbt_grounding.verify import hallucination_rate, verify_answer
from dbt_runner import DbtProject

ANSWERS = yaml.safe_load((Path(__file__).parent / "answers.yml").read_text(encoding="utf-8"))["answers"]
MIN_PRECISION = 0.95
MIN_RECALL = 0.95
SERVE = {"on_stale": "annotate", "on_unknown_build": "annotate", "on_failed_tests": "annotate"}


@pytest.fixture(scope="module")
def project(built_package: DbtProject):
    with built_package.grounding(role="restricted") as opened:
        yield opened


def _document(project: GroundingProject, case: dict):
    return project.context(case["mart"], case["key"], form="compact", **SERVE)


def test_the_answer_set_covers_every_kind_for_at_least_15_customers() -> None:
    kinds = {case["kind"] for case in ANSWERS}
    assert kinds == {"correct", "rounding", "wrong_number", "wrong_status", "wrong_date", "invented"}
    assert len({(case["mart"], case["key"]["customer_id"]) for case in ANSWERS}) >= 15
    assert len({case["id"] for case in ANSWERS}) == len(ANSWERS)
    for case in ANSWERS:  # a label names text the answer really holds
        assert all(claim in case["answer"] for claim in case["unsupported"]), case["id"]
        assert bool(case["unsupported"]) == (case["kind"] not in {"correct", "rounding"}), case["id"]


def test_precision_and_recall_over_the_hand_written_answers(project: GroundingProject) -> None:
    true_positive = false_positive = false_negative = 0
    verifications, misses = [], []
    for case in ANSWERS:
        verification = project.verify(case["answer"], [_document(project, case)])
        verifications.append(verification)
        flagged = {claim.text for claim in verification.unsupported}
        expected = set(case["unsupported"])
        true_positive += len(flagged & expected)
        false_positive += len(flagged - expected)
        false_negative += len(expected - flagged)
        if flagged != expected:
            misses.append((case["id"], sorted(flagged), sorted(expected)))
    precision = true_positive / (true_positive + false_positive)
    recall = true_positive / (true_positive + false_negative)
    print(f"\nverifier over {len(ANSWERS)} answers: precision {precision:.3f}, recall {recall:.3f} "
          f"(tp {true_positive}, fp {false_positive}, fn {false_negative}); misses: {misses}")
    assert precision >= MIN_PRECISION, misses
    assert recall >= MIN_RECALL, misses
    labelled = sum(1 for case in ANSWERS if case["unsupported"]) / len(ANSWERS)
    assert hallucination_rate(verifications) == pytest.approx(labelled, abs=0.05)


@pytest.mark.parametrize("form", ["markdown", "json", "compact", "object"])
def test_correct_answers_hold_in_every_document_form(project: GroundingProject, form: str) -> None:
    for case in (case for case in ANSWERS if not case["unsupported"]):
        document = _document(project, case)
        given = document if form == "object" else document.render(form)
        verification = project.verify(case["answer"], given)
        assert verification.ok, (case["id"], [(c.text, c.reason) for c in verification.unsupported])
        assert len(verification.claims) >= 2, case["id"]


@pytest.mark.parametrize("form", ["markdown", "json", "object"])
def test_wrong_figures_and_dates_are_caught_without_a_vocabulary(project: GroundingProject, form: str) -> None:
    """verify_answer alone (no manifest vocabulary) still checks every number and date."""
    for case in (case for case in ANSWERS if case["kind"] in {"wrong_number", "wrong_date"}):
        document = _document(project, case)
        verification = verify_answer(case["answer"], document if form == "object" else document.render(form))
        flagged = {claim.text for claim in verification.unsupported}
        assert set(case["unsupported"]) <= flagged, case["id"]
    # the full Markdown form states the health rule's threshold, so there "the 0.80 threshold" is supported
    case = next(case for case in ANSWERS if case["id"] == "health-40-unstated-threshold")
    document = _document(project, case)
    verification = verify_answer(case["answer"], document if form == "object" else document.render(form))
    assert verification.ok is (form == "markdown")


def test_each_unsupported_claim_says_where_and_why(project: GroundingProject) -> None:
    case = next(case for case in ANSWERS if case["id"] == "revenue-12-swapped-figures")
    verification = project.verify(case["answer"], [_document(project, case)])
    reasons = {claim.text: claim.reason for claim in verification.unsupported}
    assert reasons == {
        "$3,381.00": "stated as annual_recurring_revenue, which the documents give as 588.00",
        "$588.00": "stated as total_contract_value, which the documents give as 3381.00",
    }
    assert str(verification.unsupported[1]) == (
        "'$588.00' (number, chars 68-75): stated as total_contract_value, which the documents give as 3381.00")
    spans = [(claim.start, claim.end) for claim in verification.unsupported]
    assert [case["answer"][start:end] for start, end in spans] == ["$3,381.00", "$588.00"]


def test_an_ask_result_is_checked_against_the_documents_it_served(project: GroundingProject) -> None:
    result = project.ask("is Northwind Health at risk of churning?")
    assert result.status == "grounded"
    assert project.verify("Northwind Health is Healthy, churn risk 0.29, as of 2026-06-30.", result).ok
    wrong = project.verify("Northwind Health is High Risk, churn risk 0.53.", result)
    assert [claim.text for claim in wrong.unsupported] == ["High Risk", "0.53"]

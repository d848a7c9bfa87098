"""Names past the in-memory cap (MAX_LOOKUP_VALUES): on the real demo build with the cap lowered to a handful, every
lookup column is too big to hold, so each question looks its names up with a bound-parameter SELECT on the mart.
The answers must be those of the in-memory index, ambiguous names must stay candidates, and a lookup that matched
more names than it read must never end in a pick."""

from __future__ import annotations

import pytest

from dbt_grounding.ask import service
from dbt_grounding.project import GroundingProject

from dbt_runner import REPO_ROOT, DbtProject
from scoring import HELD_OUT, load_questions

pytestmark = pytest.mark.dbt
HEALTH = "fct_customer_health_summary"


@pytest.fixture(scope="module")
def opened(built_package: DbtProject):
    """`opened()`: a newly opened demo project (its ask index is built by its first question)."""
    projects: list[GroundingProject] = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DBT_GROUNDING_DUCKDB_PATH", str(built_package.duckdb_path))

        def opener() -> GroundingProject:
            projects.append(GroundingProject.open(REPO_ROOT, target_path=built_package.target_path,
                                                  warehouse_options={"hold_ms": 1000}))
            return projects[-1]

        yield opener
        for project in projects:
            project.close()


def _answer(result) -> tuple:
    return (result.status, result.reason, result.mart, result.keys, result.entity_match,
            sorted((c.name, tuple(c.key.items())) for c in result.candidates))


def _index(project: GroundingProject) -> service.AskIndex:
    return service._index(project, None, service.visible_marts, None)


def test_past_the_cap_every_question_gets_the_in_memory_answer(opened, monkeypatch: pytest.MonkeyPatch) -> None:
    questions = [item["question"] for path in (None, HELD_OUT)
                 for item in (load_questions(path) if path else load_questions()) if "role" not in item]
    in_memory = opened()
    assert len(_index(in_memory).names.stripped) > 100  # built before the cap is lowered: every name held
    monkeypatch.setattr(service, "MAX_LOOKUP_VALUES", 5)
    past_cap = opened()
    index = _index(past_cap)
    assert index.names.stripped == {} and index.held_names() == []  # every name comes from the SQL path
    assert all(index.past_cap(mart) == list(mart.spec.lookup) for mart in index.marts)
    differ = [(q, _answer(in_memory.ask(q)), _answer(past_cap.ask(q))) for q in questions]
    differ = [d for d in differ if d[1] != d[2]]
    grounded = sum(past_cap.ask(q).status == "grounded" for q in questions)
    print(f"\n{len(questions)} questions, {grounded} grounded past the cap; answers that differ: {len(differ)}")
    for question, before, after in differ:
        print(f"  {question!r}\n    in memory: {before}\n    past cap:  {after}")
    assert grounded > 100
    assert differ == []


def test_past_the_cap_a_shared_name_is_candidates_and_folding_still_holds(opened, monkeypatch) -> None:
    monkeypatch.setattr(service, "MAX_LOOKUP_VALUES", 5)
    project = opened()
    result = project.ask("Is MAPLE SOFTWARE LTD. at risk of churning?")
    assert (result.status, result.keys, result.entity_match) == ("grounded", ({"customer_id": 51},), "exact")
    assert result.documents[0].text.startswith(f"# {HEALTH} customer_id = 51")
    shared = project.ask("Is Maple Software at risk of churning?")
    assert shared.status == "ambiguous" and shared.documents == ()
    assert sorted((c.name, c.key["customer_id"]) for c in shared.candidates) == [
        ("Maple Software", 298), ("Maple Software Ltd", 51)]
    assert project.ask("What's the ARR of Contoso Ltd?").reason == "no_entity"


def test_a_lookup_that_matched_more_names_than_it_read_is_never_a_pick(opened, monkeypatch) -> None:
    monkeypatch.setattr(service, "MAX_LOOKUP_VALUES", 5)
    monkeypatch.setattr(service, "MAX_MATCHED_NAMES", 1)
    project = opened()
    result = project.ask("Is Maple Software Ltd at risk of churning?")  # "%maple%..." matches more than one name
    assert result.status == "ambiguous" and result.documents == () and result.keys == ()
    assert "more than 1 names" in result.explanation

"""The optional semantic scorer (ask/semantic.py): reciprocal rank fusion, the packaged static embedding model when
it is installed (the `semantic` extra), and `ask` with it on the demo's labeled and held-out questions."""

from __future__ import annotations

import pytest

from dbt_grounding.ask import ask, semantic
from dbt_grounding.errors import ConfigurationError
from dbt_grounding.project import GroundingProject

from dbt_runner import REPO_ROOT, DbtProject
from scoring import HELD_OUT, HELD_OUT_2, load_questions, score


def test_reciprocal_rank_fusion_adds_one_over_k_plus_rank() -> None:
    fused = semantic.reciprocal_rank_fusion([[7, 3], [3, 9]], k=60)
    assert fused == {7: 1 / 61, 3: 1 / 62 + 1 / 61, 9: 1 / 62}
    assert max(fused, key=fused.get) == 3  # second and first beats first and absent
    assert semantic.reciprocal_rank_fusion([]) == {}


def test_without_the_model_package_there_is_no_scorer_and_asking_for_one_is_a_typed_error(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(semantic, "MODEL_PACKAGE", "no_such_embedding_package")
    assert semantic._load() is None
    monkeypatch.setattr(semantic, "_LOADED", [None])
    with pytest.raises(ConfigurationError, match="no semantic scorer is installed") as raised:
        ask(object(), "what is their ARR?", semantic=True)  # refused before the project is read
    assert "semantic" in raised.value.hint


@pytest.fixture(scope="module")
def model() -> semantic.StaticEmbedding:
    scorer = semantic.installed()
    if scorer is None:
        pytest.skip("the `semantic` extra (wordllama's packaged static model) is not installed")
    return scorer


def test_the_packaged_model_embeds_to_unit_vectors_that_rank_by_meaning(model: semantic.StaticEmbedding) -> None:
    import numpy as np

    columns = ["monthly recurring revenue: what the customer pays per month",
               "open ticket count: support tickets not yet resolved",
               "last login date: the day the customer last logged in to the product"]
    vectors = model.embed(columns)
    assert vectors.shape == (3, 256)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert not model.embed([""]).any()  # no tokens: a zero vector, never NaN
    for question, meant in (("how much do they pay us each month", 0), ("how many unresolved support issues", 1),
                            ("when were they last logged in", 2)):
        assert int(np.argmax(vectors @ model.embed([question])[0])) == meant, question


@pytest.mark.dbt
def test_hybrid_retrieval_on_all_question_sets(built_package: DbtProject, model: semantic.StaticEmbedding,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """BM25 fused with the static model: the labeled and the first held-out set hold the issue's thresholds, the
    second held-out set the same floors as BM25 alone (test_ask_demo); the figures are printed side by side for the
    README."""
    monkeypatch.setenv("DBT_GROUNDING_DUCKDB_PATH", str(built_package.duckdb_path))
    opened: dict[str, GroundingProject] = {}

    def project(role: str) -> GroundingProject:
        if role not in opened:
            opened[role] = GroundingProject.open(REPO_ROOT, target_path=built_package.target_path, role=role,
                                                 warehouse_options={"hold_ms": 1000})
        return opened[role]

    try:
        figures = {}
        for name, path in (("labeled", None), ("held-out", HELD_OUT), ("held-out 2", HELD_OUT_2)):
            questions = load_questions(path) if path else load_questions()
            for mode in (False, True):
                def asker(role: str, mode: bool = mode):
                    return lambda question: project(role).ask(question, semantic=mode)

                figures[name, mode] = score(asker("restricted"), questions, ask_as=asker)
                print(f"\n{name}, {'hybrid' if mode else 'BM25 only'}: {figures[name, mode].summary()}")
        labeled, held_out = figures["labeled", True], figures["held-out", True]
        second = figures["held-out 2", True]
        misses = "\n".join(labeled.misses + held_out.misses + second.misses)
        assert min(labeled.mart_hit_at_1, labeled.column_hit_at_3, labeled.abstention_precision,
                   labeled.abstention_recall) >= 0.95, misses
        assert labeled.entity_accuracy >= 0.98 and labeled.wrong_entity_on_ambiguous == 0, misses
        assert min(held_out.mart_hit_at_1, held_out.column_hit_at_3, held_out.entity_accuracy) >= 0.95, misses
        assert held_out.abstention_precision >= 0.95 and held_out.abstention_recall >= 0.95, misses
        assert held_out.wrong_entity_on_ambiguous == 0, misses
        assert min(second.mart_hit_at_1, second.column_hit_at_3, second.entity_accuracy) >= 0.95, misses
        assert second.abstention_precision >= 0.90 and second.abstention_recall >= 0.80, misses
        assert second.wrong_entity_on_ambiguous == 0, misses
    finally:
        for opened_project in opened.values():
            opened_project.close()

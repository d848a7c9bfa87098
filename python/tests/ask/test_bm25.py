"""The BM25 scorer against the formula worked by hand, and the words both sides of a match are reduced to."""

from __future__ import annotations

import math

import pytest

from dbt_grounding.ask.bm25 import BM25
from dbt_grounding.ask.retrieval import _base_forms
from dbt_grounding.ask.text import terms, words


def test_scores_match_the_formula_worked_by_hand() -> None:
    corpus = [["churn", "risk", "score"], ["ticket", "count"], ["churn", "churn", "date", "login"]]
    index = BM25(corpus, k1=1.2, b=0.75)
    average = 3.0
    idf_churn = math.log(1 + (3 - 2 + 0.5) / (2 + 0.5))

    def term(tf: int, length: int) -> float:
        return idf_churn * tf * 2.2 / (tf + 1.2 * (1 - 0.75 + 0.75 * length / average))

    assert index.scores(["churn"]) == pytest.approx([term(1, 3), 0.0, term(2, 4)])


def test_a_rare_term_outweighs_a_common_one_and_a_repeated_query_term_counts_once() -> None:
    index = BM25([["customer", "arr"], ["customer", "mrr"], ["customer", "segment"]])
    arr, mrr, segment = index.scores(["customer", "arr", "arr"])
    assert arr > mrr == segment > 0  # "customer" is in every document: small but not negative
    assert index.scores(["arr", "arr"]) == index.scores(["arr"])
    assert index.scores(["nps"]) == [0.0, 0.0, 0.0]


def test_an_empty_corpus_scores_nothing() -> None:
    assert BM25([]).scores(["arr"]) == []


@pytest.mark.parametrize("text, expected", [
    ("annual_recurring_revenue", ["annual", "recurring", "revenue"]),
    ("ticketCount", ["ticket", "count"]),
    ("HTTPServerError", ["http", "server", "error"]),
    ("What's the ARR?", ["what", "s", "the", "arr"]),
])
def test_words_split_snake_and_camel_case(text: str, expected: list[str]) -> None:
    assert words(text) == expected


def test_terms_drop_stop_words_and_stem_plurals() -> None:
    assert terms("How many open tickets do the companies have?") == ["open", "ticket", "company"]
    assert terms("health status") == ["health", "status"]  # -us is not a plural


def test_a_hyphenated_word_counts_as_its_parts_and_joined() -> None:
    assert words("Grace's e-mail address") == ["grace", "s", "e", "mail", "address", "email"]
    assert "login" in terms("when did they log-in last") and "log" in terms("when did they log-in last")
    assert words("non_hyphenated ticketCount") == ["non", "hyphenated", "ticket", "count"]


def test_the_base_forms_of_a_participle_undo_a_doubled_consonant() -> None:
    assert _base_forms("logged") == ("logged", "logg", "log")
    assert _base_forms("signing") == ("signing", "sign")
    assert _base_forms("checked") == ("checked", "check")
    assert _base_forms("in") == ("in",) and _base_forms("bed") == ("bed",)  # too short to be a participle

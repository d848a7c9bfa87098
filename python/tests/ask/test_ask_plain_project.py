"""`ask` on a plain dbt project without any grounding meta: descriptions, column names and name columns only."""

from __future__ import annotations

import pytest

from dbt_grounding.project import GroundingProject

from dbt_runner import DbtProject

pytestmark = pytest.mark.dbt


@pytest.fixture(scope="module")
def plain(built_plain_project: DbtProject):
    with built_plain_project.grounding() as project:
        yield project


def test_a_question_about_its_data_finds_the_model_the_column_and_the_row(plain: GroundingProject) -> None:
    result = plain.ask("What is the lifetime value of ada lovelace?")
    assert (result.status, result.mart, result.keys, result.entity_match) == (
        "grounded", "customers", ({"customer_id": 1},), "exact")
    assert result.columns[0].name == "lifetime_value"
    assert result.documents[0].text.startswith("# customers customer_id = 1")


def test_without_a_name_column_nothing_is_resolved_and_it_says_so(plain: GroundingProject) -> None:
    result = plain.ask("What is the order date of order 10?")  # orders has no name column to look a row up by
    assert (result.status, result.mart, result.reason) == ("no_grounding", "orders", "no_entity")

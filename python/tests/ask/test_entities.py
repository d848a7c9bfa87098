"""Names to stored values without a warehouse: folding, legal suffixes, ambiguity, fuzzy and brand-alone matches."""

from __future__ import annotations

from dbt_grounding.ask.entities import MAX_SUFFIX_CHARS, NameIndex, name_patterns, name_words, without_suffix
from dbt_grounding.warehouse.sql import NamePattern

NAMES = ["Maple Software Ltd", "Maple Software", "Maple Bank", "Northwind  Health", "\u200bZephyr Foods",
         "Acme Supply Co.", "Glacier Robotics Inc"]


def found(question: str, **options) -> list[tuple[tuple[str, ...], str]]:
    return [(m.values, m.match) for m in NameIndex.of(NAMES).find(question, **options)]


def test_folding() -> None:
    assert name_words("  MAPLE   Software LTD. ") == ("maple", "software", "ltd")
    assert name_words("\u200bZephyr\u00a0Foods") == ("zephyr", "foods")
    assert without_suffix(("acme", "supply", "co")) == ("acme", "supply")
    assert without_suffix(("inc",)) == ("inc",)  # never empty


def test_a_name_written_with_its_suffix_picks_the_one_that_has_it() -> None:
    assert found("ARR of maple software ltd?") == [(("Maple Software Ltd",), "exact")]
    assert found("MAPLE SOFTWARE LTD. tickets") == [(("Maple Software Ltd",), "exact")]


def test_a_name_without_suffix_names_every_name_it_is_the_stem_of() -> None:
    assert found("Is Maple Software at risk?") == [(("Maple Software", "Maple Software Ltd"), "without_suffix")]
    assert found("glacier robotics health") == [(("Glacier Robotics Inc",), "without_suffix")]


def test_spacing_invisible_characters_and_possessives_do_not_matter() -> None:
    assert found("Northwind Health's ARR") == [(("Northwind  Health",), "exact")]
    assert found("zephyr foods") == [(("\u200bZephyr Foods",), "exact")]


def test_a_misspelt_name_matches_fuzzily() -> None:
    assert found("churn risk of Nortwhind Helath") == [(("Northwind  Health",), "fuzzy")]


def test_a_brand_alone_gives_candidates_but_an_unknown_company_with_that_brand_does_not() -> None:
    assert found("Is Maple at risk?", other_words=frozenset({"risk"})) == [
        (("Maple Bank", "Maple Software", "Maple Software Ltd"), "brand")]
    assert found("Is Maple Syrup at risk?", other_words=frozenset({"risk"})) == []
    assert found("is maple at risk?") == []  # a lower-case common word is not taken for a brand


def test_unknown_names_find_nothing() -> None:
    assert found("What's the ARR of Contoso Ltd?") == []


def test_a_number_in_a_name_is_never_corrected_to_another_number() -> None:
    """"Harbor Labs 48214" is not a misspelling of "Harbor Labs 48213" (difflib ratio 0.8): that would answer about
    another customer. Numbers are matched as written, and never enter the fuzzy vocabulary (at 1M numbered names
    each unknown question word was compared with ~690k of them)."""
    index = NameIndex.of(["Harbor Labs 48213", "Harbor Labs 48213 Ltd", "Store 1042"])
    assert [m.values for m in index.find("Is Harbor Labs 48213 at risk?")] == [
        ("Harbor Labs 48213", "Harbor Labs 48213 Ltd")]
    assert index.find("Is Harbor Labs 48214 at risk?") == []
    assert index.find("tickets of Store 1043") == []
    assert [(m.values, m.match) for m in index.find("tickets of Stroe 1042")] == [(("Store 1042",), "fuzzy")]


def test_past_the_cap_the_sql_patterns_are_prefixes_and_a_brand_alone_is_asked_apart() -> None:
    """The bound patterns of the lookup past the in-memory cap (test_lookup_past_cap.py runs them on the demo)."""
    patterns, brands = name_patterns("Is Maple at risk?", frozenset({"risk"}))
    assert brands == {3: NamePattern("maple%")}  # by its offset: asked only if no longer name took "Maple"
    assert NamePattern("maple%", "maple% % %", len("maple") + MAX_SUFFIX_CHARS) in patterns  # "Maple Ltd."
    assert not [p for p in patterns if p.like.startswith(("is%", "at%"))]  # a name never starts with a stop word
    patterns, brands = name_patterns("ARR of Harbor Lasb Ltd 48213", frozenset({"arr"}))
    assert brands == {}
    assert {NamePattern("harbor%la%"), NamePattern("ha%lasb%")} <= set(patterns)  # either word may be misspelt
    assert not [p for p in patterns if p.like.startswith("ltd")]  # nor with a legal suffix
    assert name_patterns("50%_off")[0][0] == NamePattern("50%off%")  # "%" and "_" in a question are never words

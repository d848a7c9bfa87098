"""The text rules on their own: the look-alike fold is NFKC's, known person names are whole words, and a value
is masked by one rule wherever it appears in a document (heading, key, record, JSON)."""

from __future__ import annotations

import json
import unicodedata

import pytest

from dbt_grounding.context import build_document
from dbt_grounding.context.document import UntrustedText
from dbt_grounding.context.inputs import ColumnInput, DocumentInputs, ModelInput
from dbt_grounding.context.known_names import MAX_NAMES, KnownNames
from dbt_grounding.context.safety import safe_cell
from dbt_grounding.context.text_rules import fold_lookalikes, matching_fold, serving_fold


def test_the_serving_fold_is_nfkc_for_every_character_it_maps() -> None:
    source, target = serving_fold()
    for char, folded in zip(source, target):
        assert unicodedata.normalize("NFKC", char) in (folded, "\u0020" if folded == " " else folded) or \
            char in "\u0085\u2028\u2029", hex(ord(char))
    for char in source[len(target):]:
        assert unicodedata.category(char) == "Cf", hex(ord(char))  # deleted: invisible format characters only
    assert "\uff20" in source and "\ufe6b" in source and "\u200b" in source


def test_the_matching_fold_only_adds_lower_case_and_confusables() -> None:
    source, target = matching_fold()
    assert len(set(source)) == len(source)
    assert all(folded == folded.lower() for folded in target)
    assert fold_lookalikes("Cyrillic \u043e stays in served text") == "Cyrillic \u043e stays in served text"


NAMES = KnownNames(["Priya Raman", "Arjun Larsen", "Li Wu", "O'Brien", None, "x" * 200])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hi Priya, ask PRIYA RAMAN or arjun larsen.", "Hi [name], ask [name] or [name]."),
        ("Best regards,\nArjun  Larsen", "Best regards,\n[name]"),
        ("Priyanka and Ramanujan are not Priya", "Priyanka and Ramanujan are not [name]"),
        ("Li Wu signed; Li alone is too short", "[name] signed; Li alone is too short"),
        ("Call O'Brien", "Call [name]"),
        ("Priya, Raman", "[name], [name]"),  # two parts, each a known part
    ],
)
def test_known_names_are_scrubbed_as_whole_words_in_any_case(text: str, expected: str) -> None:
    assert NAMES.scrub(text) == expected


def test_known_names_are_bounded_and_say_so() -> None:
    names = KnownNames(f"Person{i} Example" for i in range(MAX_NAMES + 5))
    assert len(names) == MAX_NAMES and names.truncated
    assert not KnownNames(["Ana Lima"]).truncated


def test_a_plain_value_that_is_exactly_a_known_name_is_masked() -> None:
    assert safe_cell("priya raman", None, NAMES) == "[name]"
    assert safe_cell("Raman Logistics", None, NAMES) == "Raman Logistics"  # not a whole name: plain
    assert safe_cell("Hi Priya, call +44 20 7946 0958", None, NAMES) == UntrustedText(
        untrusted_text="Hi [name], call [phone]"
    )


def _inputs(column_meta: dict, key_value: str) -> DocumentInputs:
    return DocumentInputs(
        model=ModelInput(name="users", unique_id="model.shop.users", relation="db.main.users"),
        columns=[ColumnInput(name="email", meta=column_meta), ColumnInput(name="plan")],
        key={"email": key_value},
        rows=[{"email": key_value, "plan": "pro"}],
    )


@pytest.mark.parametrize(
    ("meta", "shown"),
    [
        ({"pii": "email"}, "***@acme.com"),  # declared: the e-mail mask
        ({}, "[email]"),  # undeclared (most real columns): the free-text rule, as in the record
    ],
)
def test_an_email_key_is_masked_alike_in_heading_key_record_and_json(meta: dict, shown: str) -> None:
    document = build_document(_inputs(meta, "Jane.Doe\uff20acme.com"))
    markdown, data = document.to_markdown(), json.loads(document.to_json())
    assert markdown.splitlines()[0] == f'# users: email = "{shown}"'
    assert data["key"] == {"email": shown}
    cell = data["rows"][0]["email"]
    assert (cell["untrusted_text"] if isinstance(cell, dict) else cell) == shown
    for clear in ("Jane", "Doe", "\uff20"):
        assert clear not in markdown and clear not in document.to_json()


def test_an_email_key_with_no_matching_row_is_masked_in_the_no_match_sentence() -> None:
    inputs = _inputs({}, "jane.doe@acme.com").model_copy(update={"rows": []})
    document = build_document(inputs)
    assert document.no_match.startswith('No matching record for email = "[email]"')
    assert "jane" not in document.to_markdown()


def test_a_document_with_free_text_says_which_names_may_still_show() -> None:
    names = KnownNames(["Ana Lima"], truncated=True, unread=["crm.customers.owner"])
    free = _inputs({}, "a@b.co").model_copy(update={"known_names": names})
    warnings = build_document(free).warnings
    assert [w for w in warnings if w.startswith("Known person names")] == [
        "Known person names: only the first 1 were read; other names in the quoted text are not replaced.",
        "Known person names: crm.customers.owner could not be read; names found only there are not replaced in "
        "the quoted text.",
    ]
    plain = _inputs({"pii": "email"}, "a@b.co").model_copy(update={"known_names": names})
    assert not [w for w in build_document(plain).warnings if w.startswith("Known person names")]

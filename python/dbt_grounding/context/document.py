"""The context document an AI agent receives: frozen models (context.types.Frozen), their JSON form and published
JSON Schema.

The field order of every model is the order of the JSON output; do not reorder fields without regenerating the
shipped schema and the golden files.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from typing import Any, Literal

from dbt_grounding.context.render import render_compact, render_markdown
from dbt_grounding.context.types import (  # noqa: F401 - UNTRUSTED_NOTE, UntrustedText: re-exported, part of the model
    UNTRUSTED_NOTE, Frozen, JsonScalar, PiiKind, RowValue, UntrustedText, described, frozen_model,
)

from dbt_grounding.errors import ConfigurationError

FreshnessStatus = Literal["fresh", "warn", "stale", "unchecked"]
FreshnessEvidence = Literal["last successful build", "as-of column"]
TestResultStatus = Literal["pass", "fail", "error", "warn", "skipped", "not run"]
Access = Literal["public", "internal", "restricted"]
# Sections max_tokens may trim, lowest priority first (budget.TRIM_STEPS applies them in this order).
# The last, full_form, serves the Markdown form as the compact one: the record, as-of, freshness, tests, warnings.
TrimmableSection = Literal[
    "test_details", "sources", "tests", "column_descriptions", "column_rules", "summary", "columns", "full_form"
]
# How a document is served: `markdown` and `json` are the full forms (audits, the CLI); `compact` is the agents'
# form (context/compact.md.j2): the record, as-of, freshness, tests, warnings and a citation, column meanings
# left to describe_mart.
DocumentForm = Literal["markdown", "json", "compact"]
DOCUMENT_FORMS: tuple[DocumentForm, ...] = ("markdown", "json", "compact")

SCHEMA_RESOURCE = "context/schema/context_document.schema.json"
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


@frozen_model
class ColumnDoc(Frozen):
    """What a column means, as documented in the dbt project."""

    name: str
    data_type: str | None = described("The declared or catalog type; null when unknown.")
    description: str = described("The column description from the dbt project ('' when none or trimmed).")
    pii: PiiKind | None = described("Kind of personal data (column meta.pii); null when not personal data.")
    is_key: bool = described("Whether the column is part of the lookup key.")
    rule: str | None = described(
        "The business rule behind a derived column (column meta.grounding.rule); null when not declared."
    )
    unit: str | None = described(
        default=None, description="The unit of its values (column meta.grounding.unit, e.g. USD); null when none."
    )


@frozen_model
class FreshnessPolicy(Frozen):
    """The model's freshness policy as text, e.g. '24 hours'."""

    warn_after: str | None = None
    error_after: str | None = None


@frozen_model
class Freshness(Frozen):
    """How old the data is and whether that is acceptable under the model's freshness policy."""

    status: FreshnessStatus = described("'unchecked' when the model declares no freshness policy.")
    policy: FreshnessPolicy = FreshnessPolicy()
    as_of: str | None = described(default=None, description="ISO date or timestamp the values hold as of.")
    as_of_column: str | None = described(
        default=None, description="The record's column holding as_of, when the model declares one (grounding meta).")
    last_built_at: str | None = described(
        default=None, description="ISO timestamp of the model's last successful build.")
    age_seconds: int | None = described(
        default=None, description="Age from the newest evidence when freshness was judged.")
    evidence: FreshnessEvidence | None = described(default=None, description="Which evidence gave the age.")

    def __post_init__(self) -> None:
        for name in ("as_of", "last_built_at"):  # a date or datetime given: its ISO text
            value = getattr(self, name)
            if isinstance(value, (date, datetime)):
                object.__setattr__(self, name, value.isoformat())

    @classmethod
    def unchecked(cls) -> Freshness:
        return cls(status="unchecked")


@frozen_model
class TestStatus(Frozen):
    """The result of one dbt data test on the model or upstream of it, from the last run."""

    __test__ = False  # not a pytest test class

    unique_id: str
    name: str
    status: TestResultStatus
    on: str = described("unique_id of the node the test is attached to: the model or an upstream node.")


@frozen_model
class TestCounts(Frozen):
    """How many tests on the model and upstream of it had each outcome in the last run. Passing tests are counted,
    not listed, unless asked for (include_passing_tests)."""

    __test__ = False  # not a pytest test class

    total: int
    on_model: int = described("Of them, the tests attached to the model itself.")
    by_status: dict[TestResultStatus, int] = described(
        "Outcome -> count, worst first; outcomes no test had are left out."
    )
    passing_listed: bool = described("Whether `tests` lists the passing tests too.")


@frozen_model
class Omission(Frozen):
    """A section trimmed to fit max_tokens."""

    section: TrimmableSection
    reason: str


@frozen_model
class Citation(Frozen):
    """Where the document comes from, for an agent to cite and a program to verify."""

    nodes: list[str] = described("The model's unique_id, then the upstream sources it derives from.")
    invocation_id: str | None = described("The dbt invocation that built the artifacts.")
    manifest_generated_at: str | None = described("manifest.json metadata.generated_at.")
    content_hash: str = described(
        schema={"pattern": r"^[0-9a-f]{64}$"},
        description="sha256 of the canonical JSON (sorted keys, no spaces, UTF-8) of the document without this field.",
    )


@frozen_model
class ContextDocument(Frozen):
    """Everything an agent is told about one key of one dbt model, with the evidence behind it."""

    model: str = described("The dbt model name.")
    unique_id: str
    relation: str = described("The relation queried, as the adapter renders it.")
    summary: str = described("What the model is, for the agent ('' when none or trimmed).")
    entity: str = described("What one row describes.")
    access: Access = described("Who may be shown the rows.")
    key: dict[str, JsonScalar] = described("The key looked up: column -> value (masked if personal data).")
    found: bool
    no_match: str | None = described("The statement to relay when no row matched; null when found.")
    rows: list[dict[str, RowValue]] = described(
        "Matching rows, column -> value: decimals as strings, dates ISO, personal data masked, "
        "free text as an UntrustedText object."
    )
    columns: list[ColumnDoc]
    freshness: Freshness
    test_counts: TestCounts
    tests: list[TestStatus] = described(
        "The tests not passing, worst first, then by unique_id; then the passing ones when asked for "
        "(test_counts.passing_listed)."
    )
    sources: list[str] = described("unique_ids of the sources the model derives from, sorted.")
    omitted: list[Omission] = described("Sections trimmed to fit max_tokens.")
    warnings: list[str]
    citation: Citation

    def to_json(self) -> str:
        """The document as JSON: field order as declared, 2-space indent, UTF-8 text, trailing newline."""
        return json.dumps(self.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"

    def to_markdown(self) -> str:
        """The document as Markdown for a prompt (templates in context/templates)."""
        return render_markdown(self)

    def to_compact(self) -> str:
        """The compact form for agents: the record with units, as-of, freshness and tests in a line each, warnings,
        untrusted text fenced as in the Markdown form, a citation; column meanings are left to describe_mart."""

        return render_compact(self)

    def render(self, form: DocumentForm) -> str:
        """The document in one of DOCUMENT_FORMS.

        Raises:
            ConfigurationError: `form` is not one of them.
        """
        # kept on the document once rendered (its fields are frozen, so the text cannot change; not a field, so
        # neither its JSON form, equality nor model_copy sees it): telemetry counts the form the caller serves,
        # rendered in the request's thread, and the caller's own render is then that text
        rendered = self.__dict__.setdefault("_rendered", {})
        text = rendered.get(form)
        if text is None:
            renderers = {"markdown": self.to_markdown, "json": self.to_json, "compact": self.to_compact}
            text = rendered[form] = renderers[check_form(form)]()
        return text

    def compute_content_hash(self) -> str:
        """sha256 of the canonical JSON of the document without citation.content_hash."""
        body = self.model_dump(mode="json")
        del body["citation"]["content_hash"]
        canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    def with_content_hash(self) -> ContextDocument:
        """This document with citation.content_hash set to its current content."""
        citation = self.citation.model_copy(update={"content_hash": self.compute_content_hash()})
        return self.model_copy(update={"citation": citation})

    def has_valid_hash(self) -> bool:
        return self.citation.content_hash == self.compute_content_hash()

    @classmethod
    def json_schema(cls) -> dict[str, Any]:
        """The JSON Schema (draft 2020-12) of the JSON form; shipped as context/schema/context_document.schema.json."""
        return {"$schema": JSON_SCHEMA_DIALECT, **cls.model_json_schema(mode="serialization")}


def check_form(form: str) -> DocumentForm:
    """`form` when it is one of DOCUMENT_FORMS; else a ConfigurationError saying which are."""
    if form not in DOCUMENT_FORMS:
        raise ConfigurationError(f"{form!r} is not a context document form",
                                 hint=f"ask for one of {', '.join(DOCUMENT_FORMS)}", form=form)
    return form  # type: ignore[return-value]


def json_schema_text() -> str:
    """The JSON Schema exactly as the shipped file holds it."""
    return json.dumps(ContextDocument.json_schema(), indent=2, ensure_ascii=False) + "\n"


def published_json_schema_text() -> str:
    """The shipped schema file's text (to check it is current, or hand it to a client)."""
    from importlib import resources  # only when asked: it imports tempfile, shutil, zipfile...

    return resources.files("dbt_grounding").joinpath(SCHEMA_RESOURCE).read_text(encoding="utf-8")

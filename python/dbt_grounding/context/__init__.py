"""Context documents: what an AI agent receives about one key of one dbt model, safe to put in a prompt.

    document = build_document(DocumentInputs(model=ModelInput(...), columns=[ColumnInput(...)], key={"customer_id": 42},
                                             rows=[...], freshness=Freshness(...), tests=[...], sources=[...]),
                              max_tokens=2000)
    document.to_compact()    # for an agent: the record, as-of, freshness, tests, warnings, a citation
    document.to_markdown()   # the full document, for a prompt or an audit (templates in context/templates)
    document.to_json()       # for programs; schema in context/schema/context_document.schema.json
    document.render(form)    # one of DOCUMENT_FORMS

The caller gathers the inputs from dbt artifacts and the warehouse; this package reads no file, clock or connection.
"""

from dbt_grounding.context.budget import (
    EstimatedTokenCounter,
    TiktokenCounter,
    TokenBudgetError,
    TokenCounter,
    default_token_counter,
    fit_to_budget,
)
from dbt_grounding.context.builder import build_document
from dbt_grounding.context.document import (
    Citation,
    ColumnDoc,
    ContextDocument,
    DOCUMENT_FORMS,
    DocumentForm,
    Freshness,
    FreshnessPolicy,
    Omission,
    TestCounts,
    TestStatus,
    UntrustedText,
    json_schema_text,
    published_json_schema_text,
)
from dbt_grounding.context.inputs import ColumnInput, DocumentInputs, ModelInput
from dbt_grounding.context.render import render_compact, render_markdown

__all__ = [
    "DOCUMENT_FORMS", "Citation", "ColumnDoc", "ColumnInput", "ContextDocument", "DocumentForm", "DocumentInputs",
    "EstimatedTokenCounter", "Freshness", "FreshnessPolicy", "ModelInput", "Omission", "TestCounts", "TestStatus",
    "TiktokenCounter", "TokenBudgetError", "TokenCounter", "UntrustedText", "build_document", "default_token_counter",
    "fit_to_budget", "json_schema_text", "published_json_schema_text", "render_compact", "render_markdown",
]

"""Context documents: what an AI agent receives about one key of one dbt model, safe to put in a prompt.

    document = build_document(DocumentInputs(model=ModelInput(...), columns=[ColumnInput(...)], key={"customer_id": 42},
                                             rows=[...], freshness=Freshness(...), tests=[...], sources=[...]),
                              max_tokens=2000)
    document.to_markdown()   # for a prompt (templates in context/templates)
    document.to_json()       # for programs; schema in context/schema/context_document.schema.json

The caller gathers the inputs from dbt artifacts and the warehouse; this package reads no file, clock or connection.
"""

from dbt_grounding.context.budget import EstimatedTokenCounter, TokenBudgetError, TokenCounter, fit_to_budget
from dbt_grounding.context.builder import build_document
from dbt_grounding.context.document import (
    Citation,
    ColumnDoc,
    ContextDocument,
    Freshness,
    FreshnessPolicy,
    Omission,
    TestStatus,
    UntrustedText,
    json_schema_text,
    published_json_schema_text,
)
from dbt_grounding.context.inputs import ColumnInput, DocumentInputs, ModelInput
from dbt_grounding.context.render import render_markdown

__all__ = [
    "Citation", "ColumnDoc", "ColumnInput", "ContextDocument", "DocumentInputs", "EstimatedTokenCounter",
    "Freshness", "FreshnessPolicy", "ModelInput", "Omission", "TestStatus", "TokenBudgetError", "TokenCounter",
    "UntrustedText", "build_document", "fit_to_budget", "json_schema_text", "published_json_schema_text",
    "render_markdown",
]

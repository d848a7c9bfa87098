"""Context documents: what an AI agent receives about one key of one dbt model, safe to put in a prompt.

    document = build_document(DocumentInputs(model=ModelInput(...), columns=[ColumnInput(...)], key={"customer_id": 42},
                                             rows=[...], freshness=Freshness(...), tests=[...], sources=[...]),
                              max_tokens=2000)
    document.to_compact()    # for an agent: the record, as-of, freshness, tests, warnings, a citation
    document.to_markdown()   # the full document, for a prompt or an audit (templates in context/templates)
    document.to_json()       # for programs; schema in context/schema/context_document.schema.json
    document.render(form)    # one of DOCUMENT_FORMS

The caller gathers the inputs from dbt artifacts and the warehouse; this package reads no file, clock or connection.

Names load lazily (PEP 562): telemetry's token tally and text rules, and a cold CLI command that only renders, must
not pay for the document model (pydantic) and the templates (jinja2) by importing the package.
"""

from __future__ import annotations

from dbt_grounding._lazy import lazy_exports

_EXPORTS = {
    "EstimatedTokenCounter": "budget", "TiktokenCounter": "budget", "TokenBudgetError": "budget",
    "TokenCounter": "budget", "default_token_counter": "budget", "fit_to_budget": "budget",
    "build_document": "builder",
    "Citation": "document", "ColumnDoc": "document", "ContextDocument": "document", "DOCUMENT_FORMS": "document",
    "DocumentForm": "document", "Freshness": "document", "FreshnessPolicy": "document", "Omission": "document",
    "TestCounts": "document", "TestStatus": "document", "UntrustedText": "document",
    "json_schema_text": "document", "published_json_schema_text": "document",
    "ColumnInput": "inputs", "DocumentInputs": "inputs", "ModelInput": "inputs",
    "render_compact": "render", "render_markdown": "render",
}

__all__ = sorted(_EXPORTS)

__getattr__ = lazy_exports(__name__, _EXPORTS)

"""What the caller gathers for one document, from dbt artifacts and the warehouse. Plain values only: this layer
reads no file, clock or connection."""

from __future__ import annotations

from typing import Any

from dbt_grounding.context.document import Access, Freshness, TestStatus
from dbt_grounding.context.known_names import KnownNames
from dbt_grounding.context.types import Frozen, described, frozen_model


# No real key value is longer: a longer one is refused (grounding.keys, before any query; the builder, for callers
# that give inputs directly), never looked up.
MAX_KEY_VALUE_LENGTH = 256


class _Input(Frozen):
    # validated (model_validate) as the pydantic models were: unknown fields refused, values in lax mode
    __pydantic_config__ = {"extra": "forbid", "arbitrary_types_allowed": True}


@frozen_model
class ModelInput(_Input):
    """The dbt model served. Fields map one to one onto the grounding spec (README, "Grounding meta"); the
    defaults are the ones for a model without `meta.grounding`."""

    name: str = described("The model name, e.g. fct_customer_health_summary.")
    unique_id: str = described("manifest unique_id, e.g. model.dbt_grounding.fct_customer_health_summary.")
    relation: str = described("The relation queried, as the adapter renders it (database.schema.identifier).")
    description: str = described(default="", description="The model description from the manifest.")
    entity: str | None = described(default=None, description="meta.grounding.entity; None = the model name.")
    summary: str | None = described(default=None, description="meta.grounding.summary; None = the model description.")
    access: Access = described(default="internal", description="meta.grounding.access.")
    as_of_column: str | None = described(default=None, description="meta.grounding.as_of_column; None = none.")


@frozen_model
class ColumnInput(_Input):
    """One column of the model, in the model's column order (contract / catalog order)."""

    name: str
    data_type: str | None = described(default=None, description="Contract data_type, else the catalog type.")
    description: str = described(default="", description="The column description from the manifest.")
    meta: dict[str, Any] = described(
        default_factory=dict,
        description="The column's config.meta as in the manifest. Read: `pii` (email | phone | person_name | "
        "free_text; True or any other value = other, fully redacted) and `grounding.rule` (text).",
    )
    documented: bool = described(
        default=True, description="False for a column of the relation the yml does not document.")


@frozen_model
class DocumentInputs(_Input):
    """Everything `build_document` needs for one key of one model.

    Rows hold values as the warehouse driver returns them (Decimal, date, datetime, str, None...): the document
    converts, masks and fences them. `key` holds the looked-up values in key-column order; an empty `rows` list
    means no row matched (the document then says so explicitly).
    """

    model: ModelInput
    columns: list[ColumnInput] = described(
        "The relation's columns, in the model's column order; undocumented ones with documented=False.")
    key: dict[str, Any] = described("Key column -> value looked up, in key-column order.")
    rows: list[dict[str, Any]] = described("The matching rows (column -> raw value), in query order.")
    freshness: Freshness = described(default_factory=Freshness.unchecked, description="Judged by the caller.")
    tests: list[TestStatus] = described(default_factory=list, description="Tests on the model and upstream of it.")
    sources: list[str] = described(default_factory=list, description="unique_ids of the sources upstream of the model.")
    invocation_id: str | None = described(default=None, description="metadata.invocation_id of the artifacts used.")
    manifest_generated_at: str | None = described(default=None, description="manifest.json metadata.generated_at.")
    warnings: list[str] = described(default_factory=list, description="The caller's own warnings (e.g. schema drift).")
    known_names: KnownNames | None = described(
        default=None, description="The project's known person names, scrubbed from free text (None: none known)."
    )

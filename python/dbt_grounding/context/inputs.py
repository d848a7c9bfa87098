"""What the caller gathers for one document, from dbt artifacts and the warehouse. Plain values only: this layer
reads no file, clock or connection."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from dbt_grounding.context.document import Access, Freshness, TestStatus
from dbt_grounding.context.known_names import KnownNames


# No real key value is longer: a longer one is refused (grounding.keys, before any query; the builder, for callers
# that give inputs directly), never looked up.
MAX_KEY_VALUE_LENGTH = 256


class _Input(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)


class ModelInput(_Input):
    """The dbt model served. Fields map one to one onto the grounding spec (README, "Grounding meta"); the
    defaults are the ones for a model without `meta.grounding`."""

    name: str = Field(description="The model name, e.g. fct_customer_health_summary.")
    unique_id: str = Field(description="manifest unique_id, e.g. model.dbt_grounding.fct_customer_health_summary.")
    relation: str = Field(description="The relation queried, as the adapter renders it (database.schema.identifier).")
    description: str = Field(default="", description="The model description from the manifest.")
    entity: str | None = Field(default=None, description="meta.grounding.entity; None = the model name.")
    summary: str | None = Field(default=None, description="meta.grounding.summary; None = the model description.")
    access: Access = Field(default="internal", description="meta.grounding.access.")
    as_of_column: str | None = Field(default=None, description="meta.grounding.as_of_column; None = none.")


class ColumnInput(_Input):
    """One column of the model, in the model's column order (contract / catalog order)."""

    name: str
    data_type: str | None = Field(default=None, description="Contract data_type, else the catalog type.")
    description: str = Field(default="", description="The column description from the manifest.")
    meta: dict[str, Any] = Field(
        default_factory=dict,
        description="The column's config.meta as in the manifest. Read: `pii` (email | phone | person_name | "
        "free_text; True or any other value = other, fully redacted) and `grounding.rule` (text).",
    )
    documented: bool = Field(default=True, description="False for a column of the relation the yml does not document.")


class DocumentInputs(_Input):
    """Everything `build_document` needs for one key of one model.

    Rows hold values as the warehouse driver returns them (Decimal, date, datetime, str, None...): the document
    converts, masks and fences them. `key` holds the looked-up values in key-column order; an empty `rows` list
    means no row matched (the document then says so explicitly).
    """

    model: ModelInput
    columns: list[ColumnInput] = Field(
        description="The relation's columns, in the model's column order; undocumented ones with documented=False.")
    key: dict[str, Any] = Field(description="Key column -> value looked up, in key-column order.")
    rows: list[dict[str, Any]] = Field(description="The matching rows (column -> raw value), in query order.")
    freshness: Freshness = Field(default_factory=Freshness.unchecked, description="Judged by the caller.")
    tests: list[TestStatus] = Field(default_factory=list, description="Tests on the model and upstream of it.")
    sources: list[str] = Field(default_factory=list, description="unique_ids of the sources upstream of the model.")
    invocation_id: str | None = Field(default=None, description="metadata.invocation_id of the artifacts used.")
    manifest_generated_at: str | None = Field(default=None, description="manifest.json metadata.generated_at.")
    warnings: list[str] = Field(default_factory=list, description="The caller's own warnings (e.g. schema drift).")
    known_names: KnownNames | None = Field(
        default=None, description="The project's known person names, scrubbed from free text (None: none known)."
    )

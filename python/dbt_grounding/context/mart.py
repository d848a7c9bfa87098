"""The description of a grounding mart, given once per conversation (the agent server's describe_mart): what each
column means, its business rule and unit, the key, what as-of means, the freshness policy and the sources each
column derives from. Compact documents refer to it instead of repeating it per key. Plain values in, like the
document builder: this module reads no file, clock or connection.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

from dbt_grounding.context.builder import column_doc, one_line
from dbt_grounding.context.document import Access, ColumnDoc, FreshnessPolicy
from dbt_grounding.context.render import render_mart_description
from dbt_grounding.context.types import Frozen, described, frozen_model
from dbt_grounding.context.inputs import ColumnInput, ModelInput


@frozen_model
class MartColumn(ColumnDoc):
    """A column as documented, with the upstream source columns its values are computed from."""

    sources: list[str] = described(
        default_factory=list, description="Source columns it derives from (source_name.table.column), sorted."
    )


@frozen_model
class MartDescription(Frozen):
    """Everything about a mart that is the same for every key: what agents read once, documents refer to."""

    model: str
    unique_id: str
    relation: str
    summary: str = described("What the mart is ('' when undocumented).")
    entity: str = described("What one row describes.")
    access: Access
    key: list[str] = described("The columns a row is looked up by.")
    as_of: str = described("What the values' as-of date means for this mart.")
    freshness: FreshnessPolicy
    columns: list[MartColumn]
    sources: list[str] = described("The sources the mart derives from (source_name.table), sorted.")
    withheld: list[str] = described(
        default_factory=list, description="The columns the caller's role may not see, by name only (their meaning, "
                                          "rule and lineage are withheld too; records leave them out), sorted.")

    def to_json(self) -> str:
        return json.dumps(self.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"

    def to_markdown(self) -> str:

        return render_mart_description(self)


def build_mart_description(
    model: ModelInput, columns: list[ColumnInput], *, key: list[str], freshness: FreshnessPolicy,
    sources: list[str], column_sources: Mapping[str, list[str]] | None = None, withheld: Iterable[str] = (),
) -> MartDescription:
    """The description of `model`.

    Args:
        model: the mart (name, description, grounding spec fields).
        columns: its documented columns, in the model's order (pii, rule and unit read from meta as documents do).
        key: the key columns.
        freshness: the mart's freshness policy as text.
        sources: the sources upstream of it (source_name.table).
        column_sources: column -> the source columns it derives from (from column lineage); absent: unknown.
        withheld: the columns the caller's role may not see (serving.access): named under "Withheld", nothing more
            said of them, as documents leave them out of records.
    """
    key_names = set(key)
    hidden = {name.lower() for name in withheld}
    columns_described = []
    for column in columns:
        if column.name.lower() in hidden:
            continue
        doc = column_doc(column, key_names, warnings=[])
        derived_from = sorted((column_sources or {}).get(column.name, []))
        columns_described.append(MartColumn(**doc.model_dump(), sources=derived_from))
    if model.as_of_column:
        as_of = f"each row's values hold as of its {model.as_of_column}; freshness is judged from it"
    else:
        as_of = "the values hold as of the mart's last successful build; freshness is judged from it"
    return MartDescription(
        model=model.name, unique_id=model.unique_id, relation=model.relation,
        summary=one_line(model.summary or model.description), entity=one_line(model.entity or model.name),
        access=model.access, key=list(key), as_of=as_of, freshness=freshness, columns=columns_described,
        sources=sorted(set(sources)), withheld=sorted(set(withheld)),
    )

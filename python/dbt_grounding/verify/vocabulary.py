"""The words an answer's claims are recognised by: the status values a project's marts accept (accepted_values
tests), the column synonyms that tie a figure to its column, the entity names the marts can be looked up by and the
person names the warehouse knows. `verify_answer` works without one (statuses then come from the values the
documents quote); `GroundingProject.verify` builds it from the manifest and the warehouse."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from dbt_grounding.artifacts import Manifest, Node
from dbt_grounding.ask.catalog import accepted_values
from dbt_grounding.context.known_names import KnownNames
from dbt_grounding.grounding.spec import grounding_spec

# Not statuses when stated: the freshness words a document carries beside its record.
FRESHNESS_STATUSES = ("fresh", "stale")


@dataclass(frozen=True)
class Vocabulary:
    """Args:
        statuses: status value -> the columns that accept it ("High Risk" -> {"health_status"}).
        synonyms: column -> the phrases that name it ("annual_recurring_revenue" -> ("ARR", "annual revenue")).
        entity_names: the names entities are looked up by (customer names).
        lookup_columns: the columns holding them.
        person_names: the person names the warehouse knows (always masked in documents).
    """

    statuses: Mapping[str, frozenset[str]] = field(default_factory=dict)
    synonyms: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    entity_names: tuple[str, ...] = ()
    lookup_columns: frozenset[str] = frozenset()
    person_names: KnownNames | None = None


def manifest_vocabulary(manifest: Manifest, marts: Iterable[Node], *, entity_names: Iterable[object] = (),
                        person_names: KnownNames | None = None) -> Vocabulary:
    """The vocabulary of `marts`: their accepted values and column synonyms from the manifest, with the entity and
    person names the caller read from the warehouse."""
    statuses: dict[str, set[str]] = {}
    synonyms: dict[str, set[str]] = {}
    lookup: set[str] = set()
    for node in marts:
        for column, values in accepted_values(manifest, node).items():
            for value in values:
                statuses.setdefault(value, set()).add(column)
        spec = grounding_spec(manifest, node)
        lookup.update(spec.lookup)
        for column, phrases in spec.column_synonyms:
            synonyms.setdefault(column, set()).update(phrases)
    return Vocabulary(statuses={value: frozenset(columns) for value, columns in sorted(statuses.items())},
                      synonyms={column: tuple(sorted(phrases)) for column, phrases in sorted(synonyms.items())},
                      entity_names=tuple(sorted({n for n in entity_names if isinstance(n, str)})),
                      lookup_columns=frozenset(lookup), person_names=person_names)

"""What a question can be matched against: each visible grounding mart and its columns as searchable text (names
split, descriptions, business rules, accepted values, the mart's tags, summary, synonyms), built once per open project."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass

from dbt_grounding.artifacts import Manifest, Node
from dbt_grounding.grounding.spec import GroundingSpec, grounding_spec


@dataclass(frozen=True)
class ColumnEntry:
    mart: str
    name: str
    text: str  # every searchable word of the column, for BM25
    identity: str  # the words that name it: its name, synonyms and accepted values (not its description)
    synonyms: tuple[str, ...]
    data_type: str | None = None  # as declared in the model's yml (None when not declared)


@dataclass(frozen=True)
class MartEntry:
    name: str
    unique_id: str
    spec: GroundingSpec
    text: str
    columns: tuple[ColumnEntry, ...]
    withheld: tuple[ColumnEntry, ...] = ()  # columns the caller is not shown: never matched, only recognised


def mart_entries(manifest: Manifest, nodes: list[Node],
                 withheld: Callable[[Node], Collection[str]] = lambda node: ()) -> list[MartEntry]:
    """The searchable form of each mart in `nodes`, in their order. `withheld(node)` names the columns the caller is
    not shown (serving.access: above its level, or personal data of a kind its role may not see): they are kept
    apart (`MartEntry.withheld`), never matched, so a question only they answer ("contact email for X" asked as a
    role without e-mail addresses) is recognised as such instead of grounded in the mart's other columns."""
    return [_mart_entry(manifest, node, frozenset(withheld(node))) for node in nodes]


def _mart_entry(manifest: Manifest, node: Node, withheld: frozenset[str]) -> MartEntry:
    spec = grounding_spec(manifest, node)
    accepted = _accepted_values(manifest, node)
    synonyms = dict(spec.column_synonyms)
    columns, hidden = [], []
    for column in node.columns.values():
        rule = column.merged_meta.get("grounding", {})
        rule = rule.get("rule", "") if isinstance(rule, dict) else ""
        identity = " ".join([column.name, *accepted.get(column.name.lower(), []), *synonyms.get(column.name, ())])
        entry = ColumnEntry(mart=node.name, name=column.name,
                            text=" ".join([identity, column.description or "", str(rule)]),
                            identity=identity, synonyms=synonyms.get(column.name, ()), data_type=column.data_type)
        (hidden if column.name in withheld else columns).append(entry)
    text = " ".join([node.name, node.description or "", spec.summary, " ".join(node.tags),
                     " ".join(spec.synonyms), spec.entity])
    return MartEntry(name=node.name, unique_id=node.unique_id, spec=spec, text=text, columns=tuple(columns),
                     withheld=tuple(hidden))


def accepted_values(manifest: Manifest, node: Node) -> dict[str, list[str]]:
    """column (lower case) -> the values of its accepted_values tests (also what verify checks status words by)."""
    return _accepted_values(manifest, node)


def _accepted_values(manifest: Manifest, node: Node) -> dict[str, list[str]]:
    """column (lower case) -> the values of its accepted_values tests ("High Risk", "churned", ...)."""
    values: dict[str, list[str]] = {}
    for test in manifest.tests_on(node.unique_id):
        metadata = test.test_metadata
        if metadata is None or metadata.name != "accepted_values":
            continue
        column = metadata.kwargs.get("column_name", test.column_name)
        listed = metadata.kwargs.get("values")
        if isinstance(column, str) and isinstance(listed, list):
            values.setdefault(column.lower(), []).extend(str(v) for v in listed)
    return values

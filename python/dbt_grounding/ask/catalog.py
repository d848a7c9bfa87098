"""What a question can be matched against: each visible grounding mart and its columns as searchable text (names
split, descriptions, business rules, accepted values, the mart's tags, summary, synonyms), built once per open project."""

from __future__ import annotations

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


@dataclass(frozen=True)
class MartEntry:
    name: str
    unique_id: str
    spec: GroundingSpec
    text: str
    columns: tuple[ColumnEntry, ...]


def mart_entries(manifest: Manifest, nodes: list[Node]) -> list[MartEntry]:
    """The searchable form of each mart in `nodes`, in their order."""
    return [_mart_entry(manifest, node) for node in nodes]


def _mart_entry(manifest: Manifest, node: Node) -> MartEntry:
    spec = grounding_spec(manifest, node)
    accepted = _accepted_values(manifest, node)
    synonyms = dict(spec.column_synonyms)
    columns = []
    for column in node.columns.values():
        rule = column.merged_meta.get("grounding", {})
        rule = rule.get("rule", "") if isinstance(rule, dict) else ""
        identity = " ".join([column.name, *accepted.get(column.name.lower(), []), *synonyms.get(column.name, ())])
        columns.append(ColumnEntry(mart=node.name, name=column.name,
                                   text=" ".join([identity, column.description or "", str(rule)]),
                                   identity=identity, synonyms=synonyms.get(column.name, ())))
    text = " ".join([node.name, node.description or "", spec.summary, " ".join(node.tags),
                     " ".join(spec.synonyms), spec.entity])
    return MartEntry(name=node.name, unique_id=node.unique_id, spec=spec, text=text, columns=tuple(columns))


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

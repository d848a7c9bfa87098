"""`eval init MART --sample N`: a starter golden set from a mart's rows as they are now, so a team starts from N
cases, not zero. Questions come from templates over the columns' descriptions, expected facts from the rows, and
every case is marked `review: true`: a person confirms each value before the set is trusted (the rows are the
system under test, not an oracle)."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from dbt_grounding.context.text_rules import has_contact, looks_like_instructions
from dbt_grounding.errors import ConfigurationError
from dbt_grounding.grounding.drift import relation_of

if TYPE_CHECKING:
    from dbt_grounding.project import GroundingProject

TEMPLATES = ("What is the {column} of {entity}?", "What's {entity}'s {column}?", "Tell me the {column} for {entity}.")


def starter_golden(project: GroundingProject, mart: str, *, sample: int = 50) -> tuple[str, int]:
    """(the golden set as YAML text, the number of cases) for up to `sample` rows of `mart`, in key order.

    Raises:
        UnknownNodeError, AccessDeniedError: no such mart for the caller's role.
        ConfigurationError: the mart has no single-column key (composite keys are not supported yet).
    """
    import yaml

    node = project.access.find(mart) if hasattr(project, "access") else project.node(mart)
    spec = project.spec(node.unique_id)
    if len(spec.key) != 1:
        raise ConfigurationError(f"{node.name} has no single-column key ({', '.join(spec.key) or 'none'}): eval init "
                                 "does not write cases for composite keys yet",
                                 hint="write its cases by hand (README \"Evaluation\" shows the format)",
                                 model=node.name)
    key_column = spec.key[0]
    withheld = project.access.withheld(node)
    columns = [c for c in node.columns.values() if c.name != key_column and c.name not in withheld
               and not c.merged_meta.get("pii")]
    described = [c for c in columns if c.description.strip()] or columns
    lookup = next((c for c in spec.lookup if c not in withheld), None)
    warehouse = project.warehouse()
    relation = relation_of(node)
    with warehouse.session():
        keys = sorted(warehouse.distinct_values(relation, key_column, sample), key=_sort_key)
        rows = [warehouse.fetch_rows(relation, {key_column: key}, [key_column, *(c.name for c in columns)]
                                     + ([lookup] if lookup and lookup not in {c.name for c in columns} else []), 1)
                for key in keys]
    cases = []
    for number, (key, found) in enumerate(zip(keys, rows)):
        if len(found) != 1:
            continue
        row = found[0]
        # ask about a column the record states (not the name the question already gives, not fenced text)
        askable = [c for c in described if c.name != lookup and _usable(row.get(c.name))] or described
        asked = askable[number % len(askable)] if askable else None
        entity = (f"{row[lookup]}" if lookup and isinstance(row.get(lookup), str)
                  else f"{spec.entity or 'the row'} {key_column} = {key}")
        question = TEMPLATES[number % len(TEMPLATES)].format(column=_words(asked.name) if asked else "record",
                                                             entity=entity)
        facts = {c.name: _value(row[c.name]) for c in columns if _usable(row.get(c.name))}
        case: dict[str, Any] = {"id": f"{node.name}-{key}", "question": question, "expect": "answer",
                                "mart": node.name, "key": {key_column: _value(key)}, "facts": facts,
                                "tags": ["starter"], "review": True}
        if asked is not None and asked.description.strip():
            case["note"] = f"{asked.name}: {' '.join(asked.description.split())}"
        cases.append(case)
    header = (f"# Starter golden set for {node.name}, written by `dbt-grounding eval init` from {len(cases)} rows as "
              "they are now.\n# Every value is what the mart holds today, not what it should hold: review each case, "
              "then set review: false.\n")
    body = yaml.safe_dump({"version": 1, "cases": cases}, sort_keys=False, allow_unicode=True, width=120)
    return header + body, len(cases)


def _usable(value: Any) -> bool:
    """Values a compact document states as written: timestamps are rendered with a zone, and text that is served
    as fenced free text (long, multi-line, holding contact details or instructions) is not a record value."""
    if isinstance(value, datetime):
        return False
    if isinstance(value, str):
        return len(value) <= 80 and "\n" not in value and not has_contact(value) and not looks_like_instructions(value)
    return True


def _value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value) if value == value.to_integral_value() or abs(value) < 1e15 else str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _words(column: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", column).replace("_", " ").lower()


def _sort_key(value: Any) -> tuple[int, Any]:
    return (0, value) if isinstance(value, (int, float, Decimal)) else (1, str(value))

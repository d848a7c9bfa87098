"""The adapters dbt-grounding can read, in one registry: everything adapter-specific is found here by the adapter's
name (dbt's `type`), nowhere else.

Adding an adapter is one entry: its sqlglot dialect (column lineage, expected schemas, type parsing), its type
policy (`type_policy.py`, applied by `types.py`), the check of its profile output (`targets.py`) and its
`Warehouse` subclass.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from dbt_grounding.errors import ConfigurationError
from dbt_grounding.warehouse.base import Warehouse
from dbt_grounding.warehouse.duckdb import DuckDBWarehouse
from dbt_grounding.warehouse.postgres import PostgresWarehouse
from dbt_grounding.warehouse.spark import SparkWarehouse
from dbt_grounding.warehouse.targets import TargetResolver, resolve_duckdb, resolve_postgres, resolve_spark
from dbt_grounding.warehouse import type_policy

__all__ = ["ADAPTERS", "Adapter", "adapter_named", "normalize_type", "types_equivalent"]


@dataclass(frozen=True)
class Adapter:
    """What dbt-grounding knows about one dbt adapter.

    Attributes:
        name: dbt's adapter type (`type:` in profiles.yml, `metadata.adapter_type` in the manifest).
        sqlglot_dialect: the dialect its compiled SQL and type spellings are parsed in.
        types: which type spellings the engine stores as one type, and how it spells them.
        resolve_target: checks the profile output's settings and resolves them (paths, aliases).
        warehouse: the read-only `Warehouse` over a target of this adapter.
    """

    name: str
    sqlglot_dialect: str
    types: type_policy.TypePolicy
    resolve_target: TargetResolver
    warehouse: type[Warehouse]


ADAPTERS: Mapping[str, Adapter] = {
    adapter.name: adapter for adapter in (
        Adapter("duckdb", "duckdb", type_policy.DUCKDB, resolve_duckdb, DuckDBWarehouse),
        Adapter("postgres", "postgres", type_policy.POSTGRES, resolve_postgres, PostgresWarehouse),
        Adapter("spark", "spark", type_policy.SPARK, resolve_spark, SparkWarehouse),
    )
}


def adapter_named(name: str, *, purpose: str = "Reading a warehouse") -> Adapter:
    """The registered adapter of that name (any letter case).

    Args:
        name: dbt's adapter type.
        purpose: what needs it, for the error message.

    Raises:
        ConfigurationError: the adapter is not supported.
    """
    try:
        return ADAPTERS[name.lower()]
    except KeyError:
        raise ConfigurationError(
            f"{purpose} does not support adapter {name!r}.",
            hint=f"Supported: {', '.join(sorted(ADAPTERS))}.", adapter=name,
        ) from None


@lru_cache(maxsize=4096)  # a pure function of its two strings; a schema check asks for the same few types many times
def normalize_type(adapter: str, type_text: str) -> str:
    """The adapter's canonical spelling of a type.

    Args:
        adapter: dbt adapter type (`duckdb`, `postgres`, `spark`).
        type_text: a type as declared in a contract or reported by the warehouse.

    Returns:
        The canonical spelling: equal for two types exactly when the engine stores them as the same type.
    """
    from dbt_grounding.warehouse.types import normalize  # sqlglot: only when two spellings must be compared

    return normalize(adapter_named(adapter, purpose="Comparing column types").types, type_text)


def types_equivalent(adapter: str, declared: str, found: str) -> bool:
    """Whether a declared type and a warehouse-reported type are the same type on this adapter.

    Args:
        adapter: dbt adapter type.
        declared: the contract's `data_type`.
        found: the type the warehouse reports.

    Returns:
        True when they differ at most by synonym, letter case, spacing or an engine-discarded length.
    """
    adapter_named(adapter, purpose="Comparing column types")  # an unknown adapter is an error, whatever the types
    # spelled alike (letter case, spacing) is the same type without a parse: sqlglot is imported only for the rest
    if type_policy.lexical_spelling(declared, upper_case=True) == type_policy.lexical_spelling(found, upper_case=True):
        return True
    return normalize_type(adapter, declared) == normalize_type(adapter, found)

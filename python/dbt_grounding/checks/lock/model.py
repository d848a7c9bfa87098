"""The shape of grounding.lock.json, as msgspec Structs: the one definition that writing, reading and comparing share.

Reading is lenient where it may be (unknown fields are ignored, so a lock written by a newer patch release still
reads; `name`, `resource_type`, `exposures` and `accepted_values` may be absent, as in locks written before they
were) and strict where the comparison reads a field (a mart's `key`, a node's `columns`, their types).

The lock holds no contract checksum. dbt's `contract.checksum` hashes the declared type spellings, the column and
model constraints and the materialization: every part of the interface it covers is compared here already, column
by column with normalized types, and the rest (a constraint, `int` spelled `integer`) is no change an agent can see.
Locks written before carry one in `contract`; it is read and ignored.
"""

from __future__ import annotations

import msgspec

from dbt_grounding.checks.lock.names import LOCK_FILE, LOCK_VERSION  # noqa: F401 - part of the lock's shape
LOCKED_TYPES = ("model", "seed", "snapshot", "source")


class LockedContract(msgspec.Struct, frozen=True):
    enforced: bool = False


class LockedMart(msgspec.Struct, frozen=True):
    """A grounding mart: the key agents look rows up by, and the exposures (agents) reading it."""

    key: list[str]
    name: str | None = None
    exposures: list[str] = []
    # every set of columns a row can be looked up by, written only when there is more than one (UNSET: omitted)
    candidate_keys: list[list[str]] | msgspec.UnsetType = msgspec.UNSET

    def keys(self) -> list[list[str]]:
        return self.candidate_keys or [self.key]


class LockedNode(msgspec.Struct, frozen=True):
    """A grounding mart or a node upstream of it: its documented columns with normalized types (None: unknown)."""

    columns: dict[str, str | None]
    name: str | None = None
    resource_type: str | None = None
    accepted_values: dict[str, list[str]] = {}
    contract: LockedContract | None | msgspec.UnsetType = msgspec.UNSET  # sources have none

    @property
    def enforced(self) -> bool:
        return bool(self.contract and self.contract.enforced)


class Lock(msgspec.Struct, frozen=True):
    lock_version: int
    marts: dict[str, LockedMart]
    nodes: dict[str, LockedNode]
    dbt_version: str | None = None
    manifest_schema_version: str | None = None
    project_name: str | None = None
    adapter: str | None = None

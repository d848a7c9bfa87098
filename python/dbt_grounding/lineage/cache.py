"""On-disk cache of resolved models, so an unchanged model is not parsed again by the next process.

An entry is one model's `ModelColumns` in `<cache_dir>/<key>.json`. The key is a SHA-256 over everything the
resolution depends on (`cache_key`): change any of it and the old entry simply stops being found. Writers write a
temporary file and rename it into place, so concurrent processes never read half an entry; an entry that does not
decode (truncated, edited, another format) is ignored and rewritten. Nothing is ever evicted: entries are small, and
`rm -r` of the folder is always safe.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import msgspec
import sqlglot

from dbt_grounding.artifacts.state import read_state, state_dir, write_state
from dbt_grounding.lineage.relations import RelationSchema
from dbt_grounding.lineage.types import ModelColumns

# Bump when ModelColumns or the way SQL is resolved changes: every older entry then misses.
CACHE_FORMAT = 2  # 2: set operations follow every branch; ModelColumns.passthrough_issues


class _Entry(msgspec.Struct, frozen=True):
    format: int
    key: str
    model: ModelColumns


def default_cache_dir(target_path: Path) -> Path:
    """Where the cache lives beside a dbt target folder's artifacts."""
    return state_dir(target_path) / "lineage_cache"


def cache_key(
    *,
    unique_id: str,
    checksum: str,
    compiled_code: str,
    dialect: str | None,
    parents: list[RelationSchema],
    ephemeral_ctes: dict[str, str],
) -> str:
    """The key of one model's resolution.

    It covers the model (checksum and the compiled SQL itself: vars change the SQL, not the checksum), the sqlglot
    version and dialect that read it, and each parent relation's name and known columns (they expand `*` and place
    unqualified columns). A parent whose SQL changed but whose columns did not leaves the child's entry valid,
    which is right: the child's one-hop resolution is the same.
    """
    material = msgspec.json.encode([
        CACHE_FORMAT,
        sqlglot.__version__,
        dialect,
        unique_id,
        checksum,
        hashlib.sha256(compiled_code.encode()).hexdigest(),
        sorted(parents, key=lambda parent: parent.unique_id),
        sorted(ephemeral_ctes.items()),
    ])
    return hashlib.sha256(material).hexdigest()


class LineageCache:
    """Resolved models on disk, in `directory` (created on first write; artifacts.state reads and writes it)."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    def get(self, key: str) -> ModelColumns | None:
        """The entry stored under `key`, or None if there is none or it is unreadable (rebuilt by the caller)."""
        entry = read_state(self.directory / f"{key}.json", _Entry)
        if entry is None or entry.format != CACHE_FORMAT or entry.key != key:
            return None
        return entry.model

    def put(self, key: str, model: ModelColumns) -> None:
        """Store an entry atomically. A cache that cannot be written (read-only target dir) is skipped silently:
        it only saves time."""
        write_state(self.directory / f"{key}.json", _Entry(format=CACHE_FORMAT, key=key, model=model))

"""Reading one artifact file: existence, JSON validity and schema version are checked before the typed decode.

msgspec decodes straight into Structs holding only the fields used and skips the rest without building Python
objects for them: a 100 MB manifest costs a fraction of json.loads (benchmarks/manifest_load.py).
"""

from __future__ import annotations

import gc
import re
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import msgspec

from dbt_grounding.errors import ArtifactError

T = TypeVar("T")

_VERSION = re.compile(r"/(?P<kind>[a-z-]+)/v(?P<number>\d+)\.json$")


class ArtifactMetadata(msgspec.Struct, frozen=True):
    """The `metadata` block every dbt artifact opens with (the fields read; each artifact's reader may add some)."""

    dbt_schema_version: str
    dbt_version: str = ""
    generated_at: str = ""
    invocation_id: str | None = None


class _Metadata(msgspec.Struct, frozen=True):
    dbt_schema_version: str = ""


class _Envelope(msgspec.Struct, frozen=True):
    metadata: _Metadata | None = None


def read_bytes(path: Path, *, produced_by: str) -> bytes:
    """The file's bytes, or an ArtifactError naming the file and the dbt command that produces it."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ArtifactError(
            f"{path.name} not found at {path}",
            hint=f"run `{produced_by}` in the dbt project first, or point --target-path at the folder holding it",
            path=str(path), problem="missing",
        ) from None
    except OSError as error:
        raise ArtifactError(
            f"cannot read {path}: {error.strerror}", hint="check the file's permissions", path=str(path),
            problem="unreadable",
        ) from None
    if not data.strip():
        raise ArtifactError(
            f"{path.name} is empty", hint=f"re-run `{produced_by}`: the file was cut off", path=str(path),
            problem="empty",
        )
    return data


def schema_version(source: bytes | str, path: Path, *, kind: str, produced_by: str) -> int:
    """The artifact's schema version number (the N of .../<kind>/vN.json), checked to be of the expected kind.

    `source` is the file's bytes, or the metadata.dbt_schema_version already decoded.
    """
    if isinstance(source, str):
        version = source
    else:
        try:
            envelope = msgspec.json.decode(source, type=_Envelope)
        except msgspec.ValidationError:  # valid JSON, but not an object with a metadata object
            envelope = _Envelope()
        except msgspec.DecodeError as error:
            raise _invalid_json(path, error, produced_by) from None
        version = envelope.metadata.dbt_schema_version if envelope.metadata else ""
    match = _VERSION.search(version)
    if not match or match["kind"] != kind:
        raise ArtifactError(
            f"{path.name} has no {kind} schema version (metadata.dbt_schema_version = {version!r})",
            hint=f"this is not a dbt {kind} artifact: re-run `{produced_by}`",
            path=str(path), problem="not_a_dbt_artifact",
        )
    return int(match["number"])


@contextmanager
def gc_paused():
    """Decoding creates millions of objects and no cycles: collections during it are pure cost (~half the time)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def decode(data: bytes, path: Path, target: type[T], *, produced_by: str) -> T:
    """Typed decode; a field that matters missing or of the wrong type is an ArtifactError naming its path."""
    try:
        with gc_paused():
            return msgspec.json.decode(data, type=target)
    except msgspec.ValidationError as error:
        raise ArtifactError(
            f"{path.name} does not have the shape dbt-grounding expects: {error}",
            hint=f"re-run `{produced_by}` with dbt-core 1.6 or newer",
            path=str(path), problem="unexpected_shape",
        ) from None
    except msgspec.DecodeError as error:
        raise _invalid_json(path, error, produced_by) from None


def _invalid_json(path: Path, error: Exception, produced_by: str) -> ArtifactError:
    return ArtifactError(
        f"{path.name} is not valid JSON ({error})",
        hint=f"the file is truncated or corrupt: re-run `{produced_by}`",
        path=str(path), problem="invalid_json",
    )

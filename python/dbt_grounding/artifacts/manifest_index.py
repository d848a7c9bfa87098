"""An on-disk index of manifest.json: the decoded manifest (or its lineage graph) as MessagePack, read back in
milliseconds by the next command instead of decoding the JSON again.

A 100 MB manifest takes ~0.2 s to decode as JSON even into the few fields read (artifacts._decode); its graph as
MessagePack takes a few milliseconds. The index is a cache, never a source of truth:

- It lives beside the artifacts (`<target-path>/dbt_grounding/manifest_index/`, artifacts.state), written
  atomically, one file per reading (the whole `Manifest`, or the `ManifestGraph` model-level lineage reads).
- It is keyed by the manifest's size, modification time (ns) and a CRC-32 of its bytes, and by the code that
  defines the decoded shape (the source of manifest.py and _decode.py, and msgspec's version). The content check
  runs on every read: a manifest changed in place with the same size and a restored mtime is still caught.
- A file that is missing, truncated, corrupt, of another format or keyed by another manifest is rebuilt from
  manifest.json, never trusted; a folder that cannot be written (a read-only target path) only means no index.
"""

from __future__ import annotations

import os
import zlib
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

import msgspec

from dbt_grounding.artifacts import _decode, manifest as manifest_module
from dbt_grounding.artifacts._decode import gc_paused, read_bytes
from dbt_grounding.artifacts.manifest import PRODUCED_BY, Manifest, ManifestGraph, decode_manifest
from dbt_grounding.artifacts.state import atomic_write, state_dir

T = TypeVar("T", Manifest, ManifestGraph)

INDEX_DIR = "manifest_index"
_FILES = {Manifest: "manifest.msgpack", ManifestGraph: "graph.msgpack"}
_CHUNK = 1 << 20  # the content check streams the manifest: no second copy of a 100 MB file in memory


class IndexKey(msgspec.Struct, frozen=True):
    """What the index was built from: the manifest file as it was, and the code that shaped the decoded form."""

    size: int
    mtime_ns: int
    crc32: int
    shape: str


class _Envelope(msgspec.Struct, frozen=True):
    key: IndexKey
    body: msgspec.Raw  # decoded only once the key matches


class _Written(msgspec.Struct, frozen=True):
    key: IndexKey
    body: Manifest | ManifestGraph


def index_path(manifest_path: Path, shape: type) -> Path:
    """Where the index of `manifest_path` read as `shape` is kept."""
    return state_dir(manifest_path.parent) / INDEX_DIR / _FILES[shape]


def load_indexed(manifest_path: Path, shape: type[T]) -> T:
    """manifest.json read as `shape` (Manifest or ManifestGraph): from its index when that was built from this very
    file, else decoded from the JSON (with the same checks and errors as artifacts.load_manifest) and indexed.

    Raises:
        ArtifactError: manifest.json missing or unusable.
    """
    manifest_path = Path(manifest_path)
    stat = _stat(manifest_path)
    index = index_path(manifest_path, shape)
    if stat is not None:
        found = _read_index(index, manifest_path, shape, stat)
        if found is not None:
            return found
    data = read_bytes(manifest_path, produced_by=PRODUCED_BY)
    decoded = decode_manifest(data, manifest_path, shape)
    after = _stat(manifest_path)
    if after is not None and after == stat and after[0] == len(data):  # unchanged while read: the key is this file's
        key = IndexKey(size=after[0], mtime_ns=after[1], crc32=zlib.crc32(data), shape=_shape_fingerprint())
        try:
            atomic_write(index, msgspec.msgpack.encode(_Written(key=key, body=decoded)))
        except OSError:
            pass  # a read-only target path: no index, the next command decodes the JSON again
    return decoded


def _read_index(index: Path, manifest_path: Path, shape: type[T], stat: tuple[int, int]) -> T | None:
    try:
        envelope = msgspec.msgpack.decode(index.read_bytes(), type=_Envelope)
    except (OSError, msgspec.DecodeError, RecursionError):
        return None  # missing, unreadable, truncated, corrupt or of another format: rebuilt by the caller
    key = envelope.key
    if (key.size, key.mtime_ns) != stat or key.shape != _shape_fingerprint():
        return None
    if _crc32_of(manifest_path) != key.crc32:
        return None
    try:
        with gc_paused():
            return msgspec.msgpack.decode(envelope.body, type=shape)
    except (msgspec.DecodeError, RecursionError):
        return None


def _stat(path: Path) -> tuple[int, int] | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_size, stat.st_mtime_ns


def _crc32_of(path: Path) -> int | None:
    crc = 0
    try:
        with open(path, "rb", buffering=0) as file:
            buffer = bytearray(_CHUNK)
            view = memoryview(buffer)
            while read := file.readinto(buffer):
                crc = zlib.crc32(view[:read], crc)
    except OSError:
        return None
    return crc


@lru_cache(maxsize=1)
def _shape_fingerprint() -> str:
    """The code that defines the decoded shape: an index written by another version of it is not read."""
    crc = 0
    for source in (manifest_module.__file__, _decode.__file__, __file__):
        crc = zlib.crc32(Path(source).read_bytes(), crc)
    return f"{msgspec.__version__}:{crc:08x}"

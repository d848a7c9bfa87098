"""An on-disk index of manifest.json: the decoded manifest (or its lineage graph) as MessagePack, read back in
milliseconds by the next command instead of decoding the JSON again.

A 100 MB manifest takes ~0.2 s to decode as JSON even into the few fields read (artifacts._decode); its graph as
MessagePack (artifacts.compact_graph) takes a few milliseconds. The index is a cache, never a source of truth:

- It lives beside the artifacts (`<target-path>/dbt_grounding/manifest_index/`, artifacts.state), written
  atomically, one file per reading (the whole `Manifest`, the `ManifestGraph`, or the `CompactGraph` model-level
  lineage reads).
- It is keyed by the manifest file as it was when read, as git's index knows a file unchanged without reading it:
  its size, inode and device, modification and status-change times (ns), and CRC-32s of its first and last 64 KiB;
  and by the code that defines the decoded shape (the source of the readers, and msgspec's version). Any write to
  the file moves its ctime, which no tool can set back (`touch`, `cp -p` and `os.utime` restore mtime only); a file
  replaced by another (dbt writes a new manifest.json each command) has a new inode or ctime too; and dbt opens
  every manifest with a new `metadata.invocation_id`, inside the first 64 KiB, so even a rewrite within one tick
  of a coarse file-system clock differs in its head. Hashing the whole 95 MB manifest of a 5,000-model project
  cost ~60 ms per command; these checks cost microseconds.
- A file that is missing, truncated, corrupt (its body carries a CRC-32 of its own), of another format or keyed by
  another manifest is rebuilt from manifest.json, never trusted; a folder that cannot be written (a read-only target path) only means no index.
"""

from __future__ import annotations

import os
import sys
import zlib
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

import msgspec

from dbt_grounding.artifacts import _decode, compact_graph, manifest as manifest_module, ownership
from dbt_grounding.artifacts._decode import gc_paused, read_bytes
from dbt_grounding.artifacts.compact_graph import CompactGraph
from dbt_grounding.artifacts.manifest import PRODUCED_BY, Manifest, ManifestGraph, decode_manifest
from dbt_grounding.artifacts.state import atomic_write, state_dir

T = TypeVar("T", Manifest, ManifestGraph, CompactGraph)

INDEX_DIR = "manifest_index"
_FILES = {Manifest: "manifest.msgpack", ManifestGraph: "graph.msgpack", CompactGraph: "compact_graph.msgpack"}
_EDGE = 1 << 16  # the head and the tail of the manifest hashed on every read (the head holds its invocation_id)


class IndexKey(msgspec.Struct, frozen=True):
    """What the index was built from: the manifest file as it was, and the code that shaped the decoded form."""

    size: int
    mtime_ns: int
    ctime_ns: int
    inode: int
    device: int
    head_crc32: int  # of the first _EDGE bytes
    tail_crc32: int  # of the last _EDGE bytes
    shape: str


class _Envelope(msgspec.Struct, frozen=True):
    key: IndexKey
    body_crc32: int  # a byte changed inside the body's strings or arrays still decodes: the checksum tells
    body: msgspec.Raw  # decoded only once the key and the checksum match


def index_path(manifest_path: Path, shape: type) -> Path:
    """Where the index of `manifest_path` read as `shape` is kept."""
    return state_dir(manifest_path.parent) / INDEX_DIR / _FILES[shape]


def load_indexed(manifest_path: Path, shape: type[T]) -> T:
    """manifest.json read as `shape` (Manifest, ManifestGraph or CompactGraph): from its index when that was built
    from this very file, else decoded from the JSON (with the same checks and errors as artifacts.load_manifest)
    and indexed.

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
    decoded = _from_json(data, manifest_path, shape)
    after = _stat(manifest_path)
    if after is not None and after == stat and after[0] == len(data):  # unchanged while read: the key is this file's
        key = IndexKey(*after, head_crc32=zlib.crc32(data[:_EDGE]), tail_crc32=zlib.crc32(data[-_EDGE:]),
                       shape=_shape_fingerprint())
        body = msgspec.msgpack.encode(decoded)
        try:
            atomic_write(index, msgspec.msgpack.encode(
                _Envelope(key=key, body_crc32=zlib.crc32(body), body=msgspec.Raw(body))))
        except OSError:
            pass  # a read-only target path: no index, the next command decodes the JSON again
    return decoded


def _from_json(data: bytes, manifest_path: Path, shape: type[T]) -> T:
    """manifest.json's bytes read as `shape`, with artifacts.load_manifest's checks and errors."""
    with gc_paused():  # building the compact graph makes ~10^5 objects and no cycles, as decoding does
        if shape is CompactGraph:
            return CompactGraph.from_json(data, manifest_path)
        return decode_manifest(data, manifest_path, shape)


def _read_index(index: Path, manifest_path: Path, shape: type[T], stat: tuple[int, ...]) -> T | None:
    try:
        envelope = msgspec.msgpack.decode(index.read_bytes(), type=_Envelope)
    except (OSError, msgspec.DecodeError, RecursionError):
        return None  # missing, unreadable, truncated, corrupt or of another format: rebuilt by the caller
    key = envelope.key
    if (key.size, key.mtime_ns, key.ctime_ns, key.inode, key.device) != stat or key.shape != _shape_fingerprint():
        return None
    if _edge_crc32s(manifest_path, key.size) != (key.head_crc32, key.tail_crc32):
        return None
    if zlib.crc32(envelope.body) != envelope.body_crc32:
        return None  # damaged since it was written
    try:
        with gc_paused():
            return msgspec.msgpack.decode(envelope.body, type=shape)
    except (msgspec.DecodeError, RecursionError):
        return None


def _stat(path: Path) -> tuple[int, int, int, int, int] | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino, stat.st_dev


def _edge_crc32s(path: Path, size: int) -> tuple[int, int] | None:
    """CRC-32s of the file's first and last _EDGE bytes (as the index writer took them from the bytes it read)."""
    try:
        with open(path, "rb", buffering=0) as file:
            head = file.read(_EDGE)
            file.seek(max(size - _EDGE, 0))
            tail = file.read(_EDGE)
    except OSError:
        return None
    return zlib.crc32(head), zlib.crc32(tail)


@lru_cache(maxsize=1)
def _shape_fingerprint() -> str:
    """The code that defines the decoded shape: an index written by another version of it is not read."""
    crc = 0
    for source in (manifest_module.__file__, _decode.__file__, compact_graph.__file__, ownership.__file__, __file__):
        crc = zlib.crc32(Path(source).read_bytes(), crc)
    return f"{msgspec.__version__}:{sys.byteorder}:{crc:08x}"

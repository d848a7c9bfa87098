"""The on-disk manifest index (artifacts.manifest_index) on a manifest dbt wrote: read back equal to the JSON, used
only while it was built from this very file, rebuilt (never trusted) when it is corrupt, truncated, of another
shape, or keyed by a manifest that changed, even in place with the same size and modification time (in its head,
or in its middle, which the key does not hash: the file's status-change time tells), or replaced by a copy."""

from __future__ import annotations

import os
import re
import shutil
import zlib
from pathlib import Path

import msgspec
import pytest

from dbt_grounding.artifacts import Manifest, ManifestGraph, load_manifest, load_manifest_graph, manifest_index
from dbt_grounding.artifacts.compact_graph import CompactGraph
from dbt_grounding.errors import ArtifactError
from dbt_grounding.lineage import model_lineage
from dbt_runner import DbtProject

pytestmark = pytest.mark.dbt


def load_compact_graph(path: Path) -> CompactGraph:
    return CompactGraph.from_graph(load_manifest_graph(path))


SHAPES = [(Manifest, load_manifest), (ManifestGraph, load_manifest_graph), (CompactGraph, load_compact_graph)]


@pytest.fixture
def manifest_path(built_package: DbtProject, tmp_path: Path) -> Path:
    """A copy of the demo build's manifest.json in a target folder of its own."""
    target = tmp_path / "target"
    target.mkdir()
    shutil.copy2(built_package.target_path / "manifest.json", target / "manifest.json")
    return target / "manifest.json"


@pytest.fixture
def json_decodes(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The manifests decoded from JSON (the real decoder runs; each call is recorded)."""
    calls: list[Path] = []
    real = manifest_index._from_json

    def recorded(data, path, shape):
        calls.append(path)
        return real(data, path, shape)

    monkeypatch.setattr(manifest_index, "_from_json", recorded)
    return calls


@pytest.mark.parametrize(("shape", "load_json"), SHAPES)
def test_the_index_reads_back_what_the_json_says(manifest_path: Path, json_decodes: list[Path], shape,
                                                 load_json) -> None:
    first = manifest_index.load_indexed(manifest_path, shape)
    index = manifest_index.index_path(manifest_path, shape)
    assert index.is_file() and index.parent.parent == manifest_path.parent / "dbt_grounding"
    second = manifest_index.load_indexed(manifest_path, shape)
    assert len(json_decodes) == 1  # the second read came from the index
    assert first == second == load_json(manifest_path)
    upstream = model_lineage(second, "fct_customer_health_summary", "up").upstream
    assert len(upstream) > 5 and any(node.resource_type == "source" for node in upstream)


def _corrupt(index: Path) -> None:
    data = bytearray(index.read_bytes())
    middle = len(data) // 2
    data[middle:middle + 64] = b"\xc1" * 64  # 0xc1 is never used in MessagePack
    index.write_bytes(bytes(data))


def _truncate(index: Path) -> None:
    index.write_bytes(index.read_bytes()[: index.stat().st_size // 3])


def _garbage(index: Path) -> None:
    index.write_bytes(b"not an index at all")


def _other_shape(index: Path) -> None:
    key = msgspec.msgpack.decode(index.read_bytes(), type=manifest_index._Envelope).key
    stale = msgspec.structs.replace(key, shape="0.0:deadbeef")  # written by another version of the code
    body = msgspec.msgpack.encode({"metadata": {"dbt_schema_version": "x"}})
    index.write_bytes(msgspec.msgpack.encode({"key": stale, "body_crc32": zlib.crc32(body), "body": msgspec.Raw(body)}))


def _flipped_byte_in_the_body(index: Path) -> None:
    """One byte of the body changed where MessagePack still decodes: the last byte, inside the last string or
    array of every shape."""
    data = bytearray(index.read_bytes())
    data[-1] ^= 0x01
    index.write_bytes(bytes(data))


@pytest.mark.parametrize("damage", [_corrupt, _truncate, _garbage, _other_shape, _flipped_byte_in_the_body])
@pytest.mark.parametrize(("shape", "load_json"), SHAPES)
def test_a_damaged_index_is_rebuilt_not_trusted(manifest_path: Path, json_decodes: list[Path], shape, load_json,
                                                damage) -> None:
    manifest_index.load_indexed(manifest_path, shape)
    index = manifest_index.index_path(manifest_path, shape)
    damage(index)
    assert manifest_index.load_indexed(manifest_path, shape) == load_json(manifest_path)
    assert len(json_decodes) == 2  # decoded from the JSON again
    manifest_index.load_indexed(manifest_path, shape)
    assert len(json_decodes) == 2  # and the rewritten index is good


def _edit_in_place(manifest_path: Path, old: bytes, new: bytes) -> None:
    """Replace `old` by `new` (same length) and put back the modification time: only the content tells."""
    assert len(old) == len(new)
    before = manifest_path.stat()
    data = manifest_path.read_bytes()
    assert data.count(old) == 1
    manifest_path.write_bytes(data.replace(old, new))
    os.utime(manifest_path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = manifest_path.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)


@pytest.mark.parametrize(("shape", "load_json"), SHAPES)
def test_a_manifest_changed_with_the_same_size_and_mtime_is_read_again(manifest_path: Path, json_decodes, shape,
                                                                        load_json) -> None:
    indexed = manifest_index.load_indexed(manifest_path, shape)
    generated_at = indexed.metadata.generated_at.encode()
    changed = generated_at.replace(b"20", b"19", 1)
    _edit_in_place(manifest_path, b'"generated_at": "' + generated_at, b'"generated_at": "' + changed)
    reread = manifest_index.load_indexed(manifest_path, shape)
    assert reread.metadata.generated_at == changed.decode()
    assert reread == load_json(manifest_path) != indexed
    assert len(json_decodes) == 2


@pytest.mark.parametrize(("shape", "load_json"), SHAPES)
def test_a_manifest_changed_in_its_middle_with_the_same_size_and_mtime_is_read_again(
        manifest_path: Path, json_decodes: list[Path], shape, load_json) -> None:
    """The key hashes the manifest's first and last 64 KiB only: a change between them, the size and mtime put
    back, is seen through the file's status-change time, which no tool can put back."""
    indexed = manifest_index.load_indexed(manifest_path, shape)
    data = manifest_path.read_bytes()
    middle = next(match for match in re.finditer(rb'"name": "(\w+)", "resource_type": "\w+"', data)
                  if match.start() > len(data) // 2 and data.count(match[0]) == 1 and match[1] != match[1][::-1])
    assert manifest_index._EDGE < middle.start() and middle.end() < len(data) - manifest_index._EDGE  # not hashed
    _edit_in_place(manifest_path, middle[0], middle[0].replace(middle[1], middle[1][::-1]))  # a node's name reversed
    reread = manifest_index.load_indexed(manifest_path, shape)
    assert reread == load_json(manifest_path) != indexed
    assert len(json_decodes) == 2


@pytest.mark.parametrize(("shape", "load_json"), SHAPES)
def test_a_manifest_replaced_by_a_copy_is_read_again(manifest_path: Path, json_decodes: list[Path], shape,
                                                     load_json) -> None:
    """Another file (another inode) with the same bytes and mtime, as `cp -p` and a rename leave it: not trusted
    on the key's say-so, decoded again (and then indexed again)."""
    manifest_index.load_indexed(manifest_path, shape)
    copy = manifest_path.with_name("copy.json")
    shutil.copy2(manifest_path, copy)
    before = manifest_path.stat()
    os.replace(copy, manifest_path)
    after = manifest_path.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns) and after.st_ino != before.st_ino
    assert manifest_index.load_indexed(manifest_path, shape) == load_json(manifest_path)
    assert len(json_decodes) == 2
    manifest_index.load_indexed(manifest_path, shape)
    assert len(json_decodes) == 2


def test_a_rewritten_manifest_is_read_again(manifest_path: Path, json_decodes: list[Path]) -> None:
    manifest_index.load_indexed(manifest_path, ManifestGraph)
    data = manifest_path.read_bytes()
    manifest_path.write_bytes(data.replace(b'"fct_customer_health_summary"', b'"fct_customer_health_summar2"'))
    assert "fct_customer_health_summar2" in {n.name for n in manifest_index.load_indexed(
        manifest_path, ManifestGraph).nodes.values()}
    assert len(json_decodes) == 2


def test_a_broken_manifest_is_an_error_even_with_an_index(manifest_path: Path) -> None:
    manifest_index.load_indexed(manifest_path, Manifest)
    manifest_path.write_bytes(manifest_path.read_bytes()[:1000])
    with pytest.raises(ArtifactError) as raised:
        manifest_index.load_indexed(manifest_path, Manifest)
    assert raised.value.details["problem"] == "invalid_json"
    manifest_path.unlink()
    with pytest.raises(ArtifactError) as raised:
        manifest_index.load_indexed(manifest_path, Manifest)
    assert raised.value.details["problem"] == "missing"


def test_an_unwritable_state_folder_means_no_index(manifest_path: Path, json_decodes: list[Path]) -> None:
    (manifest_path.parent / "dbt_grounding").write_text("a file where the state folder would be")
    assert manifest_index.load_indexed(manifest_path, ManifestGraph) == load_manifest_graph(manifest_path)
    manifest_index.load_indexed(manifest_path, ManifestGraph)
    assert len(json_decodes) == 2  # no index could be written: decoded each time, no error

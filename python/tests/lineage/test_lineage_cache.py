"""The on-disk cache: a second process run parses nothing unchanged, a change re-parses only what it affects, and
corrupt or concurrent entries never break lineage."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from dbt_grounding.artifacts import Manifest
from dbt_grounding.lineage import LineageCache, column_lineage, default_cache_dir, render_json
from dbt_grounding.lineage.types import ColumnRef, ModelColumns, OutputColumn

PKG = "dbt_grounding"
HEALTH_MART = f"model.{PKG}.fct_customer_health_summary"


@pytest.mark.dbt
def test_a_second_run_reads_every_model_from_the_cache(package_manifest: Manifest, tmp_path: Path) -> None:
    cache_dir = default_cache_dir(tmp_path / "target")
    cold = column_lineage(package_manifest, HEALTH_MART, cache_dir=cache_dir)
    assert HEALTH_MART in cold.stats.parsed and cold.stats.from_cache == []
    assert len(list(cache_dir.glob("*.json"))) == len(cold.stats.parsed)

    warm = column_lineage(package_manifest, HEALTH_MART, cache_dir=cache_dir)
    assert warm.stats.parsed == []
    assert warm.stats.from_cache == cold.stats.parsed
    assert render_json(warm) == render_json(cold)


@pytest.mark.dbt
def test_cache_files_are_deterministic(package_manifest: Manifest, tmp_path: Path) -> None:
    column_lineage(package_manifest, HEALTH_MART, cache_dir=tmp_path / "one")
    column_lineage(package_manifest, HEALTH_MART, cache_dir=tmp_path / "two")
    one = {path.name: path.read_bytes() for path in (tmp_path / "one").iterdir()}
    two = {path.name: path.read_bytes() for path in (tmp_path / "two").iterdir()}
    assert one == two


@pytest.mark.dbt
def test_a_changed_checksum_reparses_that_model_only(package_manifest: Manifest, edited_manifest, tmp_path) -> None:
    cold = column_lineage(package_manifest, HEALTH_MART, cache_dir=tmp_path)
    dim = f"model.{PKG}.dim_customers"

    def touch(raw: dict[str, Any]) -> None:
        raw["nodes"][dim]["checksum"]["checksum"] = "0" * 64

    again = column_lineage(edited_manifest(touch), HEALTH_MART, cache_dir=tmp_path)
    assert again.stats.parsed == [dim]
    assert render_json(again) == render_json(cold)


@pytest.mark.dbt
def test_a_parent_gaining_a_column_reparses_it_and_its_children(package_manifest, edited_manifest, tmp_path) -> None:
    cold = column_lineage(package_manifest, HEALTH_MART, cache_dir=tmp_path)
    staging = f"model.{PKG}.stg_crm__customers"

    def add_column(raw: dict[str, Any]) -> None:
        node = raw["nodes"][staging]
        node["compiled_code"] = node["compiled_code"].replace("select * from final", "select *, 1 as extra from final")

    edited = edited_manifest(add_column)
    again = column_lineage(edited, HEALTH_MART, cache_dir=tmp_path)
    # the children's one-hop resolution depends on the parent's columns; grandchildren see unchanged parents
    assert set(again.stats.parsed) == {staging} | (set(edited.children(staging)) & set(cold.stats.parsed))
    assert render_json(again) == render_json(cold)


@pytest.mark.dbt
def test_corrupt_entries_are_ignored_and_rebuilt(package_manifest: Manifest, tmp_path: Path) -> None:
    cold = column_lineage(package_manifest, HEALTH_MART, cache_dir=tmp_path)
    entries = sorted(tmp_path.glob("*.json"))
    entries[0].write_bytes(b"")  # truncated by a crash
    entries[1].write_bytes(entries[1].read_bytes()[:40])  # cut mid-way
    entries[2].write_bytes(b'{"format": 1, "key": "not this one", "model": {"unique_id": "x"}}')  # another entry's
    entries[3].write_text("\x00garbage", encoding="utf-8")

    again = column_lineage(package_manifest, HEALTH_MART, cache_dir=tmp_path)
    assert len(again.stats.parsed) == 4
    assert render_json(again) == render_json(cold)
    assert column_lineage(package_manifest, HEALTH_MART, cache_dir=tmp_path).stats.parsed == []  # rewritten


def test_concurrent_writers_leave_one_whole_entry_and_no_temporary_files(tmp_path: Path) -> None:
    cache = LineageCache(tmp_path)
    models = [
        ModelColumns(unique_id="model.p.m", columns=[OutputColumn(name=f"c{n}", inputs=[ColumnRef("seed.p.s", "x")])])
        for n in range(8)
    ]
    barrier = threading.Barrier(len(models))

    def write(model: ModelColumns) -> None:
        barrier.wait()
        for _ in range(25):
            cache.put("k" * 64, model)

    threads = [threading.Thread(target=write, args=(model,)) for model in models]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert cache.get("k" * 64) in models
    assert [path.name for path in tmp_path.iterdir()] == ["k" * 64 + ".json"]


def test_an_unwritable_cache_is_skipped(tmp_path: Path) -> None:
    blocker = tmp_path / "not_a_dir"
    blocker.write_text("a file where the cache folder should be", encoding="utf-8")
    cache = LineageCache(blocker / "cache")
    cache.put("a" * 64, ModelColumns(unique_id="model.p.m"))  # no exception: the cache only saves time
    assert cache.get("a" * 64) is None

"""The schema remembered after a build: kept per build, replaced by the next, never a traceback on a bad file."""

from __future__ import annotations

from pathlib import Path

import pytest

from dbt_grounding.grounding import built_schema

UID = "model.shop.orders"
COLUMNS = [("order_id", "INTEGER"), ("amount", "DECIMAL(10,2)")]


def test_remembered_for_its_build_only(tmp_path: Path) -> None:
    built_schema.remember(tmp_path, UID, "2026-11-30T10:00:00+00:00", COLUMNS)
    assert built_schema.recall(tmp_path, UID, "2026-11-30T10:00:00+00:00") == COLUMNS
    assert built_schema.recall(tmp_path, UID, "2026-11-30T11:00:00+00:00") is None  # rebuilt since
    built_schema.remember(tmp_path, UID, "2026-11-30T11:00:00+00:00", COLUMNS[:1])
    assert built_schema.recall(tmp_path, UID, "2026-11-30T11:00:00+00:00") == COLUMNS[:1]
    assert [p.name for p in built_schema.memory_file(tmp_path, UID).parent.iterdir()] == [f"{UID}.json"]


@pytest.mark.parametrize("content", [
    "", "{", "[]", "null", '{"build": "b", "columns": 3}', '{"build": "b", "columns": [["a"]]}',
    '{"build": "b", "columns": [["a", 1]]}', '{"build": "b", "columns": [[null, "INTEGER"]]}', "\udcff",
])
def test_a_malformed_memory_is_no_memory(tmp_path: Path, content: str) -> None:
    path = built_schema.memory_file(tmp_path, UID)
    path.parent.mkdir(parents=True)
    path.write_bytes(content.encode("utf-8", "surrogateescape"))
    assert built_schema.recall(tmp_path, UID, "b") is None


def test_an_unwritable_target_is_not_an_error(tmp_path: Path) -> None:
    blocker = tmp_path / "dbt_grounding"
    blocker.write_text("a file where the folder should be")
    built_schema.remember(tmp_path, UID, "b", COLUMNS)
    assert built_schema.recall(tmp_path, UID, "b") is None

"""Renderers: text, JSON and Mermaid of real lineage (the dbt-built lineage_project) equal golden files byte for
byte, and Mermaid ids stay valid whatever the unique_ids hold.

Regenerate after an intended change, then review the diff:
    UPDATE_GOLDEN=1 .venv/bin/python -m pytest python/tests/lineage/test_lineage_render.py -q
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from dbt_grounding.artifacts import Manifest
from dbt_grounding.lineage import column_lineage, model_lineage, render_json, render_mermaid, render_text
from dbt_grounding.lineage.render import _label, _mermaid_ids

GOLDEN_DIR = Path(__file__).parent / "golden"
UPDATE = bool(os.environ.get("UPDATE_GOLDEN"))
RENDERERS = {".txt": render_text, ".json": render_json, ".mmd": render_mermaid}
CASES = {
    "model_person_orders": lambda manifest: model_lineage(manifest, "model.lineage_project.person_orders"),
    "columns_person_orders": lambda manifest: column_lineage(manifest, "model.lineage_project.person_orders"),
    "columns_people_from_py": lambda manifest: column_lineage(manifest, "model.lineage_project.people_from_py"),
    "columns_people_contacts": lambda manifest: column_lineage(manifest, "model.lineage_project.people_contacts"),
    "columns_people_with_orders": lambda manifest: column_lineage(manifest,
                                                                  "model.lineage_project.people_with_orders"),
}


def check_golden(path: Path, text: str) -> None:
    if UPDATE:
        path.write_text(text, encoding="utf-8", newline="\n")
    assert path.exists(), f"{path.name} missing: run with UPDATE_GOLDEN=1 to create it"
    assert path.read_text(encoding="utf-8") == text, f"{path.name} differs: review, then UPDATE_GOLDEN=1"


@pytest.mark.dbt
@pytest.mark.parametrize("case", sorted(CASES))
def test_renderings_match_golden_files(project_manifest: Manifest, case: str) -> None:
    lineage = CASES[case](project_manifest)
    for suffix, render in RENDERERS.items():
        text = render(lineage)
        assert text == render(CASES[case](project_manifest))  # deterministic
        check_golden(GOLDEN_DIR / f"{case}{suffix}", text)
    json.loads(render_json(lineage))


@pytest.mark.dbt
@pytest.mark.parametrize("case", sorted(CASES))
def test_mermaid_is_a_flowchart_with_valid_ids(project_manifest: Manifest, case: str) -> None:
    lines = render_mermaid(CASES[case](project_manifest)).splitlines()
    assert lines[0] == "flowchart LR"
    for line in lines[1:]:
        statement = line.strip()
        if statement == "end" or statement.startswith(("classDef ", "class ")):
            continue
        ids = re.findall(r"(?:^(?:subgraph )?|--> )(\w+)", statement)
        assert ids and all(re.fullmatch(r"n_[A-Za-z0-9_]+", node_id) for node_id in ids), statement
        assert statement.count('"') in (0, 2), statement


def test_every_golden_file_belongs_to_a_case() -> None:
    expected = {f"{case}{suffix}" for case in CASES for suffix in RENDERERS}
    assert {path.name for path in GOLDEN_DIR.iterdir()} == expected


def test_mermaid_ids_are_unique_and_never_keywords() -> None:
    ids = _mermaid_ids(["a.b_c", "a_b.c", "end", "model.x.y-z"])
    assert len(set(ids.values())) == 4
    assert all(re.fullmatch(r"n_[A-Za-z0-9_]+", value) for value in ids.values())
    assert ids["end"] == "n_end"
    assert _label('say "hi" <b> & more') == "say #quot;hi#quot; #lt;b#gt; #amp; more"

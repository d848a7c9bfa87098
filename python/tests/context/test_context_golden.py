"""Golden files: each case of context_cases.GOLDEN_CASES rendered as Markdown and JSON must equal
golden/<case>.md and golden/<case>.json byte for byte.

Regenerate after an intended change, then review the diff:
    UPDATE_GOLDEN=1 .venv/bin/python -m pytest python/tests/context -q
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from context_cases import GOLDEN_CASES

from dbt_grounding.context import build_document

GOLDEN_DIR = Path(__file__).parent / "golden"
UPDATE = bool(os.environ.get("UPDATE_GOLDEN"))


def check_golden(path: Path, text: str) -> None:
    if UPDATE:
        path.write_text(text, encoding="utf-8", newline="\n")
    assert path.exists(), f"{path.name} missing: run with UPDATE_GOLDEN=1 to create it"
    assert path.read_text(encoding="utf-8") == text, f"{path.name} differs: review, then UPDATE_GOLDEN=1"


@pytest.mark.parametrize("case", sorted(GOLDEN_CASES))
def test_markdown_and_json_match_golden_files(case: str) -> None:
    spec = GOLDEN_CASES[case]
    document = build_document(spec.inputs(), max_tokens=spec.max_tokens)

    check_golden(GOLDEN_DIR / f"{case}.md", document.to_markdown())
    check_golden(GOLDEN_DIR / f"{case}.json", document.to_json())


def test_every_golden_file_belongs_to_a_case() -> None:
    expected = {f"{case}{suffix}" for case in GOLDEN_CASES for suffix in (".md", ".json")}
    found = {path.name for path in GOLDEN_DIR.iterdir() if path.suffix in (".md", ".json")}
    assert found - {"README.md"} == expected

"""The telemetry tests log for real: telemetry on (the suite turns it off, python/tests/conftest.py)."""

import pytest


@pytest.fixture(autouse=True)
def telemetry_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DBT_GROUNDING_TELEMETRY", "jsonl")

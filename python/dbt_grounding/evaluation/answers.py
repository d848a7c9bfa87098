"""`--answers FILE`: an LLM's answer per golden case, to score offline with the answer verifier. YAML or JSON:
a mapping `case id: answer text`, or a list of `{id: ..., answer: ...}`."""

from __future__ import annotations

from pathlib import Path

from dbt_grounding.evaluation.golden import GoldenSetError


def load_answers(path: str | Path) -> dict[str, str]:
    import yaml

    path = Path(path)
    hint = "a mapping `case id: answer text`, or a list of {id: ..., answer: ...}"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise GoldenSetError(f"cannot read the answers {path}: {' '.join(str(error).split())}", hint=hint,
                             path=str(path)) from None
    if isinstance(data, list):
        if not all(isinstance(item, dict) and "id" in item and isinstance(item.get("answer"), str) for item in data):
            raise GoldenSetError(f"{path}: every answer is {{id: ..., answer: ...}}", hint=hint, path=str(path))
        data = {str(item["id"]): item["answer"] for item in data}
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise GoldenSetError(f"{path}: the answers are not a mapping of case ids to answer texts", hint=hint,
                             path=str(path))
    return {str(k): v for k, v in data.items()}

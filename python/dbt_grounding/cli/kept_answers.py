"""A command's answer kept beside the artifacts it was worked out from, so that the next process asking the same
question of the same artifacts prints it without opening the project: the facade imports the warehouse drivers, the
document model and sqlglot, most of a cold `lineage --columns` (issue 16: <= 0.3 s when its caches are current).

An answer is kept under a key over the question (the command and its arguments) and over everything the answer
depends on, each stamped without being read: every file opening the project reads (manifest.json, catalog.json,
run_results.json, sources.json, the build record kept beside them, the project's dbt_project.yml and
grounding_roles.yml), the toolkit's own code and sqlglot as installed (their files). A stamp is a file's size,
modification time in ns and inode, or None when it is absent. Change any of them and the answer simply stops being
found; the command works it out again. An answer is kept only when no stamp moved while it was worked out (a build
writing the artifacts meanwhile), so it never outlives what it was computed from. Written atomically
(artifacts.state); an unreadable entry reads as absent and is rewritten.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import msgspec

from dbt_grounding.artifacts.stamps import code_stamp, file_stamp
from dbt_grounding.artifacts.state import read_state, state_dir, write_state

KEPT_DIR = "kept_answers"
FORMAT = 1  # bump when an entry's shape changes
# What opening a project reads: artifacts (artifacts.loader), the build record beside them (artifacts.build_record),
# the project's own files (artifacts.ownership, grounding.roles).
ARTIFACT_FILES = ("manifest.json", "catalog.json", "run_results.json", "sources.json")
STATE_FILES = ("build_results.json",)
PROJECT_FILES = ("dbt_project.yml", "grounding_roles.yml")


class KeptAnswer(msgspec.Struct, frozen=True):
    """What the command printed (stdout text, stderr warnings) and the dbt invocation of the artifacts (telemetry)."""

    text: str
    warnings: list[str]
    invocation_id: str | None


class _Entry(msgspec.Struct, frozen=True):
    format: int
    key: str
    answer: KeptAnswer


def stamps(question: Sequence[str], target_path: Path, project_dir: Path) -> dict[str, object]:
    """What `question`'s answer from the artifacts in `target_path` of the project in `project_dir` depends on, as
    it is now (`answer_key` hashes it)."""
    return {
        "question": [FORMAT, *question, str(Path(target_path).resolve()), str(Path(project_dir).resolve())],
        "artifacts": [file_stamp(Path(target_path) / name) for name in ARTIFACT_FILES],
        "project": [file_stamp(Path(project_dir) / name) for name in PROJECT_FILES],
        "code": code_stamp(),
        "state": [file_stamp(state_dir(target_path) / name) for name in STATE_FILES],
    }


def answer_key(stamped: dict[str, object]) -> str:
    return hashlib.sha256(msgspec.json.encode(stamped)).hexdigest()


def _entry_file(target_path: Path, question: Sequence[str]) -> Path:
    # one file per question: a new answer replaces the old one instead of piling up beside it
    name = hashlib.sha256(msgspec.json.encode(list(question))).hexdigest()
    return state_dir(target_path) / KEPT_DIR / f"{name}.json"


def recall_answer(question: Sequence[str], target_path: Path, project_dir: Path) -> KeptAnswer | None:
    """The answer kept for `question` from the files as they are now, or None."""
    entry = read_state(_entry_file(target_path, question), _Entry)
    if entry is None or entry.format != FORMAT or entry.key != answer_key(stamps(question, target_path, project_dir)):
        return None
    return entry.answer


def keep_answer(question: Sequence[str], target_path: Path, project_dir: Path, before: dict[str, object],
                answer: KeptAnswer) -> None:
    """Keep `answer`, worked out from the files as `before` stamped them, unless one of them moved meanwhile.
    Opening the project may itself write the build record (a new build's results merged in): its stamp is taken
    after, when the answer is kept."""
    after = stamps(question, target_path, project_dir)
    if {**after, "state": None} != {**before, "state": None}:
        return  # the artifacts changed under the command: its answer may be of neither build
    write_state(_entry_file(target_path, question), _Entry(FORMAT, answer_key(after), answer))

"""Every error dbt-grounding raises: one root, flat typed subclasses carrying structured details and a fix hint.

The library raises these and never prints or exits; the CLI maps them to exit codes (`ExitCode`).
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any


class ExitCode(IntEnum):
    """The CLI's documented exit codes."""

    OK = 0
    FINDINGS = 1  # schema drift, stale grounding data, failed tests, unknown build status
    USAGE = 2  # bad arguments or configuration: unknown model, bad key, profile problems
    ARTIFACTS = 3  # dbt artifacts missing, unreadable or unsupported
    INTERNAL = 4  # a bug in dbt-grounding: an exception no typed error describes (the CLI says how to report it)
    ACCESS_DENIED = 5  # the caller's role may not read that mart (or there is no such mart: the two look alike)
    INTERRUPTED = 130  # Ctrl-C, as shells report SIGINT


class GroundingError(Exception):
    """Root of every dbt-grounding error.

    Attributes:
        message: what is wrong, in one sentence.
        hint: how to fix it.
        details: structured facts for programs (file, column, lineage path...).
    """

    exit_code: ExitCode = ExitCode.USAGE

    def __init__(self, message: str, *, hint: str = "", **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.details = details
        self.notes: list[str] = []  # facts about the artifacts that hold whatever the error is (with_note)

    def with_note(self, note: str) -> GroundingError:
        """Add a fact the user must see with this error (e.g. run_results.json is missing); returns the error."""
        if note not in self.notes:
            self.notes.append(note)
        return self

    def __str__(self) -> str:
        text = self.message + "".join(f"\n  note: {note}" for note in self.notes)
        return f"{text}\n  hint: {self.hint}" if self.hint else text

    def to_dict(self) -> dict[str, Any]:
        return {"error": type(self).__name__, "message": self.message, "hint": self.hint, "details": self.details,
                "notes": list(self.notes)}


class ArtifactError(GroundingError):
    """A dbt artifact (manifest.json, run_results.json, catalog.json, sources.json) is missing, truncated, not JSON,
    of an unsupported schema version, or lacks a field that matters. details: path, problem."""

    exit_code = ExitCode.ARTIFACTS


class ConfigurationError(GroundingError):
    """The project, profile or target cannot be used (no profiles.yml, unknown target, unsupported adapter)."""

    exit_code = ExitCode.USAGE


class UnknownNodeError(GroundingError):
    """A model or node name that the manifest does not have. details: name, suggestions."""

    exit_code = ExitCode.USAGE


class InvalidKeyError(GroundingError):
    """A lookup key that is not the model's declared key, or a value that cannot be one. details: model, given,
    expected."""

    exit_code = ExitCode.USAGE


class WarehouseError(GroundingError):
    """The warehouse could not be queried (connection refused, locked past the retry budget, query failed)."""

    exit_code = ExitCode.FINDINGS


class SchemaDriftError(GroundingError):
    """The relation in the warehouse does not match what the manifest declares. details: relation, differences
    (each: column, expected, found, kind), affected (grounding columns reached through column lineage)."""

    exit_code = ExitCode.FINDINGS


class MissingRelationError(SchemaDriftError):
    """The model's relation does not exist in the warehouse (never built, or dropped). details: relation, select."""


class StaleGroundingError(GroundingError):
    """Grounding data is older than its freshness policy's error_after. details: model, age_seconds, policy,
    evidence."""

    exit_code = ExitCode.FINDINGS


class UnknownBuildError(GroundingError):
    """Nothing shows the model's last build: no build command's results describe its current code (run_results.json
    missing or written by compile/docs/show, the code changed since, or the build was never recorded). details:
    model, reason."""

    exit_code = ExitCode.FINDINGS


class FailedTestsError(GroundingError):
    """Tests on the model or upstream of it failed, errored or were skipped in the last run. details: model,
    tests (unique_id, status)."""

    exit_code = ExitCode.FINDINGS


class AccessDeniedError(GroundingError):
    """The caller's role may not read the mart asked for, or there is no such mart: the message is the same for
    both, so a role cannot learn which marts exist above its level. details: name, role."""

    exit_code = ExitCode.ACCESS_DENIED

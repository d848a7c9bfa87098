"""Telemetry: one project's configuration and the shared writer its events go to; and feedback recording."""

from __future__ import annotations

import os
import re
import uuid
from datetime import datetime, timezone
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from dbt_grounding.errors import ConfigurationError, GroundingError
from dbt_grounding.telemetry.config import TelemetryConfig, resolve_config
from dbt_grounding.telemetry.events import feedback_event
from dbt_grounding.telemetry.jsonl_sink import JsonlSink
from dbt_grounding.telemetry.writer import EventWriter, shared_writer

if TYPE_CHECKING:
    from dbt_grounding.warehouse.targets import ConnectionSettings

RATINGS = ("up", "down")
REQUEST_ID = re.compile(r"[0-9a-f]{32}")
DOCUMENT_HASH = re.compile(r"[0-9a-f]{64}")
MAX_COMMENT = 2000


class InvalidFeedbackError(GroundingError):
    """Feedback that cannot be recorded as given: a rating other than up/down, neither a request id nor a document
    hash, one of the wrong shape, a comment too long. details: field, given."""


class TelemetryDisabledError(ConfigurationError):
    """Feedback asked for while telemetry is off: there is nowhere it is kept."""


class Telemetry:
    """Where one project's events go: `config`, and the process's writer for that directory (None when off)."""

    def __init__(self, config: TelemetryConfig, table_target: ConnectionSettings | None = None) -> None:
        """table_target: the PostgreSQL target mode `table` writes to (see `resolve`)."""
        self.config = config
        self._key_secret: bytes | None = None
        self.writer: EventWriter | None = None
        if config.mode == "table":
            if table_target is None:
                raise ConfigurationError("telemetry mode 'table' needs the project's dbt profile to find its table",
                                         hint="open the project with GroundingProject.open (or Telemetry.resolve "
                                              "with project_dir)", mode="table")
            from dbt_grounding.telemetry.table_sink import TableSink  # the warehouse package, only in this mode

            sink = TableSink(table_target)
            output = table_target.settings
            identity = ("table", output["host"], output.get("port"), output["database"], output["user"], sink.schema)
            self.writer = shared_writer(identity, lambda: EventWriter(sink, capacity=config.queue_size))
        elif config.enabled and config.directory is not None:
            identity = (config.mode, str(config.directory), config.max_bytes)
            self.writer = shared_writer(identity, lambda: EventWriter(
                JsonlSink(config.directory, max_bytes=config.max_bytes), capacity=config.queue_size))

    @classmethod
    def resolve(cls, setting: str | TelemetryConfig | Telemetry | None, target_path: Path, *,
                project_dir: Path | None = None, profiles_dir: Path | None = None,
                target: str | None = None) -> Telemetry:
        """The telemetry `setting` names; in mode `table` the target of the project's profile (project_dir,
        profiles_dir, target as dbt takes them) is read here, so a DuckDB target fails at open, not in the writer.

        Raises:
            ConfigurationError: an unknown mode; mode table on a DuckDB (or other non-PostgreSQL) target, or
                without project_dir, or a profile that cannot be read.
        """
        if isinstance(setting, Telemetry):
            return setting
        config = resolve_config(setting, target_path)
        if config.mode != "table":
            return cls(config)
        if project_dir is None:
            return cls(config)  # raises: no profile to read
        from dbt_grounding.telemetry.table_sink import table_settings
        from dbt_grounding.warehouse.profile import load_connection_settings

        return cls(config, table_settings(load_connection_settings(project_dir, profiles_dir, target)))

    @property
    def enabled(self) -> bool:
        return self.writer is not None

    @property
    def dropped(self) -> int:
        """Events dropped because the queue was full (the writer could not keep up)."""
        return self.writer.dropped if self.writer is not None else 0

    def submit(self, pending) -> None:
        if self.writer is not None:
            if hasattr(pending, "key_secret"):
                pending.key_secret = self.key_secret()
            self.writer.put(pending)

    def key_secret(self) -> bytes:
        """The secret key hashes are keyed with: read from (or made once in) the telemetry folder, so one key hashes
        the same in every process writing there, and only someone who can read the folder's secret file can test a
        guess. A folder that cannot hold it gets a secret for this process alone (never an error)."""
        if self._key_secret is None:
            self._key_secret = _folder_secret(self.config.directory / KEY_SECRET_FILE)
        return self._key_secret

    def flush(self, timeout: float = 5.0) -> bool:
        return self.writer.flush(timeout) if self.writer is not None else True

    def record_feedback(self, *, rating: str, request_id: str | None = None, document_hash: str | None = None,
                        comment: str | None = None) -> str:
        """Queue a feedback event; returns its feedback_id.

        Raises:
            InvalidFeedbackError: see the class.
            TelemetryDisabledError: telemetry is off.
        """
        check_feedback(rating=rating, request_id=request_id, document_hash=document_hash, comment=comment)
        if self.writer is None:
            raise TelemetryDisabledError(
                "telemetry is off, so feedback is not kept anywhere",
                hint="turn it on: DBT_GROUNDING_TELEMETRY=jsonl or table (or telemetry='jsonl', --telemetry jsonl)")
        feedback_id = uuid.uuid4().hex
        self.writer.put(partial(feedback_event, feedback_id, datetime.now(timezone.utc), request_id=request_id,
                                document_hash=document_hash, rating=rating, comment=comment))
        return feedback_id


def check_feedback(*, rating: str, request_id: str | None, document_hash: str | None, comment: str | None) -> None:
    if rating not in RATINGS:
        raise InvalidFeedbackError(f"rating {rating!r} is not up or down", hint="rate a request 'up' or 'down'",
                                   field="rating", given=rating)
    if request_id is None and document_hash is None:
        raise InvalidFeedbackError("feedback names neither a request id nor a document hash",
                                   hint="give the request_id a result carried, or the sha256 of the document served",
                                   field="request_id")
    if request_id is not None and not (isinstance(request_id, str) and REQUEST_ID.fullmatch(request_id)):
        raise InvalidFeedbackError(f"request id {str(request_id)[:80]!r} is not 32 lowercase hex digits",
                                   hint="copy the request_id exactly as the result gave it", field="request_id",
                                   given=str(request_id)[:80])
    if document_hash is not None and not (isinstance(document_hash, str) and DOCUMENT_HASH.fullmatch(document_hash)):
        raise InvalidFeedbackError(f"document hash {str(document_hash)[:80]!r} is not a sha256 (64 lowercase hex "
                                   "digits)", hint="give the sha256 hex digest of the document text served",
                                   field="document_hash", given=str(document_hash)[:80])
    if comment is not None and (not isinstance(comment, str) or len(comment) > MAX_COMMENT):
        raise InvalidFeedbackError(f"the comment is not text of at most {MAX_COMMENT} characters",
                                   hint=f"shorten the comment to {MAX_COMMENT} characters", field="comment")


KEY_SECRET_FILE = ".key_hash_secret"


def _folder_secret(path: Path) -> bytes:
    try:
        return bytes.fromhex(path.read_text().strip())
    except (OSError, ValueError):
        pass
    secret = os.urandom(32)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(secret.hex())
    except FileExistsError:  # another process made it first: use theirs
        try:
            return bytes.fromhex(path.read_text().strip())
        except (OSError, ValueError):
            return secret
    except OSError:
        return secret
    return secret

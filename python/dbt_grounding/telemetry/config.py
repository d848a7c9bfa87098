"""Whether and where request events are written: `DBT_GROUNDING_TELEMETRY=off|jsonl|table` (default jsonl), the
`telemetry=` argument of GroundingProject.open, the CLI's `--telemetry`. `table`: rows of the PostgreSQL target of
the project's profile (telemetry.table_sink), where the monitoring models read them on that engine.

On by default: the feedback loop and the monitoring models (issue 15) need the requests from the first day, and
an event holds nothing a log should not: keys and questions are hashed, the question kept only with e-mails and
phone numbers scrubbed (raw text only with DBT_GROUNDING_TELEMETRY_RAW=1), all under the target folder dbt already
owns (and `dbt clean` removes).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from dbt_grounding.errors import ConfigurationError

MODE_ENV = "DBT_GROUNDING_TELEMETRY"
DIR_ENV = "DBT_GROUNDING_TELEMETRY_DIR"
RAW_ENV = "DBT_GROUNDING_TELEMETRY_RAW"
MODES = ("off", "jsonl", "table")
DEFAULT_MODE = "jsonl"
DEFAULT_MAX_BYTES = 16 * 1024 * 1024  # a live file this large is rotated: readers glob requests-*.jsonl
DEFAULT_QUEUE = 10_000  # events waiting for the writer thread; beyond, events are dropped and counted


@dataclass(frozen=True)
class TelemetryConfig:
    """mode: off, jsonl or table; directory: where the files go (in mode table only the key-hash secret);
    raw_questions: keep questions unscrubbed (opt-in)."""

    mode: str = DEFAULT_MODE
    directory: Path | None = None
    max_bytes: int = DEFAULT_MAX_BYTES
    queue_size: int = DEFAULT_QUEUE
    raw_questions: bool = False

    @property
    def enabled(self) -> bool:
        return self.mode != "off"


def default_directory(target_path: Path) -> Path:
    return Path(target_path) / "dbt_grounding" / "telemetry"


def resolve_config(setting: str | TelemetryConfig | None, target_path: Path) -> TelemetryConfig:
    """The configuration `setting` names (a mode, a TelemetryConfig, or None for the environment's), its directory
    defaulting to DBT_GROUNDING_TELEMETRY_DIR, else <target-path>/dbt_grounding/telemetry.

    Raises:
        ConfigurationError: a mode that is not one of MODES.
    """
    if isinstance(setting, TelemetryConfig):
        config = setting
    else:
        mode = (setting if setting is not None else os.environ.get(MODE_ENV, "") or DEFAULT_MODE).strip().lower()
        if mode not in MODES:
            raise ConfigurationError(
                f"telemetry mode {mode!r} is not one of {', '.join(MODES)}",
                hint=f"set {MODE_ENV} (or telemetry=, --telemetry) to off, jsonl or table", given=mode,
                expected=list(MODES),
            )
        config = TelemetryConfig(mode=mode, raw_questions=os.environ.get(RAW_ENV, "") in ("1", "true", "yes"))
    if config.directory is None:
        configured = os.environ.get(DIR_ENV)
        directory = Path(configured) if configured else default_directory(target_path)
        config = TelemetryConfig(config.mode, directory, config.max_bytes, config.queue_size, config.raw_questions)
    return config

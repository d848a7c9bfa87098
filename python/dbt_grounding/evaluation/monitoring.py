"""Whether monitoring is configured for the audit: a telemetry log folder beside the artifacts
(`<target>/dbt_grounding/telemetry/`), `$DBT_GROUNDING_TELEMETRY_DIR`, a `grounding_telemetry.yml` beside
dbt_project.yml, or a path the caller names."""

from __future__ import annotations

import os
from pathlib import Path

TELEMETRY_DIR = Path("dbt_grounding") / "telemetry"
CONFIG_FILES = ("grounding_telemetry.yml", "grounding_sla.yml")


def monitoring_configured(project_dir: Path, target_path: Path, explicit: Path | None = None) -> tuple[bool, str]:
    """(configured, the evidence or what was looked for)."""
    candidates = [explicit] if explicit is not None else []
    if os.environ.get("DBT_GROUNDING_TELEMETRY_DIR"):
        candidates.append(Path(os.environ["DBT_GROUNDING_TELEMETRY_DIR"]))
    candidates += [target_path / TELEMETRY_DIR] + [project_dir / name for name in CONFIG_FILES]
    for path in candidates:
        if path.exists():
            return True, f"configured ({_shown(path, project_dir)})"
    return False, "not configured (no telemetry folder or settings found)"


def _shown(path: Path, project_dir: Path) -> str:
    try:
        return str(path.resolve().relative_to(project_dir.resolve()))
    except ValueError:
        return path.name

"""Whether monitoring is configured, for the production threshold audit: both halves of the loop must exist.

1. Requests are logged: telemetry is on (DBT_GROUNDING_TELEMETRY is not `off`; telemetry.config), or a telemetry
   folder or settings file the caller names exists.
2. An SLA is defined: the manifest holds at least one `sla_not_breached` test (the package's monitoring marts ship
   four, README "Monitoring"), so `dbt build` alerts when the SLA breaks.

The existence of the telemetry folder alone proves nothing: the eval run itself, or any earlier request, makes it.
"""

from __future__ import annotations

from pathlib import Path

from dbt_grounding.artifacts.manifest import Manifest

SLA_TEST = "sla_not_breached"


def monitoring_configured(manifest: Manifest, target_path: Path, explicit: Path | None = None) -> tuple[bool, str]:
    """(configured, the evidence or what is missing)."""
    from dbt_grounding.telemetry.config import resolve_config

    if explicit is not None:
        logged = explicit.exists()
        logging = f"telemetry at {explicit.name}" if logged else f"{explicit.name} does not exist"
    else:
        logged = resolve_config(None, target_path).enabled
        logging = "telemetry on" if logged else "telemetry off (DBT_GROUNDING_TELEMETRY=off)"
    sla_tests = sorted(node.name for node in manifest.nodes.values()
                       if node.resource_type == "test" and node.test_metadata is not None
                       and node.test_metadata.name == SLA_TEST)
    sla = f"{len(sla_tests)} SLA tests" if sla_tests else f"no {SLA_TEST} test in the project"
    return logged and bool(sla_tests), f"{'configured' if logged and sla_tests else 'not configured'} ({logging}; {sla})"

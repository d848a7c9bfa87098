"""A server's warm-up: what the first calls would otherwise compute, done in a background thread while the `mcp`
SDK is imported and the client's handshake answered (`dbt-grounding serve`).

Importing the SDK holds the GIL, but most of what a first document needs does not: opening the DuckDB file and the
queries of the schema check and of the known person names run in DuckDB's own code, on the machine's other core. So
the warm-up decodes the artifacts, makes the argument validators and, on a published build (a copy no build ever
writes, held open for good), opens the warehouse, reads the known names and checks the schema of every mart the
server's role may be served, as the first call of each would. Each result is what a call computes once per process
anyway (serving.Serving's caches, SchemaChecker's matched relations while the held connection vouches for them):
calls still check, fetch and render everything per key. A warehouse read in place is not primed: a dbt build may
need its file, and PostgreSQL or Spark would be connected (a Spark session started) before anyone asks.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from dbt_grounding.agent.api import prepare_validators
from dbt_grounding.errors import GroundingError

if TYPE_CHECKING:
    from dbt_grounding.agent.live import LiveProject
    from dbt_grounding.project import GroundingProject


def warm_up(live: LiveProject) -> None:
    """The artifacts decoded, the argument validators made and a published build's marts checked before the first
    call; unusable artifacts are each call's error (and a warning here), not the end of the server."""
    try:
        with live.using() as project:
            for warning in project.warnings:
                print(f"warning: {warning}", file=sys.stderr)
            prime_published(project)
    except GroundingError as error:
        print(f"warning: {error.message} (every tool call will say so until the artifacts can be read)",
              file=sys.stderr)
    prepare_validators()


def prime_published(project: GroundingProject) -> None:
    """On a published build: the held connection opened, the known person names read and each mart the role may be
    served checked against the schema its build produced. A problem found here (drift, an unreadable mart) is left to
    the call that meets it, which checks again and says so."""
    if project.published is None:
        return
    serving = project.serving
    try:
        warehouse = project.warehouse()
        serving.known_names()
        for mart in project.access.readable(project.grounding_models()):
            try:
                serving.schemas.check(warehouse, mart, upstream=serving.check_upstream)
                serving.test_statuses(mart.unique_id)
            except GroundingError:
                continue
    except GroundingError:
        return

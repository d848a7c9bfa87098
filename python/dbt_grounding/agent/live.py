"""One warm GroundingProject for a long-running server, swapped for a fresh one when dbt rewrites the artifacts.

Every call compares the artifacts' stat signature (size, mtime, inode of manifest.json, run_results.json,
catalog.json, sources.json: microseconds) with the one the project was loaded from. When it changed, a new project
is loaded completely before it replaces the old one, so a call sees one build's artifacts or the next's, never a
mix; calls still running on the old project finish on it, and its warehouse (with its held connection) is closed
when the last of them ends.

dbt writes an artifact in place, so a load may meet a file being written: it is retried while the files keep
changing (~2 s at most), and a load that still fails is the calls' error (ArtifactError) until the files change.

With `published`, calls are served from the last published build (dbt-grounding publish: a copy of the grounding
marts no build ever writes, held open), and each build dbt finishes is audited by the gate and published in the
background; a build the gate refuses is never served (`last_publish` says why). While a dbt command runs nothing is
published, and with `build_nice` the process's CPU share is lowered (agent.build_priority).

Otherwise the DuckDB connection is held between calls (`hold_ms`) for latency, except while manifest.json is newer than
run_results.json: dbt writes manifest.json when it has parsed the project and run_results.json when it ends, so in
between a dbt command is usually running and may need the file's write lock. Then each operation opens and closes
its own connection (warehouse.duckdb: short connections leave the file free between them).

A call may be served as another role than the server's (`using(role=)`: the HTTP server's connections, each the role
of its bearer token): each loaded project keeps one view per role (GroundingProject.for_role), so every role is warm,
and all of them share the one load, publisher and held connection.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from dbt_grounding.agent.build_priority import BuildPriority
from dbt_grounding.artifacts import locate_target_path
from dbt_grounding.errors import ArtifactError, GroundingError
from dbt_grounding.grounding.roles import Roles, load_roles
from dbt_grounding.project import GroundingProject, utc_now
from dbt_grounding.telemetry import Telemetry

WATCHED = ("manifest.json", "run_results.json", "catalog.json", "sources.json")
LOAD_ATTEMPTS = 20
LOAD_RETRY_S = 0.1
DEFAULT_HOLD_MS = 1000.0

Signature = tuple[tuple[str, int, int, int] | tuple[str], ...]


@dataclass
class _Loaded:
    project: GroundingProject
    signature: Signature
    users: int = 0
    retired: bool = False
    views: dict[str, GroundingProject] = field(default_factory=dict)  # role name -> project.for_role(role)


class LiveProject:
    """A dbt project's current artifacts, reloaded when they change on disk.

    Thread-safe: calls may run in several threads; loading happens in one of them while the others wait.

    Attributes:
        loads: how many times artifacts were loaded (the first load included).
        failed_loads: how many loads ended in an error (each after its retries).
    """

    def __init__(self, project_dir: str | Path = ".", *, target_path: str | Path | None = None,
                 profiles_dir: str | Path | None = None, target: str | None = None,
                 hold_ms: float = DEFAULT_HOLD_MS, clock=utc_now, role: str | None = None,
                 published: bool | Literal["duckdb"] = False, telemetry: Any = None,
                 build_nice: int = 0) -> None:
        """
        Args:
            role: the role every call is served as (grounding.roles; default DBT_GROUNDING_ROLE, else public).
            published: serve the last published build (publish.reading) and publish each new build the gate passes,
                in the background, when dbt rewrites the artifacts (write-audit-publish: a build never waits for
                readers, and a failing build is never served). "duckdb" (what `dbt-grounding serve` passes): the
                same for a DuckDB project, in place for PostgreSQL and Spark, whose readers a build does not block.
                False: the warehouse in place, the connection held between calls (`hold_ms`) except while a dbt
                command runs.
            telemetry: as GroundingProject.open's, resolved once: every project loaded writes to the same place.
            build_nice: with `published`, the process's scheduling group's nice value while a dbt command runs
                (agent.build_priority: a server started in a session of its own, as MCP clients start them); 0
                leaves the CPU share alone.

        Raises:
            ConfigurationError: project_dir's dbt_project.yml cannot be read to find the target path; no such role.
        """
        self.project_dir = Path(project_dir)
        self._target_path_arg = target_path
        self.target_path = locate_target_path(self.project_dir, target_path).path
        self.roles: Roles = load_roles(self.project_dir)
        self.role = self.roles.resolve(role).name  # a role that does not exist fails at start
        self._open_options: dict[str, Any] = {"target_path": target_path, "profiles_dir": profiles_dir,
                                              "target": target, "clock": clock, "role": self.role,
                                              "marts_only": True,  # agents are served grounding marts only
                                              "published": bool(published),
                                              "telemetry": Telemetry.resolve(
                                                  telemetry, self.target_path, project_dir=self.project_dir,
                                                  profiles_dir=profiles_dir, target=target)}
        self.telemetry = self._open_options["telemetry"]  # also for calls no project answers (agent.api.run_tool)
        self.published = bool(published)
        self._published_when_duckdb = published == "duckdb"
        self._clock = clock
        self._publishing: threading.Thread | None = None
        self._publish_lock = threading.Lock()
        self._build_seen: Signature | None = None
        self.priority = BuildPriority(build_nice)
        self.last_publish: Any = None  # the last publish attempt's Publication, or the GroundingError that stopped it
        self.hold_ms = hold_ms
        self._lock = threading.Lock()
        self._current: _Loaded | None = None
        self._failed: tuple[Signature, GroundingError] | None = None
        self.loads = 0
        self.failed_loads = 0

    def signature(self) -> Signature:
        """What the served project was loaded from: the artifacts, or with `published` the store's pointer."""
        if self.published:
            return self._stats(self.target_path / "dbt_grounding" / "published", ("current.json",))
        return self.build_signature()

    def build_signature(self) -> Signature:
        return self._stats(self.target_path, WATCHED)

    @staticmethod
    def _stats(folder: Path, names: tuple[str, ...]) -> Signature:
        entries = []
        for name in names:
            try:
                stat = os.stat(folder / name)
            except OSError:
                entries.append((name,))
            else:
                entries.append((name, stat.st_size, stat.st_mtime_ns, stat.st_ino))
        return tuple(entries)

    @contextmanager
    def using(self, role: str | None = None) -> Iterator[GroundingProject]:
        """The current project for the duration of one call, as `role` (a role's name; default the server's).

        Raises:
            ArtifactError, ConfigurationError: the artifacts on disk cannot be loaded; no such role.
        """
        loaded = self._acquire()
        try:
            yield loaded.project if role is None or role == self.role else self._view(loaded, role)
        finally:
            self._release(loaded)

    def warm(self) -> bool:
        """Whether a call now is answered from the published build already loaded, on its held connection, with
        nothing to load, reload or publish first (a few stat calls; agent.mcp_server answers such calls on its event
        loop). False in place (a connection per call while dbt runs, or a remote warehouse) and before the first
        load."""
        current = self._current
        return (self.published and current is not None and not current.retired
                and current.signature == self.signature() and self.build_signature() == self._build_seen)

    def close(self) -> None:
        with self._lock:
            if self._current is not None:
                self._retire(self._current)
                self._current = None

    # ------------------------------------------------------------------ internals

    def publish(self) -> Any:
        """Audit and publish the target folder's last build now (publish.publish_project); returns the Publication.

        Raises:
            PublishRefusedError: the gate refused it; and what publish_project raises.
        """
        from dbt_grounding.checks.lock import LOCK_FILE
        from dbt_grounding.publish import publish_project

        options = {key: value for key, value in self._open_options.items() if key not in ("published", "marts_only")}
        with GroundingProject.open(self.project_dir, **options, published=False) as project:  # the build, in place
            if project.adapter != "duckdb" and self._published_when_duckdb:
                # PostgreSQL and Spark isolate readers from a running build themselves: served in place
                self.published = self._open_options["published"] = False
                return None
            return publish_project(project, lock_path=self.project_dir / LOCK_FILE, clock=self._clock,
                                   audit_again=False)

    def _publish_when_built(self) -> None:
        """With `published`: a build dbt finished since the last attempt is published in the background (the calls
        go on being served from the last published build meanwhile); the first call waits for the first one."""
        build = self.build_signature()
        running = _running(build)
        self.priority.building(running)

        def attempt() -> None:
            try:
                self.last_publish = self.publish()
            except Exception as error:  # noqa: BLE001 - a background thread: kept for the calls to report
                self.last_publish = error

        if self._current is not None and running:
            # a dbt command is running: publishing would be refused, and even that attempt (a thread, the artifacts
            # read) is CPU the build needs; the build's end (run_results.json) changes the signature again
            return
        with self._publish_lock:  # calls in several threads (the server warming up while the first call comes in)
            if build != self._build_seen and not (self._publishing is not None and self._publishing.is_alive()):
                self._build_seen = build
                self._publishing = threading.Thread(target=attempt, name="dbt-grounding-publish", daemon=True)
                self._publishing.start()
            publishing = self._publishing
        if self._current is None and publishing is not None:  # nothing served yet: every caller waits for it
            publishing.join()

    def _acquire(self) -> _Loaded:
        if self.published:
            self._publish_when_built()
        signature = self.signature()
        with self._lock:
            current = self._current
            if current is None or current.signature != signature:
                if self._failed is not None and self._failed[0] == signature:
                    raise self._failed[1]
                try:
                    fresh = self._load(signature)
                except GroundingError as failure:
                    self.failed_loads += 1
                    error = failure
                    if self.published and current is None and isinstance(self.last_publish, GroundingError):
                        error = self.last_publish  # nothing published yet: why the last build was not
                    self._failed = (self.signature(), error)
                    raise error from None
                self._failed = None
                if current is not None:
                    self._retire(current)
                self._current = current = fresh
            current.users += 1
            return current

    def _view(self, loaded: _Loaded, role: str) -> GroundingProject:
        with self._lock:
            view = loaded.views.get(role)
            if view is None:
                view = loaded.views[role] = loaded.project.for_role(self.roles.resolve(role))
            return view

    def _release(self, loaded: _Loaded) -> None:
        with self._lock:
            loaded.users -= 1
            if loaded.retired and loaded.users == 0:
                loaded.project.close()

    def _retire(self, loaded: _Loaded) -> None:
        loaded.retired = True
        if loaded.users == 0:
            loaded.project.close()  # releases its held warehouse connection

    def _load(self, signature: Signature) -> _Loaded:
        """The project as the files are now; retried while a file being written makes them unreadable."""
        for attempt in range(LOAD_ATTEMPTS):
            try:
                project = GroundingProject.open(self.project_dir, **self._open_options)
            except ArtifactError:
                if attempt == LOAD_ATTEMPTS - 1:
                    raise
                time.sleep(LOAD_RETRY_S)
                signature = self.signature()
                continue
            if project.adapter == "duckdb" and not self.published:  # a published copy is never written: held
                project.warehouse_options["hold_ms"] = self._hold_ms(signature)
            self.loads += 1
            after = self.signature()
            # rewritten while it was read: keep it (it is whole), but remember the older signature so the next
            # call loads again
            return _Loaded(project, signature if after == signature else ())
        raise AssertionError("unreachable")

    def _hold_ms(self, signature: Signature) -> float:
        """hold_ms, or 0 while manifest.json is newer than run_results.json (a dbt command is likely running)."""
        return 0.0 if _running(signature) else self.hold_ms


def _running(signature: Signature) -> bool:
    """manifest.json newer than run_results.json: dbt writes the first when a command has parsed and the second when
    it ends, so a command is usually running (publish refuses such a build: publisher._refuse_while_running)."""
    stats = {entry[0]: entry for entry in signature}
    manifest, run_results = stats["manifest.json"], stats["run_results.json"]
    return len(manifest) > 1 and len(run_results) > 1 and manifest[2] > run_results[2]

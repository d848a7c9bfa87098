"""`dbt-grounding publish`: audit the last build with the gate, then copy its grounding marts into the serving store.

Write (dbt build), audit (the gate: drift of every layer, freshness, test and build status, the lock), publish (this
module): a build the gate refuses is never published, so agents keep the last good data. Only DuckDB needs it:
PostgreSQL and Spark isolate readers from a running build themselves (MVCC, table snapshots), and read in place.

What is published is one build, whole: the artifacts the gate judged and the marts' data, copied while the copy holds
the DuckDB file read-only (no build can write between two marts). dbt writes manifest.json when a command has parsed
and run_results.json when it ends, so a command running now shows as a manifest.json newer than run_results.json,
and one that started after the audit as artifacts that changed on disk: both are refused, as the warehouse may
then hold another build's data (or half of one) than the gate judged.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from dbt_grounding.artifacts.run_results import parse_utc
from dbt_grounding.artifacts.state import state_dir
from dbt_grounding.errors import ConfigurationError, ExitCode, GroundingError
from dbt_grounding.grounding.drift import relation_of
from dbt_grounding.publish.copy import copy_relations
from dbt_grounding.publish.store import (
    PUBLISHED_DIR, SNAPSHOT_DATABASE, GateVerdict, PublishedBuild, published_dir, prune, read_current,
    read_record, snapshot_name, write_current, write_record,
)

__all__ = ["PublishRefusedError", "Publication", "publish", "publish_project"]

ARTIFACT_FILES = ("manifest.json", "run_results.json", "catalog.json", "sources.json")


class PublishRefusedError(GroundingError):
    """The build was not published: the gate found errors in it, or it changed while being published. Agents keep
    reading the last published build. details: findings (rule, node, message) or reason."""

    exit_code = ExitCode.FINDINGS


@dataclass(frozen=True)
class Publication:
    """What `publish` did: the build now current, and whether it was copied now or had been published before."""

    build: PublishedBuild
    copied: bool
    pruned: list[str]


def publish_project(project, *, lock_path: Path, clock: Callable[[], datetime],
                    audit_again: bool = True) -> Publication:
    """Audit the project's last build with the CI gate (checks.verdict: every check of `dbt-grounding check`,
    the lock's included when `lock_path` exists), then publish it (see `publish`). With `audit_again=False` a build
    already published is left as it is without a new audit (the servers of one project, which all see it end).

    Raises:
        as `publish`, and what the gate raises (ConfigurationError for a profile that cannot be used).
    """
    from dbt_grounding.checks.verdict import gate_verdict

    target = project.artifacts.target_path
    _refuse_while_running(target)  # before the gate: its warehouse checks would stand in a running build's way
    with _one_publisher(target):  # several servers of one project see the same build end: one audits it
        build = project.artifacts.builds.last_build()
        done = _published_before(target, build) if build is not None and not audit_again else None
        if done is not None:
            return done
        verdict = gate_verdict(project, None, use_warehouse=True, lock_path=lock_path)
        lock_interface = hashlib.sha256(lock_path.read_bytes()).hexdigest() if lock_path.is_file() else None
        return publish(project, verdict.findings, clock=clock, lock_interface=lock_interface)


@contextmanager
def _one_publisher(target: Path) -> Iterator[None]:
    """An exclusive lock on the store (flock on published/.lock) for the length of one publish, across processes;
    the kernel releases it when a holder dies. Where fcntl does not exist (Windows), publishes are not serialised."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - POSIX only
        yield
        return
    folder = published_dir(target)
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _published_before(target: Path, build) -> Publication | None:
    """The Publication when `build` is the current published build, or was published before (made current again)."""
    name = snapshot_name(parse_utc(build.generated_at), build.invocation_id)
    current = read_current(target)
    if current is not None and current.snapshot == name:
        return Publication(current, copied=False, pruned=prune(target, keep=name))
    earlier = read_record(published_dir(target) / name)
    if earlier is not None:  # published before, then another build was: make it current again
        write_current(target, earlier)
        return Publication(earlier, copied=False, pruned=prune(target, keep=name))
    return None


def _refuse_while_running(target: Path) -> None:
    if _newer(target / "manifest.json", target / "run_results.json"):
        # dbt writes manifest.json when it has parsed and run_results.json when it ends: a command is running (or
        # one that builds nothing, `dbt ls`/`dbt parse`, ran since): the warehouse may hold half a build
        raise PublishRefusedError(
            "manifest.json is newer than run_results.json: a dbt command is running, or one that builds nothing "
            "(dbt parse, dbt ls) ran after the last build, so the warehouse may not hold the build the gate judged.",
            hint="Publish once the build ends, or after the next `dbt build`.", reason="running",
        )


def publish(project, findings, *, clock: Callable[[], datetime], lock_interface: str | None = None) -> Publication:
    """Publish the project's last build when the gate's `findings` on it hold no error.

    Args:
        project: an open GroundingProject on the build's target folder.
        findings: the gate's findings for the project's grounding marts (checks.gate + the lock's).
        clock: the current UTC time.
        lock_interface: the hash of grounding.lock.json's interface, recorded beside the build.

    Raises:
        PublishRefusedError: error findings, no build recorded, or the build changed while being copied.
        ConfigurationError: the project is not on DuckDB (other engines read in place).
        WarehouseError: the DuckDB file cannot be read (held by a writer past the wait, a mart missing).
    """
    if project.adapter != "duckdb":
        raise ConfigurationError(
            f"Publishing is for DuckDB projects; this one is built on {project.adapter}, whose readers are isolated "
            "from a running build already.",
            hint="Serve it in place: `dbt-grounding serve` reads the warehouse directly.", adapter=project.adapter,
        )
    errors = sorted((f for f in findings if f.level.value == "error"), key=lambda f: f.sort_key())
    if errors:
        raise PublishRefusedError(
            f"The gate found {len(errors)} error(s) in the last build; it is not published and agents keep the last "
            f"published build. First: {errors[0].code} {errors[0].message}",
            hint="Fix them (`dbt-grounding check` lists them), rebuild, and publish again.",
            findings=[{"rule": f.code, "node": f.node, "message": f.message} for f in errors],
        )
    build = project.artifacts.builds.last_build()
    if build is None:
        raise PublishRefusedError("No build of this project is recorded, so there is nothing to publish.",
                                  hint="Run `dbt build`, then publish.", reason="no build")
    target = project.artifacts.target_path
    name = snapshot_name(parse_utc(build.generated_at), build.invocation_id)
    folder = published_dir(target) / name
    done = _published_before(target, build)
    if done is not None:
        return done

    marts = sorted(project.grounding_models(), key=lambda node: node.unique_id)
    warehouse = project.warehouse()
    warehouse_path = warehouse.path
    warehouse.close()  # DuckDB refuses a second handle on one file in one process: the copy attaches it itself
    seen = _signature(target)
    _refuse_while_running(target)
    temporary = published_dir(target) / f".tmp-{name}-{os.getpid()}"
    shutil.rmtree(temporary, ignore_errors=True)
    temporary.mkdir(parents=True)
    try:
        def unchanged() -> None:  # called once the copy holds the file: no writer can start now
            if _signature(target) != seen:
                raise PublishRefusedError(
                    "A dbt command rewrote the artifacts while publishing; the build the gate judged is not the "
                    "one in the warehouse any more.",
                    hint="Publish again once it ends (publishing audits the new build first).", reason="changed",
                )
            _copy_artifacts(target, temporary)

        marts_copied = copy_relations(warehouse_path, temporary / SNAPSHOT_DATABASE,
                                      [(node.unique_id, relation_of(node)[1], relation_of(node)[2]) for node in marts],
                                      before_copy=unchanged)
        record = PublishedBuild(
            snapshot=name,
            invocation_id=build.invocation_id,
            built_at=build.generated_at,
            published_at=clock().strftime("%Y-%m-%dT%H:%M:%SZ"),
            project_name=project.manifest.metadata.project_name or "",
            adapter=project.adapter,
            marts=marts_copied,
            verdict=GateVerdict(errors=0, warnings=sum(f.level.value == "warn" for f in findings),
                                warning_rules=sorted({f.code for f in findings if f.level.value == "warn"})),
            lock_interface=lock_interface,
        )
        write_record(temporary, record)
        shutil.rmtree(folder, ignore_errors=True)  # an incomplete folder (no record) left by an interrupted publish
        os.replace(temporary, folder)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise
    write_current(target, record)
    return Publication(record, copied=True, pruned=prune(target, keep=name))


def _copy_artifacts(target: Path, destination: Path) -> None:
    """The artifacts the gate judged, and the toolkit's remembered state of the build (not the store itself)."""
    for name in ARTIFACT_FILES:
        if (target / name).is_file():
            shutil.copy2(target / name, destination / name)
    shutil.copytree(state_dir(target), state_dir(destination), dirs_exist_ok=True,
                    ignore=lambda folder, names: [PUBLISHED_DIR] if Path(folder) == state_dir(target) else [])


def _signature(target: Path) -> tuple:
    return tuple(_stat(target / name) for name in ARTIFACT_FILES)


def _stat(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return stat.st_size, stat.st_mtime_ns


def _newer(path: Path, than: Path) -> bool:
    first, second = _stat(path), _stat(than)
    return first is not None and second is not None and first[1] > second[1]

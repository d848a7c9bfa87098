"""The last build results of every node, remembered beside the artifacts, because dbt forgets them.

dbt rewrites run_results.json on every command that runs nodes: after `dbt build` then `dbt docs generate` (or
`dbt compile`, `dbt show`) it holds compile results in which every model "succeeded" and no test ran. So each time
the toolkit opens a target folder whose run_results.json comes from a build command (run_results.BUILD_COMMANDS), it
merges those results, node by node, into `<target-path>/dbt_grounding/build_results.json`; results of any other
command are never build results and are never merged.

Each node's entry keeps dbt's status, when it completed, the invocation, and the node's checksum in the manifest
written by that invocation: an entry describes a node of the current manifest only while the checksums agree (the
node's code has not changed since). A build whose manifest.json was already overwritten when the toolkit first saw
its run_results.json (`dbt build`, then `dbt source freshness`, `dbt ls` or `dbt parse`, then the toolkit) takes a
node's checksum from the current manifest only when the node's file has not been modified since the build started
(its mtime in the project directory); otherwise nothing shows the build ran the current code, and the node's status
is unknown.

A test result counts only while no node it tests was rebuilt after it ran (`dbt build`, then `dbt run`: the tests
describe data that is gone). Results of a build run with `--empty` or `--sample` mark the nodes built without
their data, and their tests are not recorded.

Limits: a build is remembered only if the toolkit opened the folder before another dbt command overwrote
run_results.json (or the next command leaves it alone: `dbt docs generate --no-compile`, `dbt ls`, `dbt parse`);
checksums cover a node's SQL file, not vars or macros it calls. The file is written atomically (temporary file,
then rename); an unreadable or corrupt file is ignored with a warning and rebuilt from the next build.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import msgspec

from dbt_grounding.artifacts.manifest import Manifest, Node
from dbt_grounding.artifacts.run_results import RunResults, parse_utc
from dbt_grounding.artifacts.state import atomic_write, state_dir

RECORD_FORMAT = 1
BUILT_EMPTY = "built without data"  # the status recorded for nodes of an --empty / --sample build


def record_file(target_path: Path) -> Path:
    return state_dir(target_path) / "build_results.json"


class RecordedInvocation(msgspec.Struct, frozen=True):
    invocation_id: str
    command: str  # run_results args.which
    started_at: str
    generated_at: str
    invocation_command: str | None = None
    project_dir: str | None = None
    with_manifest: bool = False  # its own manifest.json was read with it: the checksums are that build's


class RecordedResult(msgspec.Struct, frozen=True):
    status: str
    invocation_id: str
    completed_at: str | None = None
    checksum: str | None = None  # the node's checksum at build time; None when that manifest was not seen
    failures: int | None = None


class _Record(msgspec.Struct):
    format: int = RECORD_FORMAT
    invocations: dict[str, RecordedInvocation] = {}
    results: dict[str, RecordedResult] = {}


@dataclass(frozen=True)
class NodeBuild:
    """What is known of a node's last build.

    Attributes:
        status: dbt's status of its last build (success, error, skipped...), None when unknown.
        completed_at: when that build of the node completed (UTC).
        command: the dbt command that built it (build, run, seed, snapshot).
        unknown: why the status is unknown; None when known.
    """

    unique_id: str
    status: str | None
    completed_at: datetime | None = None
    command: str | None = None
    unknown: str | None = None

    @property
    def succeeded(self) -> bool:
        return self.status == "success"


class BuildRecord:
    """The build results remembered for a target folder, read against the current manifest."""

    def __init__(self, record: _Record, manifest: Manifest, run_results: RunResults | None) -> None:
        self._record = record
        self._manifest = manifest
        self._run_results = run_results

    @property
    def invocations(self) -> dict[str, RecordedInvocation]:
        return dict(self._record.invocations)

    def last_build(self) -> RecordedInvocation | None:
        """The most recent build invocation remembered (where it ran tells where its relative paths point)."""
        return max(self._record.invocations.values(), key=lambda i: i.started_at, default=None)

    def node(self, unique_id: str) -> NodeBuild:
        """The node's last build, or why it is unknown. A source has neither: dbt loads nothing into it (its age is
        its loader's business: `loaded_at_field`, `dbt source freshness`)."""
        if unique_id in self._manifest.sources:
            return NodeBuild(unique_id, None)
        entry = self._record.results.get(unique_id)
        node = self._manifest.nodes.get(unique_id)
        if entry is None:
            return NodeBuild(unique_id, None, unknown=self._why_never_recorded())
        invocation = self._record.invocations.get(entry.invocation_id)
        if entry.checksum is None:
            return NodeBuild(unique_id, None, unknown=(
                f"its last build (`dbt {invocation.command if invocation else 'build'}`, invocation "
                f"{entry.invocation_id}) was first seen after its manifest.json had been overwritten, and its file "
                "changed since, so nothing shows it built the current code"))
        if node is not None and entry.checksum != node.checksum.checksum:
            return NodeBuild(unique_id, None, unknown=(
                f"its code changed since its last build (invocation {entry.invocation_id}): the relation holds what "
                "the old code built"))
        command = invocation.command if invocation else None
        return NodeBuild(unique_id, entry.status, _parse(entry.completed_at), command)

    def test_status(self, test: Node) -> str | None:
        """dbt's status of the test's last run, None when it has not run since the nodes it tests were last built."""
        entry = self._record.results.get(test.unique_id)
        if entry is None or entry.checksum is None or entry.checksum != test.checksum.checksum:
            return None
        ran = self._record.invocations.get(entry.invocation_id)
        if ran is None:
            return None
        for tested in test.depends_on.nodes:
            built = self._record.results.get(tested)
            rebuilt = self._record.invocations.get(built.invocation_id) if built else None
            if rebuilt is not None and rebuilt.started_at > ran.started_at:
                return None  # the data it tested was replaced by a later build
        return entry.status

    def _why_never_recorded(self) -> str:
        if self._run_results is None:
            where = "run_results.json is missing"
        elif not self._run_results.holds_build_results:
            where = (f"run_results.json was written by `dbt {self._run_results.command or '(unrecorded command)'}`, "
                     "which builds nothing")
        else:
            return "no build recorded for it: `dbt build` has not run it since dbt-grounding first read this target"
        if self._record.invocations:
            return f"{where}, and no build dbt-grounding recorded ran it"
        return f"{where}, and dbt-grounding has no record of an earlier build"


def open_build_record(target_path: Path, manifest: Manifest, run_results: RunResults | None,
                      warnings: list[str], project_dir: Path | None = None) -> BuildRecord:
    """The record for `target_path` with `run_results` merged in when they are build results not yet recorded.

    `project_dir` holds the nodes' files (for a build whose manifest.json was overwritten: see the module docstring).
    Problems reading or writing the file are appended to `warnings`; they never raise.
    """
    path = record_file(target_path)
    record = _read(path, warnings)
    if run_results is not None and run_results.holds_build_results:
        merged = merge(record, run_results, manifest, project_dir)
        if merged is not record:
            record = merged
            _write(path, record, warnings)
    return BuildRecord(record, manifest, run_results)


def merge(record: _Record, run_results: RunResults, manifest: Manifest, project_dir: Path | None = None) -> _Record:
    """`record` with the results of `run_results` (a build command's) merged per node; the same object when that
    invocation is already recorded. A node keeps the newer of its recorded and its new result."""
    invocation_id = run_results.metadata.invocation_id or f"generated {run_results.metadata.generated_at}"
    if invocation_id in record.invocations:
        return record
    with_manifest = manifest.metadata.invocation_id == run_results.metadata.invocation_id
    invocation = RecordedInvocation(
        invocation_id=invocation_id, command=run_results.command or "build", started_at=run_results.started_at,
        generated_at=run_results.metadata.generated_at, invocation_command=run_results.args.invocation_command,
        project_dir=run_results.args.project_dir, with_manifest=with_manifest,
    )
    without_data = bool(run_results.args.empty or run_results.args.sample)
    results = {uid: entry for uid, entry in record.results.items() if uid in manifest.nodes}
    for result in run_results.results:
        node = manifest.nodes.get(result.unique_id)
        if node is None:
            continue
        if without_data and node.resource_type == "test":
            continue
        previous = results.get(result.unique_id)
        previous_run = record.invocations.get(previous.invocation_id) if previous else None
        if previous_run is not None and previous_run.started_at > invocation.started_at:
            continue  # an older run_results.json put back: the newer result stands
        results[result.unique_id] = RecordedResult(
            status=BUILT_EMPTY if without_data else result.status, invocation_id=invocation_id,
            completed_at=result.completed_at,
            checksum=node.checksum.checksum
            if with_manifest or _unchanged_since(project_dir, node, invocation.started_at) else None,
            failures=result.failures,
        )
    used = {entry.invocation_id for entry in results.values()} | {invocation_id}
    invocations = {uid: inv for uid, inv in record.invocations.items() if uid in used}
    invocations[invocation_id] = invocation
    return _Record(format=RECORD_FORMAT, invocations=invocations, results=results)


def _unchanged_since(project_dir: Path | None, node: Node, started_at: str) -> bool:
    """Whether the node's file was last modified before `started_at` (so the build read the code it holds now)."""
    if project_dir is None or not node.original_file_path or not started_at:
        return False
    try:
        modified = (project_dir / node.original_file_path).stat().st_mtime
    except OSError:
        return False
    return modified < parse_utc(started_at).timestamp()


def _read(path: Path, warnings: list[str]) -> _Record:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return _Record()
    except OSError as error:
        warnings.append(f"cannot read {path} ({error.strerror}): the build results it remembers are ignored")
        return _Record()
    try:
        record = msgspec.json.decode(data, type=_Record)
    except (msgspec.DecodeError, msgspec.ValidationError) as error:
        warnings.append(f"{path} is corrupt ({error}): ignored; it is rebuilt from the next build's run_results.json")
        return _Record()
    if record.format != RECORD_FORMAT:
        warnings.append(f"{path} has format {record.format}, not {RECORD_FORMAT}: ignored and rebuilt")
        return _Record()
    return record


def _write(path: Path, record: _Record, warnings: list[str]) -> None:
    try:
        atomic_write(path, msgspec.json.format(msgspec.json.encode(record, order="sorted"), indent=1))
    except OSError as error:
        warnings.append(f"cannot write {path} ({error.strerror}): this build's results are used now but not "
                        "remembered once another dbt command rewrites run_results.json")


def _parse(text: str | None) -> datetime | None:
    return parse_utc(text) if text else None

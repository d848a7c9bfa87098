"""Fuzz: whatever the arguments and whatever state the files it reads are in, the CLI ends with a documented exit code
and, when it fails, an `error:` line: never a traceback, never an internal error.

Two generators, run in process through `dbt_grounding.cli.main` against the really built library project:
- arguments: every command and every option of the real parser (read from it, so a new option is fuzzed as soon as
  it exists), each with valid, boundary and random values, in random combinations;
- files: every file the toolkit reads (dbt's four artifacts, profiles.yml, dbt_project.yml, the lock, and every file
  the toolkit itself left under target/dbt_grounding/, found after running the commands, whoever added it)
  truncated, emptied, made non-UTF-8, a directory, retyped at a random JSON/YAML path, or given huge numbers.
Example counts are bounded (seeded, no example database) so the module runs in well under a minute of its own.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
from pathlib import Path

import msgspec
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dbt_grounding.cli import build_parser
from inprocess import Sandbox, assert_documented, make_sandbox, run_main

pytestmark = pytest.mark.dbt
MART = "member_loans"
MODELS = (MART, "stg_library__loans", "stg_library__members", "raw_loans", "library.raw_loans",
          f"model.gate_library.{MART}", "gate_library.member_loans", "nope")
KEYS = ("member_id=1", "card_number=LIB-0001", "member_id=", "member_id=abc", "loan_id=100", "=1", "member_id",
        "member_id=٥", "member_id=99999999999999999999999", "card_number=' or 1=1 --")
FUZZ = settings(max_examples=45, deadline=None, database=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
UNCOMPILED = "target_uncompiled"  # the same artifacts with a manifest without compiled SQL: remembered lineage is read
COMMANDS_READING = (  # a command for every way the files are read
    ("check",), ("check", "--no-warehouse"), ("models",), ("lineage", MART), ("lineage", MART, "--columns"),
    ("context", MART, "--key", "member_id=1"), ("lock", "--check"), ("lock",),
)


@pytest.fixture(scope="module")
def pristine(built_gate_library, tmp_path_factory: pytest.TempPathFactory) -> Sandbox:
    """The library project's sources and artifacts, after every command has run once (so the toolkit's own files
    under target/dbt_grounding/ exist), with a lock written."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GATE_LIBRARY_DUCKDB_PATH", str(built_gate_library.duckdb_path))
        patch.setenv("DBT_GROUNDING_TELEMETRY", "off")  # see `environment`
        sandbox = make_sandbox(built_gate_library, tmp_path_factory.mktemp("fuzz") / "pristine")
        for command in COMMANDS_READING:
            assert_documented(run_main(*command, *sandbox.args()))
    uncompiled = sandbox.project_dir.parent / UNCOMPILED
    shutil.copytree(sandbox.target_path, uncompiled)
    shutil.copy(built_gate_library.work_dir / "uncompiled_manifest.json", uncompiled / "manifest.json")
    assert list((sandbox.target_path / "dbt_grounding").rglob("*.json")), "non-vacuity: the toolkit keeps files"
    assert (sandbox.project_dir / "grounding.lock.json").is_file()
    return sandbox


@pytest.fixture()
def environment(built_gate_library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Relative paths land in a scratch folder; no profiles.yml outside the project; the DuckDB file shared."""
    monkeypatch.setenv("GATE_LIBRARY_DUCKDB_PATH", str(built_gate_library.duckdb_path))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    # the telemetry files are written by a background thread and read by no command: corrupting them tests
    # nothing the commands do, and the thread would race the sandbox's clean-up (tests/telemetry test the writer)
    monkeypatch.setenv("DBT_GROUNDING_TELEMETRY", "off")
    for variable in ("DBT_PROFILES_DIR", "DBT_TARGET", "DBT_PROFILE", "DBT_GROUNDING_DEBUG", "DBT_TARGET_PATH"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def fresh_copy(pristine: Sandbox, scratch: Path) -> Sandbox:
    if scratch.exists():
        shutil.rmtree(scratch)
    shutil.copytree(pristine.project_dir.parent, scratch)
    return Sandbox(scratch / pristine.project_dir.name, scratch / pristine.target_path.name)


# ------------------------------------------------------------------------------------------------ arguments

def _option_values(action: argparse.Action, sandbox: Sandbox, scratch: Path) -> st.SearchStrategy[list[str]]:
    """Values for one option of the real parser: valid ones, boundaries and junk."""
    junk = st.text(max_size=12)
    if action.nargs == 0:
        return st.just([])
    if action.choices:
        value = st.one_of(st.sampled_from(sorted(action.choices)), junk)
    elif action.dest in ("project_dir", "profiles_dir", "target_path", "output", "lock"):
        value = st.sampled_from([
            str(sandbox.project_dir), str(sandbox.target_path), str(sandbox.project_dir / "grounding.lock.json"),
            str(scratch / "missing" / "deeper" / "out.txt"), str(sandbox.project_dir / "dbt_project.yml" / "x"),
            "relative/report.txt", ".", "", str(scratch),
        ])
    elif action.dest == "key":
        value = st.one_of(st.sampled_from(KEYS), junk)
    elif action.dest == "select":
        return st.lists(st.sampled_from(MODELS), min_size=1, max_size=3)
    elif action.type is not None and action.type not in (str, Path):  # counts: --depth, --max-tokens
        value = st.one_of(st.integers(-3, 5000).map(str), st.sampled_from(["0", "1", "10" * 12, "１", "1.5"]), junk)
    else:  # --target
        value = st.one_of(st.sampled_from(["dev", "nope", ""]), junk)
    return value.map(lambda text: [text])


@st.composite
def command_lines(draw, sandbox: Sandbox, scratch: Path) -> list[str]:
    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices
    # not `serve`: it speaks MCP over the process's real stdio until its client leaves, which an in-process run on
    # StringIO cannot give it (it ends in an AttributeError on stdout.buffer); tests/agent start it as a process
    name = draw(st.sampled_from(sorted(set(commands) - {"serve"})))
    argv = [name]
    for action in commands[name]._actions:
        if isinstance(action, argparse._HelpAction) or (action.option_strings and action.dest in ("project_dir",
                                                                                                  "target_path")):
            continue
        if not action.option_strings:  # the positional MODEL
            if draw(st.integers(0, 9)):
                argv.append(draw(st.one_of(st.sampled_from(MODELS), st.text(max_size=10))))
            continue
        wanted = action.required or action.dest == "key"
        for _ in range(draw(st.integers(1 if wanted and draw(st.integers(0, 9)) else 0, 2))):
            argv += [draw(st.sampled_from(action.option_strings)), *draw(_option_values(action, sandbox, scratch))]
    location = draw(st.sampled_from(["sandbox", "sandbox", "sandbox", "fuzzed"]))
    if location == "sandbox":
        argv += list(sandbox.args())
    else:
        argv += ["--project-dir", draw(_option_values(argparse.Action(["--project-dir"], "project_dir"), sandbox,
                                                      scratch))[0]]
    if draw(st.integers(0, 14)) == 0:
        argv.insert(draw(st.integers(0, len(argv))), draw(st.sampled_from(["--debug", "--bogus", "-x", "--", "--help"])))
    return argv


def test_any_command_line_ends_with_a_documented_outcome(pristine: Sandbox, environment: Path) -> None:
    sandbox = fresh_copy(pristine, environment / "sandbox")
    scratch = environment / "scratch"
    seen: set[int] = set()

    @FUZZ
    @given(data=st.data())
    def fuzz(data) -> None:
        argv = data.draw(command_lines(sandbox, scratch), label="argv")
        outcome = run_main(*argv)
        if "--debug" in argv and "internal error" in outcome.stderr:
            pytest.fail(str(outcome))
        assert_documented(outcome)
        seen.add(outcome.code)

    fuzz()
    assert {0, 2} <= seen, f"non-vacuity: only exit codes {sorted(seen)} were reached"


# ------------------------------------------------------------------------------------------------ files

def _json_values() -> st.SearchStrategy:
    leaves = st.one_of(st.none(), st.booleans(), st.integers(-(10**30), 10**30), st.floats(allow_nan=False),
                       st.text(max_size=8), st.just(10**400))
    return st.recursive(leaves, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                        st.dictionaries(st.text(max_size=6), inner, max_size=3)),
                        max_leaves=6)


def _paths(tree, prefix=()) -> list[tuple]:
    """Every path into a JSON/YAML tree (the root included)."""
    found = [prefix]
    if isinstance(tree, dict):
        for key, value in tree.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(tree, list):
        for index, value in enumerate(tree):
            found += _paths(value, (*prefix, index))
    return found


def _replaced(tree, path: tuple, value):
    if not path:
        return value
    parent = tree
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = value
    return tree


@st.composite
def corruptions(draw, original: bytes, suffix: str):
    """(label, new bytes or None for 'a directory instead')."""
    kind = draw(st.sampled_from(["retyped", "retyped", "retyped", "truncated", "empty", "not utf-8", "directory",
                                 "huge numbers", "not an object"]))
    if kind == "directory":
        return kind, None
    if kind == "empty":
        return kind, draw(st.sampled_from([b"", b"   \n", b"null", b"{}", b"[]"]))
    if kind == "truncated":
        return kind, original[: draw(st.integers(0, max(len(original) - 1, 0)))]
    if kind == "not utf-8":
        at = draw(st.integers(0, len(original)))
        return kind, original[:at] + draw(st.sampled_from([b"\xff\xfe", b"\xc3", b"\x00", "é".encode("latin-1")])) \
            + original[at:]
    if kind == "huge numbers":
        return kind, re.sub(rb'(":\s*)([0-9])', lambda m: m[1] + draw(st.sampled_from([b"1e999", b"9" * 400, b"-1e400"])),
                            original, count=draw(st.integers(1, 50)))
    if kind == "not an object":
        return kind, json.dumps(draw(_json_values())).encode()
    if suffix == ".msgpack":  # the manifest index (artifacts/manifest_index.py): its own encoding, retyped the same way
        tree = msgspec.msgpack.decode(original)
    else:
        tree = yaml.safe_load(original) if suffix in (".yml", ".yaml") else json.loads(original)
    paths = _paths(tree)
    if draw(st.booleans()):  # a shallow path as often as a deep one: the shapes readers check first
        paths = [path for path in paths if len(path) <= 2]
    path = paths[draw(st.integers(0, len(paths) - 1))]
    tree = _replaced(tree, path, draw(_json_values()))
    if suffix in (".yml", ".yaml"):
        return kind, yaml.safe_dump(tree, allow_unicode=True).encode()
    if suffix == ".msgpack":
        try:
            return kind, msgspec.msgpack.encode(tree)
        except (OverflowError, TypeError):  # an integer beyond 64 bits: msgpack cannot hold it
            return kind, msgspec.msgpack.encode(str(tree))
    try:
        return kind, json.dumps(tree).encode()
    except ValueError:  # 10**400 has more digits than json.dumps writes: the huge-number case covers it
        return kind, json.dumps(str(tree)).encode()


def files_read(sandbox: Sandbox) -> list[str]:
    """Every file the toolkit reads, relative to the sandbox: dbt's artifacts, the project's files, the lock, and
    whatever the toolkit keeps under target/dbt_grounding/ (in both target folders)."""
    root = sandbox.project_dir.parent
    targets = (sandbox.target_path, root / UNCOMPILED)
    named = [target / name for target in targets for name in ("manifest.json", "run_results.json", "catalog.json",
                                                              "sources.json")]
    named += [sandbox.project_dir / name for name in ("profiles.yml", "dbt_project.yml", "grounding.lock.json")]
    kept = sorted(path for target in targets for path in (target / "dbt_grounding").rglob("*") if path.is_file())
    return [str(path.relative_to(root)) for path in [*named, *kept]]


@pytest.mark.parametrize("kind", ["manifest.json", "run_results.json", "catalog.json", "sources.json",
                                  "profiles.yml", "dbt_project.yml", "grounding.lock.json"])
def test_any_file_in_any_state_ends_with_a_documented_outcome(pristine: Sandbox, environment: Path,
                                                               kind: str) -> None:
    candidates = [name for name in files_read(pristine) if name.endswith(kind)]
    assert candidates, f"non-vacuity: no {kind} in the built project"
    fuzz_files(pristine, environment / "sandbox", candidates, COMMANDS_READING, examples=8)


def test_any_file_the_toolkit_keeps_in_any_state_ends_with_a_documented_outcome(pristine: Sandbox,
                                                                                 environment: Path) -> None:
    """Per folder under target/dbt_grounding/ (whichever helper added it), with the commands that read them."""
    kept = [name for name in files_read(pristine) if "/dbt_grounding/" in name]
    folders = sorted({name.split("/dbt_grounding/")[1].split("/")[0] for name in kept})
    assert {"last_good_lineage", "lineage_cache"} <= set(folders), f"non-vacuity: kept only {folders}"
    commands = (("check",), ("context", MART, "--key", "member_id=1"),
                ("lineage", MART, "--columns"), ("lock", "--check"))
    for folder in folders:
        in_folder = [name for name in kept if f"/dbt_grounding/{folder}" in name]
        fuzz_files(pristine, environment / "sandbox", in_folder, commands, examples=10)


def fuzz_files(pristine: Sandbox, scratch: Path, candidates: list[str], commands, *, examples: int) -> None:
    @settings(FUZZ, max_examples=examples)
    @given(data=st.data())
    def fuzz(data) -> None:
        sandbox = fresh_copy(pristine, scratch)
        name = data.draw(st.sampled_from(candidates), label="file")
        path = sandbox.project_dir.parent / name
        label, content = data.draw(corruptions(path.read_bytes(), path.suffix), label="corruption")
        path.unlink()
        if content is None:
            path.mkdir()
        else:
            path.write_bytes(content)
        if name.startswith(UNCOMPILED) or (not name.startswith("target") and data.draw(st.booleans())):
            sandbox = Sandbox(sandbox.project_dir, sandbox.project_dir.parent / UNCOMPILED)
        command = data.draw(st.sampled_from(commands), label="command")
        assert_documented(run_main(*command, *sandbox.args()))

    fuzz()

"""The gate fails when it cannot judge: a profile that cannot be used (exit 2), artifacts of another project (exit 3)
and a warehouse that cannot be reached now (finding DG601, exit 1) each say so in their own words; usage errors are
argparse's (exit 2); an unexpected exception is one `internal error` line (exit 4), never a traceback."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dbt_grounding import GroundingProject
from dbt_grounding.errors import ExitCode
from inprocess import Sandbox, assert_documented, make_sandbox, run_main

pytestmark = pytest.mark.dbt
MART = "member_loans"
KEY = ("--key", "member_id=1")  # member_id or card_number: alternative keys, one is enough


@pytest.fixture()
def library(built_gate_library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    """The built library project copied, its DuckDB file shared read-only; HOME and the working directory empty, so
    no profiles.yml is found anywhere but where a test puts one."""
    monkeypatch.setenv("GATE_LIBRARY_DUCKDB_PATH", str(built_gate_library.duckdb_path))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    for variable in ("DBT_PROFILES_DIR", "DBT_TARGET", "DBT_PROFILE", "DBT_GROUNDING_DEBUG"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.chdir(tmp_path)
    return make_sandbox(built_gate_library, tmp_path / "sandbox")


def check(library: Sandbox, *args: str):
    outcome = run_main("check", "--format", "json", *args, *library.args())
    assert_documented(outcome)
    return outcome


def test_the_sandbox_passes_the_gate_machinery(library: Sandbox) -> None:
    """Non-vacuity: with its profile, the same project is judged (findings or not, the warehouse was asked)."""
    outcome = check(library)
    assert outcome.code in (ExitCode.OK, ExitCode.FINDINGS)
    assert not any("warehouse" in line for line in json.loads(outcome.stdout)["skipped"])


@pytest.mark.parametrize(("breakage", "expected"), [
    ("no profiles.yml", "No profiles.yml found"),
    ("unknown target", "has no target 'nope'"),
    ("bad YAML", "Cannot read"),
    ("another engine", "come from a duckdb build, but the profile's target 'pg' is postgres"),
])
def test_a_profile_that_cannot_be_used_fails_the_gate(library: Sandbox, breakage: str, expected: str) -> None:
    profiles = library.project_dir / "profiles.yml"
    args: tuple[str, ...] = ()
    if breakage == "no profiles.yml":
        profiles.unlink()
    elif breakage == "unknown target":
        args = ("--target", "nope")
    elif breakage == "bad YAML":
        profiles.write_text(profiles.read_text().replace("outputs:", "outputs: [", 1))
    else:
        profiles.write_text(profiles.read_text() + "    pg:\n      type: postgres\n      host: localhost\n"
                            "      user: reader\n      dbname: library\n      schema: main\n")
        args = ("--target", "pg")
    outcome = check(library, *args)
    assert outcome.code == ExitCode.USAGE and expected in outcome.stderr, str(outcome)
    assert outcome.stdout == ""  # no report that could be read as a pass
    # the same profile is not needed at all when the warehouse is not asked
    assert check(library, *args, "--no-warehouse").code in (ExitCode.OK, ExitCode.FINDINGS)


def test_context_refuses_the_same_profiles(library: Sandbox) -> None:
    (library.project_dir / "profiles.yml").unlink()
    outcome = run_main("context", MART, *KEY, *library.args())
    assert_documented(outcome)
    assert outcome.code == ExitCode.USAGE and "No profiles.yml found" in outcome.stderr


@pytest.mark.parametrize("command", [
    ("check",), ("check", "--no-warehouse"), ("models",), ("lineage", MART), ("lineage", MART, "--columns"),
    ("context", MART, *KEY), ("lock",),
])
def test_artifacts_of_another_project_are_refused(library: Sandbox, built_plain_project, command) -> None:
    outcome = run_main(*command, "--project-dir", str(library.project_dir),
                       "--target-path", str(built_plain_project.target_path))
    assert_documented(outcome)
    assert outcome.code == ExitCode.ARTIFACTS, str(outcome)
    assert "belong to dbt project 'plain_shop', not to 'gate_library'" in outcome.stderr
    assert "--target-path" in outcome.stderr and "name: plain_shop" in outcome.stderr
    assert not (library.project_dir / "grounding.lock.json").exists()


def test_a_copy_of_a_project_with_the_same_name_elsewhere_is_refused(library: Sandbox, tmp_path: Path) -> None:
    """dbt init names every project my_new_project: the name alone cannot tell two projects apart."""
    other = tmp_path / "same_name"
    other.mkdir()
    shutil.copy(library.project_dir / "dbt_project.yml", other)
    shutil.copy(library.project_dir / "profiles.yml", other)
    outcome = run_main("models", "--project-dir", str(other), "--target-path", str(library.target_path))
    assert_documented(outcome)
    assert outcome.code == ExitCode.ARTIFACTS and "another copy of dbt project 'gate_library'" in outcome.stderr


def test_a_missing_warehouse_file_fails_the_gate_with_DG601(library: Sandbox, monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("GATE_LIBRARY_DUCKDB_PATH", str(tmp_path / "gone.duckdb"))
    outcome = check(library)
    assert outcome.code == ExitCode.FINDINGS, str(outcome)
    report = json.loads(outcome.stdout)
    unreachable = [f for f in report["findings"] if f["code"] == "DG601"]
    assert len(unreachable) == 1 and "gone.duckdb does not exist" in unreachable[0]["message"]
    assert any("schema drift" in line and "not reachable" in line for line in report["skipped"])
    assert check(library, "--no-warehouse").code in (ExitCode.OK, ExitCode.FINDINGS)  # the way to skip it


def test_a_warehouse_locked_past_the_wait_is_DG601(built_gate_library, library: Sandbox, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    database = tmp_path / "locked.duckdb"
    shutil.copy(built_gate_library.duckdb_path, database)
    monkeypatch.setenv("GATE_LIBRARY_DUCKDB_PATH", str(database))
    writer = subprocess.Popen(  # another process writing, as `dbt build` holds the file
        [sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('held', flush=True); "
                               "time.sleep(120)", str(database)], stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "held"
        with GroundingProject.open(library.project_dir, target_path=library.target_path,
                                   warehouse_options={"lock_wait_s": 0.3}) as project:
            result = project.check()
    finally:
        writer.kill()
        writer.wait()
    unreachable = [f for f in result.findings if f.code == "DG601"]
    assert len(unreachable) == 1 and "stayed locked" in unreachable[0].message
    assert not [f for f in result.findings if f.code.startswith("DG2")]


@pytest.mark.parametrize(("args", "expected"), [
    (("lineage", MART, "--depth", "-1"), "argument --depth: '-1' is not a whole number of 0 or more"),
    (("context", MART, *KEY, "--max-tokens", "0"), "argument --max-tokens: '0' is not a positive whole number"),
    (("context", MART, *KEY, "--max-tokens", "１５００"), "argument --max-tokens"),
    (("check", "--output", ""), "argument --output: '' is not a usable path"),
    (("models", "--project-dir", "a\x00b"), "is not a usable path"),
])
def test_bad_arguments_are_usage_errors(library: Sandbox, args, expected: str) -> None:
    outcome = run_main(*args, *library.args()) if "--project-dir" not in args else run_main(*args)
    assert_documented(outcome)
    assert outcome.code == ExitCode.USAGE and expected in outcome.stderr, str(outcome)


def test_check_output_creates_missing_folders(library: Sandbox, tmp_path: Path) -> None:
    report = tmp_path / "reports" / "ci" / "grounding.xml"
    outcome = check(library, "--no-warehouse", "--output", str(report))
    assert outcome.code in (ExitCode.OK, ExitCode.FINDINGS) and report.read_text().startswith("{")


def test_check_output_that_cannot_be_written_is_a_usage_error(library: Sandbox, tmp_path: Path) -> None:
    (tmp_path / "a_file").write_text("")
    outcome = check(library, "--no-warehouse", "--output", str(tmp_path / "a_file" / "report.json"))
    assert outcome.code == ExitCode.USAGE and "cannot write the report to" in outcome.stderr, str(outcome)


def test_a_lock_with_a_number_for_a_type_names_the_field(library: Sandbox, tmp_path: Path) -> None:
    lock = tmp_path / "grounding.lock.json"
    assert run_main("lock", "--lock", str(lock), *library.args()).code == ExitCode.OK
    data = json.loads(lock.read_text())
    node = f"model.gate_library.{MART}"
    data["nodes"][node]["columns"]["open_loans"] = 5
    lock.write_text(json.dumps(data))
    for command in (("check", "--no-warehouse"), ("lock", "--check")):
        outcome = run_main(*command, "--lock", str(lock), *library.args())
        assert_documented(outcome)
        assert outcome.code == ExitCode.USAGE, str(outcome)
        assert f"grounding.lock.json is not a grounding lock: nodes['{node}'].columns['open_loans'] is a number (5), " \
               "not a type name or null" in outcome.stderr


def test_a_malformed_remembered_lineage_reads_as_absent(library: Sandbox) -> None:
    pristine = check(library)
    remembered = library.target_path / "dbt_grounding" / "last_good_lineage" / f"model.gate_library.{MART}.json"
    for content in (b"[1, 2]", b'{"member_id": [[["model.x"]]]}', b"\xff\xfe", b'{"member_id": 5'):
        remembered.write_bytes(content)
        outcome = check(library)
        assert (outcome.code, json.loads(outcome.stdout)["findings"]) == \
            (pristine.code, json.loads(pristine.stdout)["findings"])


def test_an_internal_error_is_one_line_with_how_to_report_it(library: Sandbox, monkeypatch) -> None:
    from dbt_grounding.cli import models_command

    def broken(args):
        raise KeyError("a bug")

    monkeypatch.setattr(models_command, "run", broken)
    outcome = run_main("models", *library.args())
    assert outcome.code == ExitCode.INTERNAL == 4
    assert outcome.stderr.startswith("error: internal error in dbt-grounding") and "Traceback" not in outcome.stderr
    assert "--debug" in outcome.stderr and "DBT_GROUNDING_DEBUG=1" in outcome.stderr
    assert "Traceback" in run_main("--debug", "models", *library.args()).stderr
    assert "Traceback" in run_main("models", "--debug", *library.args()).stderr
    monkeypatch.setenv("DBT_GROUNDING_DEBUG", "1")
    debugged = run_main("models", *library.args())
    assert debugged.code == ExitCode.INTERNAL and "KeyError: 'a bug'" in debugged.stderr


def test_every_command_says_what_the_artifacts_lack_once(library: Sandbox, tmp_path: Path) -> None:
    """A command returns the project's warnings with its output (stderr, before the text); when it fails they are
    notes of its error, since they may be why."""
    (library.target_path / "run_results.json").unlink()
    warning = "warning: run_results.json is missing: build and test status"
    for command in (("models",), ("check", "--no-warehouse"), ("lock", "--lock", str(tmp_path / "l.json")),
                    ("lineage", MART, "--columns")):
        outcome = run_main(*command, *library.args())
        assert_documented(outcome)
        assert outcome.stderr.count(warning) == 1, str(outcome)
    failed = run_main("context", MART, *KEY, *library.args())
    assert failed.code == ExitCode.FINDINGS and failed.stderr.startswith("error: the last build of"), str(failed)
    assert "  note: run_results.json is missing: build and test status" in failed.stderr, str(failed)


def test_version_is_the_installed_package_version() -> None:
    from importlib.metadata import version

    outcome = run_main("--version")
    assert (outcome.code, outcome.stdout) == (ExitCode.OK, f"dbt-grounding {version('dbt-grounding')}\n")
